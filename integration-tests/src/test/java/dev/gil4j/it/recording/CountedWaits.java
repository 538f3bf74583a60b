package dev.gil4j.it.recording;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Makes a known number of lock waits with threads that come and go while gil4j's recorder drains
 * and merges their tables: {@code rounds} times, {@code main} takes a {@link ReentrantLock}
 * (swapped in by the agent) without waiting, starts {@code perRound} threads — every other one
 * virtual on JDK 21+ — waits until each is queued behind it, and lets go; each thread then waits
 * once, takes the lock, and ends, while the next round's threads start. A drainer thread asks the
 * recorder for snapshots all along, and with more than a thousand threads the recorder also purges
 * the tables of ended threads on its own. At the end it prints {@code gil4j-metric expected_waits};
 * the exit report and the recording must count as many at this lock's creation site.
 */
public final class CountedWaits {
  private CountedWaits() {}

  public static void main(String[] args) throws Exception {
    int rounds = Integer.parseInt(args[0]);
    int perRound = Integer.parseInt(args[1]);
    ReentrantLock lock = new ReentrantLock();
    AtomicBoolean done = new AtomicBoolean();
    // gil4j's recorder, found on the boot class path where the agent put it
    Method snapshot = Class.forName("dev.gil4j.profiler.ContentionRecorder").getMethod("snapshot");
    Thread drainer =
        new Thread(
            () -> {
              while (!done.get()) {
                try {
                  snapshot.invoke(null);
                } catch (ReflectiveOperationException e) {
                  throw new IllegalStateException(e);
                }
                Thread.yield();
              }
            },
            "drainer");
    drainer.start();
    List<Thread> all = new ArrayList<>();
    Runnable waiter =
        () -> {
          lock.lock();
          lock.unlock();
        };
    for (int r = 0; r < rounds; r++) {
      while (!lock.tryLock()) {
        Thread.yield(); // an untimed tryLock is never recorded: main's turns add no wait
      }
      List<Thread> round = new ArrayList<>();
      for (int k = 0; k < perRound; k++) {
        Thread t =
            k % 2 == 1 && Runtime.version().feature() >= 21 ? virtual(waiter) : new Thread(waiter);
        t.start();
        round.add(t);
      }
      for (Thread t : round) {
        while (!lock.hasQueuedThread(t)) {
          Thread.sleep(0, 100_000);
        }
      }
      lock.unlock();
      all.addAll(round);
    }
    for (Thread t : all) {
      t.join();
    }
    done.set(true);
    drainer.join();
    System.out.println("gil4j-metric expected_waits " + (long) rounds * perRound);
  }

  /** An unstarted virtual thread, by reflection: this class compiles for Java 17. */
  private static Thread virtual(Runnable task) throws ReflectiveOperationException {
    Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
    return (Thread)
        Class.forName("java.lang.Thread$Builder")
            .getMethod("unstarted", Runnable.class)
            .invoke(builder, task);
  }
}

package dev.gil4j.it.isolation;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The application that gil4j's injected faults must not reach: {@code java … FaultyWorkload THREADS
 * ROUNDS}. Every kind of place where gil4j's code runs inside an application runs here many times:
 * checkpoints (CPU work in small method calls), the GIL released and re-taken around {@code
 * Thread.sleep}, {@code Object.wait}, {@code Thread.join} and parking, contended {@code
 * synchronized}, a swapped-in {@code ReentrantLock} and {@code CountDownLatch} with real contention
 * (a holder sleeps inside), a static initializer run while threads race for it, and threads started
 * and ended by a registered thread.
 *
 * <p>Its result does not depend on the schedule: it prints {@code checksum SUM expected SUM} and
 * {@code ok}, and exits 0, only if the sum of the workers' CPU results, accumulated under the lock,
 * equals the same sum computed by one thread, and every counter is exact. Any exception in any
 * thread makes it print {@code FAILED} with the exception and exit 1.
 */
public final class FaultyWorkload {
  private static final AtomicReference<Throwable> FAILURE = new AtomicReference<>();
  private static final ReentrantLock LOCK = new ReentrantLock();
  private static final Object MONITOR = new Object();
  private static long total;
  private static long monitorCount;
  private long state;

  private FaultyWorkload(long seed) {
    state = seed;
  }

  /** A static initializer that threads race for, and that does work with checkpoints. */
  private static final class Table {
    static final long[] VALUES = new long[64];

    static {
      FaultyWorkload w = new FaultyWorkload(42);
      for (int i = 0; i < VALUES.length; i++) {
        VALUES[i] = w.burn(1000);
      }
    }
  }

  private void step() {
    state = state * 6364136223846793005L + 1442695040888963407L;
  }

  /** CPU work like Python bytecode: a method call per step, so a checkpoint every few ns. */
  long burn(int steps) {
    for (int i = 0; i < steps; i++) {
      step();
    }
    return state;
  }

  private static long work(int worker, int round, int steps) {
    return new FaultyWorkload(worker * 1_000_003L + round).burn(steps) + Table.VALUES[round % 64];
  }

  public static void main(String[] args) throws Exception {
    int threads = Integer.parseInt(args[0]);
    int rounds = Integer.parseInt(args[1]);
    int steps = 20_000;
    Thread.setDefaultUncaughtExceptionHandler((t, e) -> FAILURE.compareAndSet(null, e));
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> workers = new ArrayList<>();
    for (int w = 0; w < threads; w++) {
      int me = w;
      Thread t = new Thread(() -> runWorker(me, rounds, steps, start), "worker-" + w);
      workers.add(t);
      t.start();
    }
    Thread.sleep(5);
    start.countDown();
    for (Thread t : workers) {
      t.join();
    }
    long expected = 0;
    for (int w = 0; w < threads; w++) {
      for (int r = 0; r < rounds; r++) {
        expected += work(w, r, steps);
      }
    }
    Throwable failure = FAILURE.get();
    boolean countsRight = monitorCount == (long) threads * rounds;
    System.out.println("checksum " + total + " expected " + expected);
    if (failure != null || total != expected || !countsRight) {
      System.out.println("FAILED monitorCount=" + monitorCount + " failure=" + failure);
      if (failure != null) {
        failure.printStackTrace(System.out);
      }
      System.exit(1);
    }
    System.out.println("ok");
  }

  private static void runWorker(int me, int rounds, int steps, CountDownLatch start) {
    try {
      start.await();
      for (int r = 0; r < rounds; r++) {
        long v = work(me, r, steps);
        LOCK.lock();
        try {
          total += v;
          if (r % 4 == 0) {
            Thread.sleep(1); // a holder that sleeps: the others contend for the lock
          }
        } finally {
          LOCK.unlock();
        }
        synchronized (MONITOR) {
          monitorCount++;
          new FaultyWorkload(r).burn(200);
          if (r % 8 == 0) {
            MONITOR.wait(1);
          }
        }
      }
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }
}

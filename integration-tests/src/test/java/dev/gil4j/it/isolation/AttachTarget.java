package dev.gil4j.it.isolation;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A running application that gil4j is attached to: {@code java … AttachTarget GO_FILE}. It makes
 * two threads contend for a lock — each holds it across a 1 ms sleep, and each waits for it at
 * least once — and keeps doing so until {@code GO_FILE} exists; it prints {@code ready PID} once it
 * is under way. Then it contends for three locks: one constructed before the attach by a class
 * loaded before it ({@link Early}), one constructed now by that same class, and one constructed by
 * a class loaded only now ({@link Late}). It prints {@code ok} and exits 0 only if every count is
 * exact.
 */
public final class AttachTarget {
  private static final int PER_THREAD = 20;

  private AttachTarget() {}

  /** Loaded, and its first lock constructed, before the attach. */
  static final class Early {
    static final ReentrantLock MADE_AT_START = new ReentrantLock();

    private Early() {}

    static ReentrantLock makeOne() {
      return new ReentrantLock();
    }
  }

  /** Loaded only after the attach. */
  static final class Late {
    private Late() {}

    static ReentrantLock makeOne() {
      return new ReentrantLock();
    }
  }

  public static void main(String[] args) throws Exception {
    Path go = Path.of(args[0]);
    check(contend(Early.MADE_AT_START));
    System.out.println("ready " + ProcessHandle.current().pid());
    while (!Files.exists(go)) {
      check(contend(Early.MADE_AT_START));
    }
    check(contend(Early.MADE_AT_START));
    check(contend(Early.makeOne()));
    check(contend(Late.makeOne()));
    System.out.println("ok");
  }

  /**
   * Two threads take {@code lock} {@value #PER_THREAD} times each; returns the count they made.
   * Both queue for it at least once, whatever the machine's load: the caller holds it until they
   * do.
   */
  private static long contend(ReentrantLock lock) throws InterruptedException {
    long[] count = {0};
    List<Thread> threads = new ArrayList<>();
    lock.lock();
    for (int t = 0; t < 2; t++) {
      Thread thread =
          new Thread(
              () -> {
                for (int i = 0; i < PER_THREAD; i++) {
                  lock.lock();
                  try {
                    count[0]++;
                    Thread.sleep(1);
                  } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                  } finally {
                    lock.unlock();
                  }
                }
              });
      threads.add(thread);
      thread.start();
    }
    try {
      while (lock.getQueueLength() < threads.size()) {
        Thread.sleep(1);
      }
    } finally {
      lock.unlock();
    }
    for (Thread thread : threads) {
      thread.join();
    }
    return count[0];
  }

  private static void check(long count) {
    if (count != 2 * PER_THREAD) {
      System.out.println("FAILED count " + count);
      System.exit(1);
    }
  }
}

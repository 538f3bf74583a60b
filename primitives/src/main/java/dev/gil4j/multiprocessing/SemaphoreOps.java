package dev.gil4j.multiprocessing;

import dev.gil4j.threading.Acquirable;

/**
 * The owner's side of {@link Lock}, {@link Semaphore} and {@link BoundedSemaphore}, and the acquire
 * of {@link RLock}.
 */
final class SemaphoreOps {
  private SemaphoreOps() {}

  /**
   * A child's acquire, served: one try, then, if blocking, a wait of {@code timeout} seconds (-1:
   * forever; any other negative value: none, as a SemLock does); the result and the time waited.
   */
  static Shared.Result acquire(Acquirable local, boolean blocking, double timeout) {
    if (local.acquire(false)) {
      return new Shared.Result(1, 0);
    }
    if (!blocking) {
      return new Shared.Result(0, 0);
    }
    long start = System.nanoTime();
    boolean got = timeout < 0 && timeout != -1 ? false : local.acquire(true, timeout);
    return new Shared.Result(got ? 1 : 0, System.nanoTime() - start);
  }

  static Shared.Result serve(
      dev.gil4j.threading.Semaphore local, byte op, boolean blocking, double timeout, int n) {
    switch (op) {
      case Shared.ACQUIRE -> {
        return acquire(local, blocking, timeout);
      }
      case Shared.RELEASE -> {
        try {
          local.release(n);
        } catch (IllegalArgumentException e) {
          // threading.BoundedSemaphore's words; multiprocessing's are _multiprocessing.SemLock's
          throw new IllegalArgumentException("semaphore or lock released too many times");
        }
        return new Shared.Result(0, 0);
      }
      default -> throw new IllegalStateException("not a semaphore operation: " + op);
    }
  }

  static void undo(dev.gil4j.threading.Semaphore local, byte op, long value) {
    if (op == Shared.ACQUIRE && value != 0) {
      local.release();
    }
  }
}

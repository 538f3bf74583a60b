package dev.gil4j.multiprocessing;

/** The owner's side of {@link Lock}, {@link Semaphore} and {@link BoundedSemaphore}. */
final class SemaphoreOps {
  private SemaphoreOps() {}

  static Shared.Result serve(
      dev.gil4j.threading.Semaphore local, byte op, boolean blocking, double timeout, int n) {
    switch (op) {
      case Shared.ACQUIRE -> {
        if (local.acquire(false)) {
          return new Shared.Result(1, 0);
        }
        if (!blocking) {
          return new Shared.Result(0, 0);
        }
        long start = System.nanoTime();
        boolean got = local.acquire(true, timeout);
        return new Shared.Result(got ? 1 : 0, System.nanoTime() - start);
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

package dev.gil4j.it.holes;

/**
 * A thread that blocks, for long, where gil4j has no hook (waiting for another thread's static
 * initializer) while holding the GIL: the safety net revokes the GIL when {@code main} wants it,
 * and the blocked thread then owes a re-take until it runs again. {@code main} times a lone loop
 * with calls (so checkpoints) while that thread is still blocked, and again after it has gone.
 *
 * <p>Prints {@code gil4j-metric blocked_ratio}, the loop's time while the thread is blocked over
 * its time after, about 1 unless a debt held by a thread that is not running sends every checkpoint
 * of every other thread down the slow path for as long as it blocks; and {@code
 * debtor_blocked_throughout}, 1 if the debtor was still blocked when the first timing ended.
 */
public final class BlockedDebtor {
  private static volatile long sink;

  private BlockedDebtor() {}

  /** The best of several timings of {@code n} iterations, in ms. */
  static double loneMillis(long n) {
    long best = Long.MAX_VALUE;
    for (int r = 0; r < 7; r++) {
      long t0 = System.nanoTime();
      sink += PoolTasks.work(n, r);
      best = Math.min(best, System.nanoTime() - t0);
    }
    return best / 1e6;
  }

  /** Iterations of {@link PoolTasks#work} that take about 20 ms, from {@code n} up. */
  static long calibrate(long n) {
    while (true) {
      long t0 = System.nanoTime();
      sink += PoolTasks.work(n, n);
      long took = System.nanoTime() - t0;
      if (took > 20_000_000L) {
        return Math.max(1, n * 20_000_000L / took);
      }
      n *= 2;
    }
  }

  /** Its initializer sleeps, so that a second thread that touches it waits for the first. */
  static final class Slow {
    static {
      try {
        Thread.sleep(3_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    static void touch() {
      sink++;
    }
  }

  public static void main(String[] args) throws Exception {
    long n = calibrate(calibrate(1_000_000));
    Thread initializer = new Thread(Slow::touch, "initializer");
    Thread debtor = new Thread(Slow::touch, "debtor");
    initializer.start();
    Thread.sleep(100);
    debtor.start();
    // main sleeps (releasing the GIL) while the debtor takes it and blocks in the class-init wait,
    // then wants it back: the safety net revokes it from the debtor.
    Thread.sleep(300);
    long t0 = System.nanoTime();
    // Once untimed: the first slow-path checkpoints make the JIT recompile the loop.
    loneMillis(n);
    double blocked = loneMillis(n);
    boolean stillBlocked = debtor.isAlive();
    System.out.printf("gil4j-metric blocked_phase_ms %.1f ms%n", (System.nanoTime() - t0) / 1e6);
    initializer.join();
    debtor.join();
    double after = loneMillis(n);
    System.out.printf("gil4j-metric blocked_ms %.2f ms%n", blocked);
    System.out.printf("gil4j-metric after_ms %.2f ms%n", after);
    System.out.printf("gil4j-metric debtor_blocked_throughout %d%n", stillBlocked ? 1 : 0);
    System.out.printf("gil4j-metric blocked_ratio %.2f%n", blocked / after);
  }
}

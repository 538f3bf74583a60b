package dev.gil4j.it.holes;

import java.lang.management.ManagementFactory;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;

/**
 * {@code main} computing beside work on {@code ForkJoinPool.commonPool}: {@code PoolTasks MODE
 * MILLIS}, MODE {@code pool} (one task after another submitted to the common pool) or {@code async}
 * (a {@code CompletableFuture.supplyAsync(...).thenApplyAsync(...)} chain), each piece of work a
 * loop with calls (so checkpoints) of about {@code MILLIS / 10} ms, ten of them, while {@code main}
 * does the same amount. The common pool erases a worker's thread-locals after every task (JDK 17's
 * and JDK 25's innocuous workers): a GIL that kept its per-thread state only there lost the worker
 * from its second task on, and the worker ran beside the holder.
 *
 * <p>Prints {@code gil4j-metric cores} (process CPU time over wall time of that phase), then times
 * a lone loop on {@code main} before and after the phase: {@code gil4j-metric lone_after_ratio} is
 * after over before, about 1 unless every checkpoint took the slow path after the phase (a
 * revocation never settled).
 *
 * <p>The generator's multiplier and increment are fields read into locals, not constants: with
 * constants, JDK 25's C2 folds several unrolled steps into one multiply and one add — but only
 * while the checkpoint's slow path has never run in compiled code. The phase's first drop request
 * makes C2 recompile {@code work} with that path as a real call, which it does not unroll, and the
 * lone loop then measured 4–7x slower after the phase than before with no slow path taken at all
 * (no checkpoint reached it during the lone loop, no drop request, nothing owed): the JIT's loop
 * shape, not the GIL. As fields, the chain stays latency-bound in both compilations.
 */
public final class PoolTasks {
  private static volatile long sink;
  private static long multiplier = 6364136223846793005L;
  private static long increment = 1442695040888963407L;

  private PoolTasks() {}

  static long step(long x, long m, long c) {
    return x * m + c;
  }

  static long work(long iterations, long seed) {
    long m = multiplier;
    long c = increment;
    long x = seed;
    for (long i = 0; i < iterations; i++) {
      x = step(x, m, c);
    }
    return x;
  }

  /** Iterations of {@link #work} that take about {@code millis} ms here, alone. */
  static long calibrate(long millis) {
    long n = 1_000_000;
    while (true) {
      long t0 = System.nanoTime();
      sink += work(n, n);
      long took = System.nanoTime() - t0;
      if (took > 50_000_000L) {
        return Math.max(1, n * millis * 1_000_000L / took);
      }
      n *= 2;
    }
  }

  static double loneMillis(long n) {
    long best = Long.MAX_VALUE;
    for (int r = 0; r < 7; r++) {
      long t0 = System.nanoTime();
      sink += work(n, r);
      best = Math.min(best, System.nanoTime() - t0);
    }
    return best / 1e6;
  }

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    long millis = Long.parseLong(args[1]);
    long piece = calibrate(millis / 10);
    long lone = calibrate(20);
    double before = loneMillis(lone);
    var os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long cpu0 = os.getProcessCpuTime();
    long t0 = System.nanoTime();
    long total = 0;
    if (mode.equals("pool")) {
      for (int i = 0; i < 10; i++) {
        long seed = i;
        Future<Long> f = ForkJoinPool.commonPool().submit(() -> work(piece, seed));
        total += work(piece, -seed);
        total += f.get();
      }
    } else if (mode.equals("async")) {
      CompletableFuture<Long> chain = CompletableFuture.supplyAsync(() -> work(piece, 1));
      for (int i = 1; i < 10; i++) {
        chain = chain.thenApplyAsync(x -> work(piece, x));
      }
      for (int i = 0; i < 10; i++) {
        total += work(piece, i);
      }
      total += chain.get();
    } else {
      throw new IllegalArgumentException("MODE: pool or async, not " + mode);
    }
    long wall = System.nanoTime() - t0;
    long cpu = os.getProcessCpuTime() - cpu0;
    double after = loneMillis(lone);
    System.out.println("total " + total);
    System.out.printf("gil4j-metric cores %.3f%n", (double) cpu / wall);
    System.out.printf("gil4j-metric wall_ms %.1f ms%n", wall / 1e6);
    System.out.printf("gil4j-metric lone_before_ms %.2f ms%n", before);
    System.out.printf("gil4j-metric lone_after_ms %.2f ms%n", after);
    System.out.printf("gil4j-metric lone_after_ratio %.2f%n", after / before);
  }
}

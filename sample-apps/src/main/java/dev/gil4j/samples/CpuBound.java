package dev.gil4j.samples;

import java.time.Duration;

/**
 * The same CPU-bound work split over N threads — the Java twin of CPython's {@code cpu_scaling.py}.
 *
 * <p>The work is a number of steps of a linear congruential generator whose state lives in an
 * object field and is advanced by a small method, the way Python code keeps its state in objects
 * and calls functions: each step passes a method entry and a loop back-edge, where gil4j places its
 * checkpoints, so a running thread can be asked for the GIL every few nanoseconds. The steps are
 * cut into chains of {@value LcgChains#CHAIN} seeded by their index and summed; the sum does not
 * depend on how the chains are shared out, so it is checked against a closed form and a wrong sum
 * ends the program with exit status 1.
 *
 * <p><b>Without gil4j</b> the threads run in parallel: on a 2-core machine 2 threads take about
 * half the wall time of 1, and more threads than cores take no less. <b>Under {@code
 * -javaagent:gil4j-agent.jar}</b> only the GIL holder runs, so 2 or 4 threads take as long as 1
 * (CPython: speedup 0.95 with 2 threads); with {@code policy=ticks} they take longer than 1.
 *
 * <p>With {@code --workers processes} the same N shares run on N child JVMs instead ({@code
 * dev.gil4j.multiprocessing.Process}, with the same agent options and so a GIL each), which send
 * their partial sums back over pipes; {@code wall_ms} then runs from the warmed-up children's "go"
 * to the last sum, and their start-up is reported apart as {@code start_ms}. This is what {@code
 * gil4j-agent.jar scale}'s {@code procs} mode runs, through its {@code {workers}} placeholder.
 *
 * <p>With {@code --warm-up STEPS} the threads first run that many steps, untimed, so that {@code
 * wall_ms} measures code the JIT has compiled, as the processes' does: in a fresh JVM under the
 * GIL, two threads lost some 20% of a half-second run against one while the JIT warmed up, and 2–8%
 * once it had (the processes' children always warm up first).
 *
 * <p>Usage: {@code CpuBound [threads] [work]} or {@code --threads N --work STEPS --workers
 * threads|processes --warm-up STEPS}; defaults 1 thread, {@value #DEFAULT_WORK} steps (0.5 to 1 s
 * on one core) and no warm-up. Prints {@code wall_ms} and {@code threads} as {@code gil4j-metric}
 * lines.
 */
public final class CpuBound {
  private static final String USAGE =
      "CpuBound [threads (1..1024, default 1)] [work (steps, default "
          + CpuBound.DEFAULT_WORK
          + ")], or --threads N --work STEPS --workers threads|processes --warm-up STEPS";
  private static final long DEFAULT_WORK = 600_000_000L;

  private CpuBound() {}

  public static void main(String[] argv) throws Exception {
    Args args = Args.parse("CpuBound", USAGE, argv, "threads", "work", "workers", "warm-up");
    int threads = args.intValue("threads", 1, 1, 1024);
    long work = args.longValue("work", DEFAULT_WORK, 1, 1_000_000_000_000L);
    long warmUp = args.longValue("warm-up", 0, 0, 1_000_000_000_000L);
    if (args.choice("workers", "threads", "threads", "processes").equals("processes")) {
      runOnProcesses(Math.min(threads, 64), work);
      return;
    }

    if (warmUp > 0 && sumOnThreads(threads, warmUp) != expectedChecksum(warmUp)) {
      System.err.println("CpuBound: WRONG checksum in the warm-up");
      System.exit(1);
    }
    long start = System.nanoTime();
    long checksum = sumOnThreads(threads, work);
    long end = System.nanoTime();

    double wallMs = Metrics.millis(start, end);
    System.out.printf(
        "CpuBound: %d thread(s) ran %,d steps in %.1f ms (%.1f M steps/s)%n",
        threads, work, wallMs, work / wallMs / 1e3);
    check(checksum, expectedChecksum(work));
    Metrics.print("wall_ms", wallMs, "ms");
    Metrics.print("threads", threads, "count");
  }

  /** Runs {@code work} steps shared out over {@code threads} threads: the sum of their chains. */
  private static long sumOnThreads(int threads, long work) throws InterruptedException {
    long chains = LcgChains.chains(work);
    long[] sums = new long[threads];
    Workers workers = new Workers("CpuBound");
    for (int t = 0; t < threads; t++) {
      int index = t;
      long from = chains * t / threads;
      long to = chains * (t + 1) / threads;
      workers.start("cpu-" + t, () -> sums[index] = new LcgChains().sumOfChains(from, to, work));
    }
    workers.joinAll(Duration.ofMinutes(10));
    long checksum = 0;
    for (long sum : sums) {
      checksum += sum;
    }
    return checksum;
  }

  private static void runOnProcesses(int processes, long work) throws Exception {
    LcgProcesses.Result r = LcgProcesses.run("CpuBound", processes, work);
    System.out.printf(
        "CpuBound: %d process(es) ran %,d steps in %.1f ms (%.1f M steps/s),"
            + " after %.1f ms starting their JVMs%n",
        processes, work, r.wallMs(), work / r.wallMs() / 1e3, r.startMs());
    check(r.checksum(), expectedChecksum(work));
    Metrics.print("wall_ms", r.wallMs(), "ms");
    Metrics.print("start_ms", r.startMs(), "ms");
    Metrics.print("processes", processes, "count");
  }

  private static void check(long checksum, long expected) {
    if (checksum != expected) {
      System.err.printf("CpuBound: WRONG checksum %016x, expected %016x%n", checksum, expected);
      System.exit(1);
    }
    System.out.printf("CpuBound: checksum %016x ok%n", checksum);
  }

  /**
   * The checksum computed without running the chains: {@code steps} generator steps are the affine
   * map {@code x -> a*x + c}, so the sum over chains seeded 0..n-1 is {@code a*(0+...+n-1) + n*c}
   * (all modulo 2^64), plus the shorter last chain if {@code work} is not a multiple of {@value
   * LcgChains#CHAIN}.
   */
  private static long expectedChecksum(long work) {
    long full = work / LcgChains.CHAIN;
    long rest = work % LcgChains.CHAIN;
    long[] fullMap = affinePower(LcgChains.CHAIN);
    // n*(n-1)/2 without overflow before the halving: halve whichever factor is even.
    long seeds = full % 2 == 0 ? (full / 2) * (full - 1) : full * ((full - 1) / 2);
    long sum = fullMap[0] * seeds + fullMap[1] * full;
    if (rest > 0) {
      long[] restMap = affinePower(rest);
      sum += restMap[0] * full + restMap[1];
    }
    return sum;
  }

  /** {@code {a, c}} such that {@code steps} generator steps map x to {@code a*x + c}. */
  private static long[] affinePower(long steps) {
    long a = 1;
    long c = 0;
    for (long i = 0; i < steps; i++) {
      a *= LcgChains.MULTIPLIER;
      c = c * LcgChains.MULTIPLIER + LcgChains.INCREMENT;
    }
    return new long[] {a, c};
  }
}

package dev.gil4j.samples;

import java.time.Duration;

/**
 * The same CPU-bound job on one thread, on N threads, and on N processes connected by pipes — why
 * CPython programs reach for {@code multiprocessing}.
 *
 * <p>The job is {@link CpuBound}'s: steps of a linear congruential generator whose state is an
 * object field advanced by a small method, cut into chains of {@value LcgChains#CHAIN} steps seeded
 * by their index and summed. Each step passes a method entry and a loop back-edge, where gil4j
 * places its checkpoints, as Python bytecode reaches its eval breaker. The three runs must produce
 * the same checksum; a difference ends the program with exit status 1.
 *
 * <p><b>Threads</b> share one JVM, so under {@code -javaagent:gil4j-agent.jar} they share one GIL:
 * only its holder computes, and N threads take as long as one (CPython: 0.95x with 2 threads).
 * <b>Processes</b> are separate JVMs started by {@link dev.gil4j.multiprocessing.Process}, each
 * with the same agent options and so with a GIL of its own: they compute in parallel and each sends
 * its partial sum back over its own {@link dev.gil4j.multiprocessing.Pipe}, so N processes approach
 * N times one thread on N cores. Starting a JVM costs far more than forking CPython (a few hundred
 * ms, over a second when the agent instruments it), so the children first warm the job's code (as
 * the one-thread run warmed it for the threads) and report that they are ready, and the processes'
 * time runs from the parent's "go" to the last partial sum; the start-up is reported apart, as
 * {@code procs_start_ms}. Without the agent there is no GIL: threads and processes both scale.
 *
 * <p>Usage: {@code ThreadsVsProcesses [workers] [work]} or {@code --workers N --work STEPS};
 * defaults 2 workers and {@value #DEFAULT_WORK} steps. Prints {@code one_thread_wall_ms}, {@code
 * threads_wall_ms}, {@code procs_wall_ms} (from "go" to the last result), {@code procs_start_ms},
 * {@code procs_compute_ms} (the slowest child's own computing time), {@code threads_speedup_x} and
 * {@code procs_speedup_x} (against one thread) and {@code workers} as {@code gil4j-metric} lines.
 *
 * <p>Run, from the repository root, after {@code mvn -q -o -DskipTests package -pl
 * agent,sample-apps -am}: {@code java -cp sample-apps/target/classes:agent/target/gil4j-agent.jar
 * dev.gil4j.samples.ThreadsVsProcesses 2}, then the same with {@code
 * -javaagent:agent/target/gil4j-agent.jar} first (the agent jar also carries the {@code
 * multiprocessing} classes).
 */
public final class ThreadsVsProcesses {
  private static final String USAGE =
      "ThreadsVsProcesses [workers (1..64, default 2)] [work (steps, default "
          + ThreadsVsProcesses.DEFAULT_WORK
          + ")], or --workers N --work STEPS";
  private static final long DEFAULT_WORK = 600_000_000L;
  private static final Duration TIME_LIMIT = Duration.ofMinutes(10);

  private ThreadsVsProcesses() {}

  public static void main(String[] argv) throws Exception {
    Args args = Args.parse("ThreadsVsProcesses", USAGE, argv, "workers", "work");
    int n = args.intValue("workers", 2, 1, 64);
    long work = args.longValue("work", DEFAULT_WORK, 1, 1_000_000_000_000L);
    long chains = LcgChains.chains(work);

    long start = System.nanoTime();
    long oneChecksum = new LcgChains().sumOfChains(0, chains, work);
    double oneMs = Metrics.millis(start, System.nanoTime());

    long[] sums = new long[n];
    Workers workers = new Workers("ThreadsVsProcesses");
    start = System.nanoTime();
    for (int t = 0; t < n; t++) {
      int index = t;
      long from = chains * t / n;
      long to = chains * (t + 1) / n;
      workers.start("cpu-" + t, () -> sums[index] = new LcgChains().sumOfChains(from, to, work));
    }
    workers.joinAll(TIME_LIMIT);
    double threadsMs = Metrics.millis(start, System.nanoTime());
    long threadsChecksum = 0;
    for (long sum : sums) {
      threadsChecksum += sum;
    }

    LcgProcesses.Result procs = LcgProcesses.run("ThreadsVsProcesses", n, work);
    double startMs = procs.startMs();
    double procsMs = procs.wallMs();
    long procsChecksum = procs.checksum();

    System.out.printf(
        "ThreadsVsProcesses: %,d steps: 1 thread %.1f ms; %d threads %.1f ms (%.2fx);"
            + " %d processes %.1f ms (%.2fx), after %.1f ms starting their JVMs%n",
        work, oneMs, n, threadsMs, oneMs / threadsMs, n, procsMs, oneMs / procsMs, startMs);
    if (threadsChecksum != oneChecksum || procsChecksum != oneChecksum) {
      fail(
          String.format(
              "WRONG checksum: 1 thread %016x, threads %016x, processes %016x",
              oneChecksum, threadsChecksum, procsChecksum));
    }
    System.out.printf("ThreadsVsProcesses: checksum %016x ok%n", oneChecksum);
    Metrics.print("one_thread_wall_ms", oneMs, "ms");
    Metrics.print("threads_wall_ms", threadsMs, "ms");
    Metrics.print("procs_wall_ms", procsMs, "ms");
    Metrics.print("procs_start_ms", startMs, "ms");
    Metrics.print("procs_compute_ms", procs.slowestComputeMs(), "ms");
    Metrics.print("threads_speedup_x", oneMs / threadsMs, "x");
    Metrics.print("procs_speedup_x", oneMs / procsMs, "x");
    Metrics.print("workers", n, "count");
  }

  private static void fail(String problem) {
    LcgProcesses.fail("ThreadsVsProcesses", problem);
  }
}

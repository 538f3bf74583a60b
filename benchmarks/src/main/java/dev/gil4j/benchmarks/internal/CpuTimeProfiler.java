package dev.gil4j.benchmarks.internal;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * A JMH profiler that reports the CPU time the benchmark's worker threads spent per operation, as
 * the secondary result {@value #LABEL} in ns/op.
 *
 * <p>Wall-clock time per operation counts the moments the worker was not running because other
 * processes had the CPUs; on a busy machine with few cores that dominates the difference between
 * two forks. The worker's CPU time does not count them, so two configurations measured at different
 * moments of a busy machine can still be compared. Enable it with {@code -prof
 * dev.gil4j.benchmarks.internal.CpuTimeProfiler}.
 */
public final class CpuTimeProfiler implements InternalProfiler {
  /** The name of the secondary result. */
  public static final String LABEL = "cpu";

  private static final String WORKER = "-jmh-worker-";
  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private long before;

  @Override
  public String getDescription() {
    return "CPU time of the benchmark's worker threads per operation";
  }

  @Override
  public void beforeIteration(BenchmarkParams benchmark, IterationParams iteration) {
    before = workerCpuNanos();
  }

  @Override
  public Collection<? extends Result> afterIteration(
      BenchmarkParams benchmark, IterationParams iteration, IterationResult result) {
    // All operations, not only the measured ones: the workers' CPU time also covers the operations
    // JMH runs while it synchronizes the start and end of the iteration.
    long ops = result.getMetadata().getAllOps();
    double perOp = ops == 0 ? Double.NaN : (workerCpuNanos() - before) / (double) ops;
    return List.of(new ScalarResult(LABEL, perOp, "ns/op", AggregationPolicy.AVG));
  }

  private long workerCpuNanos() {
    long sum = 0;
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().contains(WORKER)) {
        sum += Math.max(0, threads.getThreadCpuTime(t.getId()));
      }
    }
    return sum;
  }
}

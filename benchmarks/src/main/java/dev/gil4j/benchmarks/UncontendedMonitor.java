package dev.gil4j.benchmarks;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a {@code synchronized} block costs when nobody else wants its monitor, under the GIL. gil4j
 * weaves every {@code monitorenter} and {@code monitorexit} in application code for the GIL: before
 * the entry a look at the monitor's header (free: nothing more), after the exit one volatile read
 * of the count of threads blocked entering a monitor (none: nothing more), and a checkpoint after
 * the entry. One thread, so every entry finds the monitor free and no exit wakes anyone: this is
 * the fast path every uncontended {@code synchronized} block pays.
 *
 * <ul>
 *   <li>{@link #block}: {@code synchronized (monitor) { count++; }} on a monitor the state holds,
 *       so it escapes and the JIT can neither elide nor coarsen the lock.
 *   <li>{@link #blockNaive}: the control, the same block followed by the naive check (a read of a
 *       {@code static volatile boolean}), which is what the exit's read costs.
 * </ul>
 *
 * <p>Goal: under the agent within 5% of no agent. {@code bash benchmarks/run.sh gil} sets it beside
 * the other loops. Alone: {@code java -jar benchmarks/target/gil4j-benchmarks.jar
 * UncontendedMonitor}, and again with {@code -jvmArgsAppend
 * -javaagent:agent/target/gil4j-agent.jar}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 250, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 10, time = 100, timeUnit = TimeUnit.MILLISECONDS)
@Fork(1)
public class UncontendedMonitor {
  private final Object monitor = new Object();
  private int count;

  @Benchmark
  public int block() {
    synchronized (monitor) {
      return ++count;
    }
  }

  @Benchmark
  public int blockNaive() {
    int c;
    synchronized (monitor) {
      c = ++count;
    }
    if (NaiveCheckpoint.pending) {
      NaiveCheckpoint.dropAndRetake();
    }
    return c;
  }
}

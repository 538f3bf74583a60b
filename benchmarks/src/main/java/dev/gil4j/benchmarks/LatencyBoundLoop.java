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
 * A latency-bound loop, where a checkpoint looks free.
 *
 * <p>Each step of a linear congruential generator, {@code x = x * 6364136223846793005L +
 * 1442695040888963407L}, needs the result of the step before: a multiply and an add on one chain of
 * registers, about four cycles per step during which the CPU has issue slots to spare. A flag read
 * fits into those slots, so even the naive checkpoint — a volatile read at every iteration — costs
 * next to nothing here (DESIGN.md measured 1.00x on JDK 17). This is the loop to measure if you
 * want a per-iteration check to look harmless; {@link VectorizableLoops} is the one that shows what
 * it really costs.
 *
 * <ul>
 *   <li>{@link #lcg}: the baseline without the agent; under the agent, the same code as gil4j
 *       weaves it. The loop is pure local arithmetic, so gil4j strip-mines it: no check inside, one
 *       between chunks of up to 65,536 steps (here none: the loop is one chunk).
 *   <li>{@link #lcgNaive}: the control, with a hand-written volatile check at every iteration.
 * </ul>
 *
 * <p>Run with the others: {@code bash benchmarks/run.sh}; alone: {@code java -jar
 * benchmarks/target/gil4j-benchmarks.jar LatencyBoundLoop} (add {@code -jvmArgsAppend
 * -javaagent:agent/target/gil4j-agent.jar} for the agent).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 5, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Fork(1)
public class LatencyBoundLoop {
  /**
   * Fields, read into locals before the loop, not constants: with constants, JDK 25's C2 folds
   * eight unrolled steps into one multiply and one add, and the chain is no longer latency-bound.
   */
  private long multiplier = 6364136223846793005L;

  private long increment = 1442695040888963407L;
  private long seed = 42;
  private int steps = 4096;

  @Benchmark
  public long lcg() {
    return lcg(seed, multiplier, increment, steps);
  }

  @Benchmark
  public long lcgNaive() {
    return lcgNaive(seed, multiplier, increment, steps);
  }

  static long lcg(long seed, long multiplier, long increment, int steps) {
    long x = seed;
    for (int i = 0; i < steps; i++) {
      x = x * multiplier + increment;
    }
    return x;
  }

  static long lcgNaive(long seed, long multiplier, long increment, int steps) {
    long x = seed;
    for (int i = 0; i < steps; i++) {
      x = x * multiplier + increment;
      if (NaiveCheckpoint.pending) {
        NaiveCheckpoint.dropAndRetake();
      }
    }
    return x;
  }
}

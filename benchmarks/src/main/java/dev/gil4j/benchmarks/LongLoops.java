package dev.gil4j.benchmarks;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Pure loops longer than one of gil4j's chunks, where strip mining shows its price if it has one.
 *
 * <p>gil4j cuts a counted loop of pure arithmetic into chunks of up to 65,536 iterations (fewer for
 * long bodies), each a counted loop that C2 still unrolls and vectorizes, with one checkpoint
 * between chunks, so that a long loop hands the GIL over every interval. Every further chunk pays
 * C2's pre- and post-loop and the checkpoint; {@link VectorizableLoops}' 4096-element loops never
 * reach a second chunk, these do:
 *
 * <ul>
 *   <li>{@link #dot}: {@code s += a[i] * b[i]} over 2^18 ints, four chunks, vectorized.
 *   <li>{@link #add}: {@code c[i] = a[i] + b[i]} over 2^17 ints, two chunks, vectorized, its arrays
 *       (1.5 MB) in the cache, and inlined into JMH's measurement loop as into any caller that
 *       calls a kernel in a loop: the shape where the check between chunks, once C2 compiles it as
 *       a call, had C2 keep the arrays in stack slots and reload them inside the vectorized loop.
 *   <li>{@link #lcg}: the {@link LatencyBoundLoop} chain with a {@code long} counter, 2^22 steps,
 *       64 chunks.
 *   <li>{@link #chase}: a loop that is not counted — following a cycle through an {@code int[]}
 *       until it returns to its start, {@code while (p != 0)}. It cannot be strip-mined, and C2
 *       neither unrolls nor vectorizes it, so gil4j checks at its back-edge: this row is what that
 *       check costs a loop whose iterations are one dependent load each.
 * </ul>
 *
 * <p>Run with the others: {@code bash benchmarks/run.sh loops}; alone: {@code java -jar
 * benchmarks/target/gil4j-benchmarks.jar LongLoops} (add {@code -jvmArgsAppend
 * -javaagent:agent/target/gil4j-agent.jar} for the agent).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 5, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Fork(1)
public class LongLoops {
  private int[] a;
  private int[] b;
  private int[] next;
  private int[] x;
  private int[] y;
  private int[] z;
  private long multiplier = 6364136223846793005L;
  private long increment = 1442695040888963407L;
  private long steps = 1L << 22;

  @Setup
  public void fill() {
    SplittableRandom random = new SplittableRandom(42);
    a = random.ints(1 << 18).toArray();
    b = random.ints(1 << 18).toArray();
    x = random.ints(1 << 17).toArray();
    y = random.ints(1 << 17).toArray();
    z = new int[1 << 17];
    // one cycle through all 4096 slots (Sattolo's shuffle), so the chase visits each once
    next = new int[4096];
    for (int i = 0; i < next.length; i++) {
      next[i] = i;
    }
    for (int i = next.length - 1; i > 0; i--) {
      int j = random.nextInt(i);
      int t = next[i];
      next[i] = next[j];
      next[j] = t;
    }
  }

  @Benchmark
  public int dot() {
    return dot(a, b);
  }

  @Benchmark
  public int[] add() {
    add(x, y, z);
    return z;
  }

  @Benchmark
  public long lcg() {
    return lcg(42, multiplier, increment, steps);
  }

  @Benchmark
  public int chase() {
    return chase(next);
  }

  static int dot(int[] a, int[] b) {
    int s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  static void add(int[] a, int[] b, int[] c) {
    for (int i = 0; i < c.length; i++) {
      c[i] = a[i] + b[i];
    }
  }

  static long lcg(long seed, long multiplier, long increment, long steps) {
    long x = seed;
    for (long i = 0; i < steps; i++) {
      x = x * multiplier + increment;
    }
    return x;
  }

  static int chase(int[] next) {
    int p = next[0];
    int n = 1;
    while (p != 0) {
      p = next[p];
      n++;
    }
    return n;
  }
}

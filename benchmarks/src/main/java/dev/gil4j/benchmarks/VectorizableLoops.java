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
 * Array loops that C2 vectorizes, where a checkpoint in the wrong place costs 2–10x.
 *
 * <p>C2 turns a counted loop over arrays into unrolled SIMD code that handles 4 to 16 ints per
 * instruction. A volatile read inside the loop may not be hoisted, merged or reordered, so the loop
 * stays scalar: the naive checkpoint makes such loops about 2–4.5x slower on JDK 17 and 4.5–8x
 * slower on JDK 25, whose vectorizer gained more and so loses more (DESIGN.md, "What a checkpoint
 * costs the JIT", measured 2–3x and 8–10x on another loop). gil4j therefore leaves loops of pure
 * array and local arithmetic without a checkpoint inside: it strip-mines them into chunks of up to
 * 65,536 iterations, each still vectorized, with a checkpoint between chunks and none before the
 * first (these loops are one chunk: no checkpoint); the goal is no measurable cost (at most 5%).
 * {@link LongLoops} has loops of many chunks.
 *
 * <p>Four shapes, each as a baseline (without the agent), under the agent, and as the naive control
 * (without the agent):
 *
 * <ul>
 *   <li>{@link #sum}: the plain reduction {@code s += a[i]}. Not every loop that looks vectorizable
 *       is: on JDK 17 and 25 C2 leaves this one scalar (it runs as fast with {@code
 *       -XX:-UseSuperWord}), one add per cycle on one register chain, so a check costs it little.
 *       Measure before believing a loop vectorized.
 *   <li>{@link #dot}: the reduction {@code s += a[i] * b[i]}, which JDK 25 vectorizes and JDK 17
 *       does partly: the shape where a lost vectorization costs most.
 *   <li>{@link #add}: the element-wise map {@code c[i] = a[i] + b[i]}, vectorized by both.
 *   <li>{@link #add2d}: the same map over the rows of {@code int[][]}s, a pure inner loop inside a
 *       pure outer loop, both strip-mined: the inner loop spends one budget across its rows, and a
 *       row that fits in what is left of it runs the original loop, so a row costs gil4j a compare
 *       and a subtraction, not a check.
 * </ul>
 *
 * <p>The arrays (4096 ints, 16 KB each) stay in the L1/L2 cache, so the loops are bound by
 * arithmetic, not memory, which is where a lost vectorization shows. Each kernel takes its arrays
 * as parameters: a field read inside the loop would itself make it a loop that gil4j checks.
 *
 * <p>Run with the others: {@code bash benchmarks/run.sh}; alone: {@code java -jar
 * benchmarks/target/gil4j-benchmarks.jar VectorizableLoops} (add {@code -jvmArgsAppend
 * -javaagent:agent/target/gil4j-agent.jar} for the agent).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 5, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Fork(1)
public class VectorizableLoops {
  private int[] a;
  private int[] b;
  private int[] c;
  private int[][] a2;
  private int[][] b2;
  private int[][] c2;

  @Setup
  public void fill() {
    SplittableRandom random = new SplittableRandom(42);
    a = random.ints(4096).toArray();
    b = random.ints(4096).toArray();
    c = new int[4096];
    a2 = new int[16][];
    b2 = new int[16][];
    c2 = new int[16][256];
    for (int r = 0; r < 16; r++) {
      a2[r] = random.ints(256).toArray();
      b2[r] = random.ints(256).toArray();
    }
  }

  @Benchmark
  public int sum() {
    return sum(a);
  }

  @Benchmark
  public int sumNaive() {
    return sumNaive(a);
  }

  @Benchmark
  public int dot() {
    return dot(a, b);
  }

  @Benchmark
  public int dotNaive() {
    return dotNaive(a, b);
  }

  @Benchmark
  public int[] add() {
    add(a, b, c);
    return c;
  }

  @Benchmark
  public int[] addNaive() {
    addNaive(a, b, c);
    return c;
  }

  @Benchmark
  public int[][] add2d() {
    add2d(a2, b2, c2);
    return c2;
  }

  @Benchmark
  public int[][] add2dNaive() {
    add2dNaive(a2, b2, c2);
    return c2;
  }

  static int sum(int[] a) {
    int s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i];
    }
    return s;
  }

  static int sumNaive(int[] a) {
    int s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i];
      if (NaiveCheckpoint.pending) {
        NaiveCheckpoint.dropAndRetake();
      }
    }
    return s;
  }

  static int dot(int[] a, int[] b) {
    int s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  static int dotNaive(int[] a, int[] b) {
    int s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
      if (NaiveCheckpoint.pending) {
        NaiveCheckpoint.dropAndRetake();
      }
    }
    return s;
  }

  static void add(int[] a, int[] b, int[] c) {
    for (int i = 0; i < c.length; i++) {
      c[i] = a[i] + b[i];
    }
  }

  static void addNaive(int[] a, int[] b, int[] c) {
    for (int i = 0; i < c.length; i++) {
      c[i] = a[i] + b[i];
      if (NaiveCheckpoint.pending) {
        NaiveCheckpoint.dropAndRetake();
      }
    }
  }

  static void add2d(int[][] a, int[][] b, int[][] c) {
    for (int r = 0; r < c.length; r++) {
      int[] ar = a[r];
      int[] br = b[r];
      int[] cr = c[r];
      for (int i = 0; i < cr.length; i++) {
        cr[i] = ar[i] + br[i];
      }
    }
  }

  static void add2dNaive(int[][] a, int[][] b, int[][] c) {
    for (int r = 0; r < c.length; r++) {
      int[] ar = a[r];
      int[] br = b[r];
      int[] cr = c[r];
      for (int i = 0; i < cr.length; i++) {
        cr[i] = ar[i] + br[i];
        if (NaiveCheckpoint.pending) {
          NaiveCheckpoint.dropAndRetake();
        }
      }
      if (NaiveCheckpoint.pending) {
        NaiveCheckpoint.dropAndRetake();
      }
    }
  }
}

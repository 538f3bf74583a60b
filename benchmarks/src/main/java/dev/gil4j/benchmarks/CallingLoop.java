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
 * A loop that calls a method per iteration keeps its checkpoint, at a price.
 *
 * <p>Ordinary application loops walk objects and call small methods: here, the total of {@code
 * item.price()} over an array of items. Such a loop may be waiting on another thread (a spin on a
 * volatile or an atomic is one), so gil4j must check in it, or a spinning thread would keep the GIL
 * from the thread it waits for. It is not vectorizable anyway — every element is a separate object
 * — so the check costs a load and a branch per iteration, not a lost vectorization. The getter
 * calls nothing, so gil4j gives it no entry check; after inlining, the loop carries one read of the
 * breaker per iteration, the same as the naive control.
 *
 * <p>What that read costs depends on whether the check has ever fired. While its flag has never
 * been set, C2 compiles the slow path as an uncommon trap, and this loop costs about 1.2–1.3x,
 * gil4j and naive alike. Once the flag has been set a few times, C2 compiles the slow path as a
 * real branch and the loop costs about 1.85x, again gil4j and naive alike (measured outside JMH on
 * JDK 17 and 25: 1390 ns without a check; 1770 and 1800 ns with one that never fired; 2570 ns with
 * one that fired every 100 ms). Under the agent, JMH's forked {@code main} thread takes the GIL
 * back at the end of every iteration, so gil4j's check has fired and shows the higher figure; the
 * naive control never fires and shows the lower one. The higher one is what an application with
 * more than one thread pays.
 *
 * <ul>
 *   <li>{@link #total}: the baseline without the agent; under the agent, gil4j's checkpoint at the
 *       back-edge.
 *   <li>{@link #totalNaive}: the control, with a hand-written volatile check at every iteration.
 * </ul>
 *
 * <p>Run with the others: {@code bash benchmarks/run.sh}; alone: {@code java -jar
 * benchmarks/target/gil4j-benchmarks.jar CallingLoop} (add {@code -jvmArgsAppend
 * -javaagent:agent/target/gil4j-agent.jar} for the agent).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 5, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Fork(1)
public class CallingLoop {
  /** A plain value object with a getter, as application code is full of. */
  static final class Item {
    private final int price;

    Item(int price) {
      this.price = price;
    }

    int price() {
      return price;
    }
  }

  private Item[] items;

  @Setup
  public void fill() {
    SplittableRandom random = new SplittableRandom(42);
    items = new Item[4096];
    for (int i = 0; i < items.length; i++) {
      items[i] = new Item(random.nextInt(1000));
    }
  }

  @Benchmark
  public long total() {
    return total(items);
  }

  @Benchmark
  public long totalNaive() {
    return totalNaive(items);
  }

  static long total(Item[] items) {
    long total = 0;
    for (int i = 0; i < items.length; i++) {
      total += items[i].price();
    }
    return total;
  }

  static long totalNaive(Item[] items) {
    long total = 0;
    for (int i = 0; i < items.length; i++) {
      total += items[i].price();
      if (NaiveCheckpoint.pending) {
        NaiveCheckpoint.dropAndRetake();
      }
    }
    return total;
  }
}

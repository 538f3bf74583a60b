package dev.gil4j.benchmarks;

import dev.gil4j.profiler.locks.ProfiledReentrantLock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
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
 * What gil4j's profiling adds to an uncontended {@code lock(); unlock()}: the JDK's {@link
 * ReentrantLock} beside {@link ProfiledReentrantLock}, the drop-in gil4j's agent constructs instead
 * wherever an application class says {@code new ReentrantLock()}. An uncontended acquire is not
 * timed: the drop-in adds a branch to the lock and a field read to the unlock.
 *
 * <ul>
 *   <li>{@link #reentrantLock}: {@code new ReentrantLock()} in this class. Without the agent, the
 *       JDK's lock; under it ({@code gil=off}, profiling on by default), the swapped-in drop-in.
 *       With {@code -Dgil4j.bench.expectSwapped=true} the fork fails unless the swap took place, so
 *       that a figure under the agent never measures the JDK's lock by mistake.
 *   <li>{@link #profiledReentrantLock}: the drop-in constructed directly, without the agent.
 * </ul>
 *
 * <p>Run: {@code bash benchmarks/run.sh overhead}; alone: {@code java -jar
 * benchmarks/target/gil4j-benchmarks.jar SwappedLock} (add {@code -jvmArgsAppend
 * "-javaagent:agent/target/gil4j-agent.jar=gil=off -Dgil4j.bench.expectSwapped=true"}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 250, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 10, time = 100, timeUnit = TimeUnit.MILLISECONDS)
@Fork(1)
public class SwappedLock {
  /** The system property that makes a fork fail unless the agent swapped the lock. */
  static final String EXPECT_SWAPPED = "gil4j.bench.expectSwapped";

  private final ReentrantLock lock = new ReentrantLock();
  private final ReentrantLock profiled = new ProfiledReentrantLock(SwappedLock.class.getName());

  @Setup
  public void checkSwap() {
    if (Boolean.getBoolean(EXPECT_SWAPPED) && lock.getClass() == ReentrantLock.class) {
      throw new IllegalStateException(
          "-D" + EXPECT_SWAPPED + "=true, but the agent left new ReentrantLock() alone");
    }
  }

  @Benchmark
  public void reentrantLock() {
    lock.lock();
    lock.unlock();
  }

  @Benchmark
  public void profiledReentrantLock() {
    profiled.lock();
    profiled.unlock();
  }
}

package dev.gil4j.benchmarks;

import dev.gil4j.threading.Event;
import dev.gil4j.threading.Lock;
import dev.gil4j.threading.RLock;
import dev.gil4j.threading.Semaphore;
import java.util.concurrent.CountDownLatch;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What Python's primitives in {@code dev.gil4j.threading} cost when nobody else wants them, beside
 * the {@code java.util.concurrent} classes a Java programmer would use instead. One thread, so
 * every acquire succeeds at once: this is the fast path, one compare-and-set and no clock read.
 *
 * <p>Pairs, gil4j first:
 *
 * <ul>
 *   <li>{@link #lock} / {@link #reentrantLock}: {@code Lock.acquire(); release()} — {@code
 *       ReentrantLock.lock(); unlock()}. Goal: within 2x.
 *   <li>{@link #rlock} / {@link #reentrantLock}: the same on {@code RLock}.
 *   <li>{@link #rlockReentered} / {@link #reentrantLockReentered}: one more level on a lock the
 *       thread already holds: a re-entry writes the count, with no compare-and-set.
 *   <li>{@link #semaphore} / {@link #jucSemaphore}: {@code acquire(); release()} on a semaphore of
 *       one permit.
 *   <li>{@link #eventSetClear} / {@link #volatileSetClear}: {@code Event.set(); clear(); isSet()} —
 *       two volatile writes and a read of a plain {@code volatile boolean}, which is what an event
 *       without waiters is.
 *   <li>{@link #eventWaitSet} / {@link #latchAwaitOpen}: waiting for an event that is already set —
 *       {@code await()} on a {@code CountDownLatch} already at zero.
 * </ul>
 *
 * <p>CPython's figures for the same operations come from {@code benchmarks/threading_bench.py};
 * {@code bash benchmarks/run.sh threading} sets them side by side. Alone: {@code java -jar
 * benchmarks/target/gil4j-benchmarks.jar UncontendedPrimitives}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 250, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 10, time = 100, timeUnit = TimeUnit.MILLISECONDS)
@Fork(1)
public class UncontendedPrimitives {
  private final Lock lock = new Lock();
  private final RLock rlock = new RLock();
  private final RLock rlockHeld = new RLock();
  private final Semaphore semaphore = new Semaphore(1);
  private final Event event = new Event();
  private final Event eventSet = new Event();

  private final ReentrantLock reentrantLock = new ReentrantLock();
  private final ReentrantLock reentrantLockHeld = new ReentrantLock();
  private final java.util.concurrent.Semaphore jucSemaphore = new java.util.concurrent.Semaphore(1);
  private volatile boolean flag;
  private final CountDownLatch open = new CountDownLatch(0);

  /**
   * Takes the outer level of the two held locks. A thread-scoped state is set up by the thread that
   * runs the benchmark, so the holder is the thread that re-enters.
   */
  @Setup
  public void holdOuterLevel() {
    rlockHeld.acquire();
    reentrantLockHeld.lock();
    eventSet.set();
  }

  /** Fails the run if the outer level was taken by another thread than the benchmark's. */
  @TearDown
  public void releaseOuterLevel() {
    if (rlockHeld.recursionCount() != 1 || reentrantLockHeld.getHoldCount() != 1) {
      throw new IllegalStateException("the benchmark thread does not hold the outer level");
    }
    rlockHeld.release();
    reentrantLockHeld.unlock();
  }

  @Benchmark
  public void lock() {
    lock.acquire();
    lock.release();
  }

  @Benchmark
  public void reentrantLock() {
    reentrantLock.lock();
    reentrantLock.unlock();
  }

  @Benchmark
  public void rlock() {
    rlock.acquire();
    rlock.release();
  }

  @Benchmark
  public void rlockReentered() {
    rlockHeld.acquire();
    rlockHeld.release();
  }

  @Benchmark
  public void reentrantLockReentered() {
    reentrantLockHeld.lock();
    reentrantLockHeld.unlock();
  }

  @Benchmark
  public void semaphore() {
    semaphore.acquire();
    semaphore.release();
  }

  @Benchmark
  public void jucSemaphore() throws InterruptedException {
    jucSemaphore.acquire();
    jucSemaphore.release();
  }

  @Benchmark
  public boolean eventSetClear() {
    event.set();
    event.clear();
    return event.isSet();
  }

  @Benchmark
  public boolean volatileSetClear() {
    flag = true;
    flag = false;
    return flag;
  }

  @Benchmark
  public boolean eventWaitSet() {
    return eventSet.await();
  }

  @Benchmark
  public void latchAwaitOpen() throws InterruptedException {
    open.await();
  }
}

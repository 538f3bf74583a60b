package dev.gil4j.threading;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Each misuse throws the Java counterpart of CPython 3.12's exception with CPython's message:
 * {@code ValueError} is {@link IllegalArgumentException}, {@code OverflowError} {@link
 * ArithmeticException}, the {@code RuntimeError} of lock misuse {@link
 * IllegalMonitorStateException}.
 */
class PythonErrorsTest extends BaseTestCase {
  private static void raises(Class<? extends Throwable> type, String message, Executable call) {
    assertEquals(message, assertThrows(type, call).getMessage());
  }

  @Test
  void lockMisuse() {
    Lock lock = new Lock();
    raises(IllegalMonitorStateException.class, "release unlocked lock", lock::release);
    raises(
        IllegalArgumentException.class,
        "can't specify a timeout for a non-blocking call",
        () -> lock.acquire(false, 1));
    raises(
        IllegalArgumentException.class, "timeout value must be positive", () -> lock.acquire(-1.5));
    raises(
        IllegalArgumentException.class,
        "Invalid value NaN (not a number)",
        () -> lock.acquire(Double.NaN));
    raises(ArithmeticException.class, "timeout value is too large", () -> lock.acquire(1e100));
  }

  @Test
  void rlockMisuse() {
    RLock rlock = new RLock();
    raises(IllegalMonitorStateException.class, "cannot release un-acquired lock", rlock::release);
    rlock.acquire();
    // Arguments are checked before ownership, as CPython does.
    raises(
        IllegalArgumentException.class,
        "can't specify a timeout for a non-blocking call",
        () -> rlock.acquire(false, 1));
    raises(
        IllegalArgumentException.class, "timeout value must be positive", () -> rlock.acquire(-2));
  }

  @Test
  void conditionMisuse() {
    Condition cond = new Condition();
    raises(IllegalMonitorStateException.class, "cannot wait on un-acquired lock", cond::await);
    raises(
        IllegalMonitorStateException.class,
        "cannot wait on un-acquired lock",
        () -> cond.awaitFor(() -> false, 1));
    raises(IllegalMonitorStateException.class, "cannot notify on un-acquired lock", cond::signal);
    raises(
        IllegalMonitorStateException.class, "cannot notify on un-acquired lock", cond::signalAll);
  }

  @Test
  void semaphoreMisuse() {
    raises(
        IllegalArgumentException.class,
        "semaphore initial value must be >= 0",
        () -> new Semaphore(-1));
    raises(
        IllegalArgumentException.class,
        "semaphore initial value must be >= 0",
        () -> new BoundedSemaphore(-1));
    Semaphore sem = new Semaphore(2);
    raises(
        IllegalArgumentException.class,
        "can't specify timeout for non-blocking acquire",
        () -> sem.acquire(false, 1));
    raises(IllegalArgumentException.class, "n must be one or more", () -> sem.release(0));
    BoundedSemaphore bounded = new BoundedSemaphore(2);
    bounded.acquire();
    raises(
        IllegalArgumentException.class,
        "Semaphore released too many times",
        () -> bounded.release(2));
    // A failed over-release changes nothing.
    bounded.release();
    raises(IllegalArgumentException.class, "Semaphore released too many times", bounded::release);
  }

  @Test
  void barrierMisuse() {
    raises(IllegalArgumentException.class, "parties must be > 0", () -> new Barrier(0));
    Barrier barrier = new Barrier(2);
    barrier.abort();
    assertThrows(BrokenBarrierError.class, barrier::await);
  }
}

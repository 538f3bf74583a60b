package dev.gil4j.threading;

/**
 * Python's lock protocol — {@code acquire(blocking=True, timeout=-1)}, {@code release()} and {@code
 * with} — shared by {@link Lock}, {@link RLock}, {@link Condition} and {@link Semaphore}. A {@link
 * Condition} can be built on any {@code Acquirable}, as a Python condition can be built on any
 * object with {@code acquire} and {@code release}.
 *
 * <p><b>Timeouts</b> are in seconds; {@code -1} means "wait as long as it takes" (Python's default,
 * and {@code None} for a semaphore). A timeout together with {@code blocking == false} is an error.
 * Each class states its own rules for other negative values, following CPython.
 *
 * <p><b>Blocking and interruption.</b> A blocking acquire first tries without blocking; only if
 * that fails does it release the GIL (under the gil4j agent) and wait, and it re-takes the GIL
 * before returning — CPython's {@code acquire_timed}. Waiting is not interruptible: a {@link
 * Thread#interrupt()} neither ends nor aborts it, and the thread's interrupt status is set again
 * when the method returns, so that the caller can still see it. Python has no thread interruption;
 * this keeps Python-style code free of {@link InterruptedException}.
 */
public interface Acquirable {
  /** Blocks until acquired; returns {@code true}. Python: {@code acquire()}. */
  boolean acquire();

  /**
   * Python: {@code acquire(blocking)}. Without blocking, returns at once whether it acquired;
   * blocking, waits until it does and returns {@code true}.
   */
  boolean acquire(boolean blocking);

  /**
   * Python: {@code acquire(timeout=timeout)}. Waits at most {@code timeout} seconds ({@code -1}:
   * forever); returns whether it acquired.
   */
  boolean acquire(double timeout);

  /**
   * Python: {@code acquire(blocking, timeout)}.
   *
   * @throws IllegalArgumentException if {@code blocking} is false and {@code timeout} is not {@code
   *     -1}, or {@code timeout} is NaN
   * @throws ArithmeticException if {@code timeout} exceeds {@link Lock#TIMEOUT_MAX}
   */
  boolean acquire(boolean blocking, double timeout);

  /** Python: {@code release()}. */
  void release();

  /**
   * Acquires (blocking) and returns what releases on {@link Held#close()}: Python's {@code
   * __enter__}, for try-with-resources.
   */
  Held enter();
}

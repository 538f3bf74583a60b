package dev.gil4j.threading;

/**
 * Python's timeout arguments, in seconds as a {@code double}, turned into nanoseconds once per
 * call. Python's {@code None} ("wait forever") is written {@code -1}, which is also what {@code
 * _thread.lock.acquire} itself uses.
 */
final class Timeouts {
  /** Python's {@code threading.TIMEOUT_MAX} on 64-bit Linux: the largest timeout in seconds. */
  static final double TIMEOUT_MAX = 9223372036.0;

  /** The nanosecond value meaning "no timeout: wait until it succeeds". */
  static final long FOREVER = -1;

  private Timeouts() {}

  /**
   * The rules of {@code _thread.lock.acquire(blocking, timeout)}: returns {@link #FOREVER}, 0 for a
   * single try, or a positive number of nanoseconds.
   */
  static long forLock(boolean blocking, double timeout) {
    // CPython converts the number first (NaN, overflow), then checks the combination.
    if (Double.isNaN(timeout)) {
      throw new IllegalArgumentException("Invalid value NaN (not a number)");
    }
    if (Math.abs(timeout) > TIMEOUT_MAX) {
      throw new ArithmeticException("timeout value is too large");
    }
    if (!blocking) {
      if (timeout != -1) {
        throw new IllegalArgumentException("can't specify a timeout for a non-blocking call");
      }
      return 0;
    }
    if (timeout == -1) {
      return FOREVER;
    }
    if (timeout < 0) {
      throw new IllegalArgumentException("timeout value must be positive");
    }
    return nanos(timeout);
  }

  /**
   * The rules of Python-level waits ({@code Condition.wait}, {@code Event.wait}, {@code
   * Semaphore.acquire}, {@code Barrier.wait}): {@code -1} waits forever, any other value {@code <=
   * 0} does not wait at all.
   */
  static long forWait(double timeout) {
    if (Double.isNaN(timeout)) {
      throw new IllegalArgumentException("Invalid value NaN (not a number)");
    }
    if (timeout > TIMEOUT_MAX) {
      throw new ArithmeticException("timeout value is too large");
    }
    if (timeout == -1) {
      return FOREVER;
    }
    return timeout > 0 ? nanos(timeout) : 0;
  }

  /** Rounded up, as CPython rounds timeouts: a positive timeout never becomes "do not wait". */
  private static long nanos(double seconds) {
    return Math.max(1, (long) Math.ceil(seconds * 1e9));
  }
}

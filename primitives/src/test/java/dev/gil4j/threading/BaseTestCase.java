package dev.gil4j.threading;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Timeout;

/**
 * CPython's {@code lock_tests.BaseTestCase} and the {@code test.support} helpers its tests use.
 * Timing assertions are CPython's own and deliberately coarse (0.6x to 10x), so that they hold on a
 * noisy two-core machine and under the gil4j agent. A hung test fails after a minute; it runs in a
 * thread of its own because the primitives' waits are not interruptible.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
abstract class BaseTestCase {
  /** {@code support.SHORT_TIMEOUT}: "this never takes that long", in seconds. */
  static final double SHORT_TIMEOUT = 30.0;

  /** {@code support.LONG_TIMEOUT}, in seconds. */
  static final double LONG_TIMEOUT = 300.0;

  /** {@code time.monotonic()}, in seconds. */
  static double monotonic() {
    return System.nanoTime() / 1e9;
  }

  static void sleep(double seconds) {
    try {
      Thread.sleep((long) (seconds * 1000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** {@code lock_tests.wait_threads_blocked}: an arbitrary sleep while n threads block. */
  static void waitThreadsBlocked(int nthread) {
    sleep(0.010 * nthread);
  }

  /**
   * {@code support.sleeping_retry(SHORT_TIMEOUT)}: polls {@code done}, sleeping 10 ms doubling up
   * to 1 s, and fails if it is still false after {@link #SHORT_TIMEOUT}.
   */
  static void sleepingRetry(BooleanSupplier done) {
    double deadline = monotonic() + SHORT_TIMEOUT;
    double delay = 0.010;
    while (!done.getAsBoolean()) {
      if (monotonic() > deadline) {
        fail("timeout (" + SHORT_TIMEOUT + " seconds)");
      }
      sleep(delay);
      delay = Math.min(delay * 2, 1.0);
    }
  }

  /** {@code _thread.start_new_thread}. */
  static Thread startNewThread(Runnable task) {
    Thread t = new Thread(task, "lock-tests");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** {@code threading_helper.wait_threads_exit}, for one thread. */
  static void waitThreadExit(Thread t) {
    try {
      t.join((long) (SHORT_TIMEOUT * 1000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
    assertTrue(!t.isAlive(), "thread " + t + " did not exit");
  }

  /** {@code lock_tests.BaseTestCase.assertTimeout}. */
  static void assertTimeout(double actual, double expected) {
    // The waiting and the clock can be imprecise; only check that nothing insane happened.
    assertTrue(actual >= expected * 0.6, actual + " < " + expected + " * 0.6");
    assertTrue(actual < expected * 10.0, actual + " >= " + expected + " * 10");
  }
}

package dev.gil4j.threading;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@link Timer}, after CPython's {@code test_threading.TimerTests} (whose one test, {@code
 * test_init_immutable_default_args}, is about Python's mutable default {@code args} and {@code
 * kwargs}, which a {@code Runnable} does not have) and {@code threading.Timer}'s documented
 * behaviour.
 */
class TimerTests extends BaseTestCase {
  @Test
  void theFunctionRunsOnceAfterTheInterval() {
    AtomicInteger calls = new AtomicInteger();
    Timer timer = new Timer(0.05, calls::incrementAndGet);
    double t = monotonic();
    timer.start();
    assertTrue(timer.finished().await(SHORT_TIMEOUT));
    double dt = monotonic() - t;
    waitThreadExit(timer);
    assertEquals(1, calls.get());
    assertTimeout(dt, 0.05);
  }

  @Test
  void aCancelledTimerNeverRunsItsFunction() {
    AtomicInteger calls = new AtomicInteger();
    Timer timer = new Timer(0.5, calls::incrementAndGet);
    timer.start();
    timer.cancel();
    double t = monotonic();
    waitThreadExit(timer);
    assertTrue(monotonic() - t < 0.5, "cancel did not end the wait");
    assertEquals(0, calls.get());
    assertTrue(timer.finished().isSet());
  }

  @Test
  void aNegativeIntervalRunsAtOnce() {
    AtomicInteger calls = new AtomicInteger();
    Timer timer = new Timer(-1, calls::incrementAndGet);
    timer.start();
    waitThreadExit(timer);
    assertEquals(1, calls.get());
  }

  @Test
  void aThrowingFunctionLeavesTheTimerUnfinished() {
    Timer timer =
        new Timer(
            0,
            () -> {
              throw new IllegalStateException("expected by the test");
            });
    timer.setUncaughtExceptionHandler((t, e) -> {});
    timer.start();
    waitThreadExit(timer);
    assertFalse(timer.finished().isSet());
  }
}

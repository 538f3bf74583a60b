package dev.gil4j.threading;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
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
    assertTrue(timer.join(SHORT_TIMEOUT), "the timer did not end");
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
    assertTrue(timer.join(SHORT_TIMEOUT), "the timer did not end");
    assertTrue(monotonic() - t < 0.5, "cancel did not end the wait");
    assertEquals(0, calls.get());
    assertTrue(timer.finished().isSet());
  }

  @Test
  void aNegativeIntervalRunsAtOnce() {
    AtomicInteger calls = new AtomicInteger();
    Timer timer = new Timer(-1, calls::incrementAndGet);
    timer.start();
    assertTrue(timer.join(SHORT_TIMEOUT), "the timer did not end");
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
    assertTrue(timer.join(SHORT_TIMEOUT), "the timer did not end");
    assertFalse(timer.finished().isSet());
  }

  @Test
  void joinTakesSecondsLikeEveryOtherTimeout() {
    Timer timer = new Timer(SHORT_TIMEOUT, () -> {});
    timer.start();
    double t = monotonic();
    assertFalse(timer.join(0.2));
    assertTimeout(monotonic() - t, 0.2);
    timer.cancel();
    assertTrue(timer.join(SHORT_TIMEOUT));
    assertFalse(timer.isAlive());
  }

  @Test
  void startingTwiceIsPythonsRuntimeError() {
    Timer timer = new Timer(0, () -> {});
    timer.start();
    IllegalMonitorStateException e = assertThrows(IllegalMonitorStateException.class, timer::start);
    assertEquals("threads can only be started once", e.getMessage());
    assertTrue(timer.join(SHORT_TIMEOUT));
  }

  @Test
  void joiningBeforeStartIsPythonsRuntimeError() {
    Timer timer = new Timer(0, () -> {});
    IllegalMonitorStateException e = assertThrows(IllegalMonitorStateException.class, timer::join);
    assertEquals("cannot join thread before it is started", e.getMessage());
    assertThrows(IllegalMonitorStateException.class, () -> timer.join(1));
  }

  @Test
  void theFunctionCannotJoinItsOwnTimer() {
    AtomicReference<Timer> self = new AtomicReference<>();
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Timer timer =
        new Timer(
            0,
            () -> {
              try {
                self.get().join();
              } catch (IllegalMonitorStateException e) {
                thrown.set(e);
              }
            });
    self.set(timer);
    timer.start();
    assertTrue(timer.join(SHORT_TIMEOUT));
    assertEquals("cannot join current thread", thrown.get().getMessage());
  }

  @Test
  void daemonStatusIsFixedAtStart() {
    Timer timer = new Timer(0, () -> {});
    timer.setDaemon(true);
    assertTrue(timer.isDaemon());
    timer.start();
    assertThrows(IllegalMonitorStateException.class, () -> timer.setDaemon(false));
    assertTrue(timer.join(SHORT_TIMEOUT));
  }
}

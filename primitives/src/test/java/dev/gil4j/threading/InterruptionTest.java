package dev.gil4j.threading;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Java interrupts, which Python does not have: no wait is interrupted, and the interrupt is still
 * pending when the wait ends.
 */
class InterruptionTest extends BaseTestCase {
  /** What {@code waitFor} returned, and whether the thread was interrupted after it returned. */
  private static List<Boolean> interruptWhileWaiting(BooleanSupplier waitFor, Runnable unblock) {
    List<Boolean> outcome = new CopyOnWriteArrayList<>();
    Thread t =
        startNewThread(
            () -> {
              outcome.add(waitFor.getAsBoolean());
              outcome.add(Thread.currentThread().isInterrupted());
            });
    waitThreadsBlocked(5);
    t.interrupt();
    waitThreadsBlocked(5);
    assertTrue(outcome.isEmpty(), "the interrupt ended the wait");
    unblock.run();
    waitThreadExit(t);
    return outcome;
  }

  @Test
  void anInterruptedAcquireKeepsWaitingAndKeepsTheInterrupt() {
    Lock lock = new Lock();
    lock.acquire();
    assertEquals(List.of(true, true), interruptWhileWaiting(lock::acquire, lock::release));
  }

  @Test
  void anInterruptedTimedAcquireKeepsWaitingAndKeepsTheInterrupt() {
    RLock rlock = new RLock();
    rlock.acquire();
    assertEquals(
        List.of(true, true),
        interruptWhileWaiting(() -> rlock.acquire(LONG_TIMEOUT), rlock::release));
  }

  @Test
  void anInterruptedSemaphoreEventAndConditionKeepWaiting() {
    Semaphore sem = new Semaphore(0);
    assertEquals(
        List.of(true, true), interruptWhileWaiting(() -> sem.acquire(LONG_TIMEOUT), sem::release));

    Event event = new Event();
    assertEquals(List.of(true, true), interruptWhileWaiting(event::await, event::set));

    Condition cond = new Condition();
    List<Boolean> outcome =
        interruptWhileWaiting(
            () -> {
              cond.acquire();
              try {
                return cond.await(LONG_TIMEOUT);
              } finally {
                cond.release();
              }
            },
            () -> {
              cond.acquire();
              cond.signal();
              cond.release();
            });
    assertEquals(List.of(true, true), outcome);
  }

  @Test
  void anInterruptedTimedWaitStillWaitsItsWholeTimeout() {
    Thread.currentThread().interrupt();
    double t = monotonic();
    boolean set = new Event().await(0.2);
    double dt = monotonic() - t;
    assertTrue(Thread.interrupted());
    assertFalse(set);
    assertTimeout(dt, 0.2);
  }
}

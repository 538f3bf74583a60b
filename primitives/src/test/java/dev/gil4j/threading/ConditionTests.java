package dev.gil4j.threading;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * CPython's {@code lock_tests.ConditionTests}, run on {@link Condition}: Python's {@code wait},
 * {@code wait_for}, {@code notify} and {@code notify_all} are {@code await}, {@code awaitFor},
 * {@code signal} and {@code signalAll}; its {@code RuntimeError} is {@link
 * IllegalMonitorStateException}.
 */
class ConditionTests extends BaseTestCase {
  /** One of CPython's {@code (result, phase_num)} tuples. */
  record Woken(boolean result, int phase) {}

  @Test
  @SuppressWarnings("try")
  void testAcquire() {
    Condition cond = new Condition();
    // By default we have an RLock: the condition can be acquired multiple times.
    cond.acquire();
    cond.acquire();
    cond.release();
    cond.release();
    Lock lock = new Lock();
    cond = new Condition(lock);
    cond.acquire();
    assertFalse(lock.acquire(false));
    cond.release();
    assertTrue(lock.acquire(false));
    assertFalse(cond.acquire(false));
    lock.release();
    try (Held held = cond.enter()) {
      assertFalse(lock.acquire(false));
    }
  }

  @Test
  void testUnacquiredWait() {
    Condition cond = new Condition();
    assertThrows(IllegalMonitorStateException.class, cond::await);
  }

  @Test
  void testUnacquiredNotify() {
    Condition cond = new Condition();
    assertThrows(IllegalMonitorStateException.class, cond::signal);
  }

  @SuppressWarnings("try")
  private void checkNotify(Condition cond) {
    // This test assumes that condition variables are not subject to spurious wakeups, and that
    // notify() wakes the longest waiting threads first, as CPython's implementation does.
    List<Integer> ready = new CopyOnWriteArrayList<>();
    List<Woken> results1 = new CopyOnWriteArrayList<>();
    List<Woken> results2 = new CopyOnWriteArrayList<>();
    AtomicInteger phaseNum = new AtomicInteger(0);
    Bunch.Task f =
        () -> {
          cond.acquire();
          ready.add(phaseNum.get());
          boolean result = cond.await();

          cond.release();
          results1.add(new Woken(result, phaseNum.get()));

          cond.acquire();
          ready.add(phaseNum.get());

          result = cond.await();
          cond.release();
          results2.add(new Woken(result, phaseNum.get()));
        };

    int n = 5;
    try (Bunch bunch = new Bunch(f, n)) {
      // first wait, to ensure all workers settle into cond.wait() before
      // we continue. See issues #8799 and #30727.
      sleepingRetry(() -> ready.size() >= n);

      ready.clear();
      assertEquals(List.of(), results1);

      // Notify 3 threads at first
      int count1 = 3;
      cond.acquire();
      cond.signal(count1);
      waitThreadsBlocked(count1);

      // Phase 1
      phaseNum.set(1);
      cond.release();
      sleepingRetry(() -> results1.size() >= count1);

      assertEquals(Collections.nCopies(count1, new Woken(true, 1)), results1);
      assertEquals(List.of(), results2);

      // Wait until awaken workers are blocked on cond.wait()
      sleepingRetry(() -> ready.size() >= count1);

      // Notify 5 threads: they might be in their first or second wait
      cond.acquire();
      cond.signal(5);
      waitThreadsBlocked(n);

      // Phase 2
      phaseNum.set(2);
      cond.release();
      sleepingRetry(() -> results1.size() + results2.size() >= n + count1);

      int count2 = n - count1;
      assertEquals(concat(count1, new Woken(true, 1), count2, new Woken(true, 2)), results1);
      assertEquals(Collections.nCopies(count1, new Woken(true, 2)), results2);

      // Make sure all workers settle into cond.wait()
      sleepingRetry(() -> ready.size() >= n);

      // Notify all threads: they are all in their second wait
      cond.acquire();
      cond.signalAll();
      waitThreadsBlocked(n);

      // Phase 3
      phaseNum.set(3);
      cond.release();
      sleepingRetry(() -> results2.size() >= n);
      assertEquals(concat(count1, new Woken(true, 1), count2, new Woken(true, 2)), results1);
      assertEquals(concat(count1, new Woken(true, 2), count2, new Woken(true, 3)), results2);
    }
  }

  private static List<Woken> concat(int n1, Woken w1, int n2, Woken w2) {
    List<Woken> all = new ArrayList<>(Collections.nCopies(n1, w1));
    all.addAll(Collections.nCopies(n2, w2));
    return all;
  }

  @Test
  void testNotify() {
    Condition cond = new Condition();
    checkNotify(cond);
    // A second time, to check internal state is still ok.
    checkNotify(cond);
  }

  @Test
  void testTimeout() {
    Condition cond = new Condition();
    double timeout = 0.5;
    List<Object[]> results = new CopyOnWriteArrayList<>();
    Bunch.Task f =
        () -> {
          cond.acquire();
          double t1 = monotonic();
          boolean result = cond.await(timeout);
          double t2 = monotonic();
          cond.release();
          results.add(new Object[] {t2 - t1, result});
        };
    int n = 5;
    new Bunch(f, n).close();
    assertEquals(n, results.size());
    for (Object[] dtResult : results) {
      assertTimeout((Double) dtResult[0], timeout);
      // In practice, this implementation has no spurious wakeups.
      assertFalse((Boolean) dtResult[1]);
    }
  }

  @Test
  @SuppressWarnings("try")
  void testWaitfor() {
    Condition cond = new Condition();
    AtomicInteger state = new AtomicInteger(0);
    Bunch.Task f =
        () -> {
          try (Held held = cond.enter()) {
            boolean result = cond.awaitFor(() -> state.get() == 4);
            assertTrue(result);
            assertEquals(4, state.get());
          }
        };
    try (Bunch bunch = new Bunch(f, 1)) {
      for (int i = 0; i < 4; i++) {
        sleep(0.010);
        try (Held held = cond.enter()) {
          state.incrementAndGet();
          cond.signal();
        }
      }
    }
  }

  @Test
  @SuppressWarnings("try")
  void testWaitforTimeout() {
    Condition cond = new Condition();
    AtomicInteger state = new AtomicInteger(0);
    List<Boolean> success = new CopyOnWriteArrayList<>();
    Bunch.Task f =
        () -> {
          try (Held held = cond.enter()) {
            double dt = monotonic();
            boolean result = cond.awaitFor(() -> state.get() == 4, 0.1);
            dt = monotonic() - dt;
            assertFalse(result);
            assertTimeout(dt, 0.1);
            success.add(true);
          }
        };
    try (Bunch bunch = new Bunch(f, 1)) {
      // Only increment 3 times, so state == 4 is never reached.
      for (int i = 0; i < 3; i++) {
        sleep(0.010);
        try (Held held = cond.enter()) {
          state.incrementAndGet();
          cond.signal();
        }
      }
    }
    assertEquals(1, success.size());
  }
}

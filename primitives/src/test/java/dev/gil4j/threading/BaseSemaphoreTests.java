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
 * CPython's {@code lock_tests.BaseSemaphoreTests}: common tests for bounded and unbounded
 * semaphores. Python's {@code ValueError} is {@link IllegalArgumentException}.
 */
abstract class BaseSemaphoreTests extends BaseTestCase {
  /** CPython's {@code self.semtype(value)}. */
  abstract Semaphore newSemaphore(int value);

  /** CPython's {@code self.semtype()}. */
  abstract Semaphore newSemaphore();

  @Test
  void testConstructor() {
    assertThrows(IllegalArgumentException.class, () -> newSemaphore(-1));
    assertThrows(IllegalArgumentException.class, () -> newSemaphore(-Integer.MAX_VALUE));
  }

  @Test
  void testAcquire() {
    Semaphore sem = newSemaphore(1);
    sem.acquire();
    sem.release();
    sem = newSemaphore(2);
    sem.acquire();
    sem.acquire();
    sem.release();
    sem.release();
  }

  @Test
  void testAcquireDestroy() {
    Semaphore sem = newSemaphore();
    sem.acquire();
  }

  private static List<Integer> sorted(List<Integer> a, List<Integer> b) {
    List<Integer> all = new ArrayList<>(a);
    all.addAll(b);
    Collections.sort(all);
    return all;
  }

  private static List<Integer> phases(int... counts) {
    List<Integer> all = new ArrayList<>();
    for (int phase = 0; phase < counts.length; phase++) {
      all.addAll(Collections.nCopies(counts[phase], phase));
    }
    return all;
  }

  @Test
  void testAcquireContended() {
    int semValue = 7;
    Semaphore sem = newSemaphore(semValue);
    sem.acquire();

    List<Boolean> semResults = new CopyOnWriteArrayList<>();
    List<Integer> results1 = new CopyOnWriteArrayList<>();
    List<Integer> results2 = new CopyOnWriteArrayList<>();
    AtomicInteger phaseNum = new AtomicInteger(0);

    Bunch.Task func =
        () -> {
          semResults.add(sem.acquire());
          results1.add(phaseNum.get());

          semResults.add(sem.acquire());
          results2.add(phaseNum.get());
        };

    int n = 10;
    int count1 = semValue - 1;
    int count2 = semValue;
    int count3 = semValue - 1;
    int count4 = 1;
    try (Bunch bunch = new Bunch(func, n)) {
      // Phase 0
      sleepingRetry(() -> results1.size() + results2.size() >= count1);
      assertEquals(phases(count1), sorted(results1, results2), bunch.started.toString());

      // Phase 1
      phaseNum.set(1);
      for (int i = 0; i < semValue; i++) {
        sem.release();
      }
      sleepingRetry(() -> results1.size() + results2.size() >= count1 + count2);
      assertEquals(phases(count1, count2), sorted(results1, results2));

      // Phase 2
      phaseNum.set(2);
      for (int i = 0; i < count3; i++) {
        sem.release();
      }
      sleepingRetry(() -> results1.size() + results2.size() >= count1 + count2 + count3);
      assertEquals(phases(count1, count2, count3), sorted(results1, results2));
      // The semaphore is still locked
      assertFalse(sem.acquire(false));

      // Final release, to let the last thread finish
      sem.release();
    }
    assertEquals(Collections.nCopies(count1 + count2 + count3 + count4, true), semResults);
  }

  @Test
  void testMultirelease() {
    int semValue = 7;
    Semaphore sem = newSemaphore(semValue);
    sem.acquire();

    List<Integer> results1 = new CopyOnWriteArrayList<>();
    List<Integer> results2 = new CopyOnWriteArrayList<>();
    AtomicInteger phaseNum = new AtomicInteger(0);
    Bunch.Task func =
        () -> {
          sem.acquire();
          results1.add(phaseNum.get());

          sem.acquire();
          results2.add(phaseNum.get());
        };

    int count1 = semValue - 1;
    int count2 = semValue;
    int count3 = semValue - 1;
    try (Bunch bunch = new Bunch(func, 10)) {
      // Phase 0
      sleepingRetry(() -> results1.size() + results2.size() >= count1);
      assertEquals(phases(count1), sorted(results1, results2), bunch.started.toString());

      // Phase 1
      phaseNum.set(1);
      sem.release(count2);
      sleepingRetry(() -> results1.size() + results2.size() >= count1 + count2);
      assertEquals(phases(count1, count2), sorted(results1, results2));

      // Phase 2
      phaseNum.set(2);
      sem.release(count3);
      sleepingRetry(() -> results1.size() + results2.size() >= count1 + count2 + count3);
      assertEquals(phases(count1, count2, count3), sorted(results1, results2));
      // The semaphore is still locked
      assertFalse(sem.acquire(false));

      // Final release, to let the last thread finish
      sem.release();
    }
  }

  @Test
  void testTryAcquire() {
    Semaphore sem = newSemaphore(2);
    assertTrue(sem.acquire(false));
    assertTrue(sem.acquire(false));
    assertFalse(sem.acquire(false));
    sem.release();
    assertTrue(sem.acquire(false));
  }

  @Test
  void testTryAcquireContended() {
    Semaphore sem = newSemaphore(4);
    sem.acquire();
    List<Boolean> results = new CopyOnWriteArrayList<>();
    Bunch.Task f =
        () -> {
          results.add(sem.acquire(false));
          results.add(sem.acquire(false));
        };
    new Bunch(f, 5).close();
    // There can be a thread switch between acquiring the semaphore and
    // appending the result, therefore results will not necessarily be ordered.
    List<Boolean> expected = new ArrayList<>(Collections.nCopies(7, false));
    expected.addAll(Collections.nCopies(3, true));
    List<Boolean> actual = new ArrayList<>(results);
    Collections.sort(actual);
    assertEquals(expected, actual);
  }

  @Test
  void testAcquireTimeout() {
    Semaphore sem = newSemaphore(2);
    assertThrows(IllegalArgumentException.class, () -> sem.acquire(false, 1.0));
    assertTrue(sem.acquire(0.005));
    assertTrue(sem.acquire(0.005));
    assertFalse(sem.acquire(0.005));
    sem.release();
    assertTrue(sem.acquire(0.005));
    double t = monotonic();
    assertFalse(sem.acquire(0.5));
    double dt = monotonic() - t;
    assertTimeout(dt, 0.5);
  }

  @Test
  void testDefaultValue() {
    // The default initial value is 1.
    Semaphore sem = newSemaphore();
    sem.acquire();
    Bunch.Task f =
        () -> {
          sem.acquire();
          sem.release();
        };
    try (Bunch bunch = new Bunch(f, 1)) {
      // Thread blocked on sem.acquire()
      waitThreadsBlocked(1);
      assertTrue(bunch.finished.isEmpty());
      // Thread unblocked
      sem.release();
    }
  }

  @SuppressWarnings("try")
  private void with(Semaphore sem, RuntimeException err) {
    try (Held outer = sem.enter()) {
      assertTrue(sem.acquire(false));
      sem.release();
      try (Held inner = sem.enter()) {
        assertFalse(sem.acquire(false));
        if (err != null) {
          throw err;
        }
      }
    }
  }

  @Test
  void testWith() {
    Semaphore sem = newSemaphore(2);
    with(sem, null);
    assertTrue(sem.acquire(false));
    sem.release();
    assertThrows(IllegalStateException.class, () -> with(sem, new IllegalStateException()));
    assertTrue(sem.acquire(false));
    sem.release();
  }
}

package dev.gil4j.threading;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.WeakReference;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * CPython's {@code lock_tests.BaseLockTests}: tests for both recursive and non-recursive locks,
 * each named as in CPython ({@code test_acquire_contended} is {@link #testAcquireContended}).
 */
abstract class BaseLockTests extends BaseTestCase {
  /** CPython's {@code self.locktype()}. */
  abstract Acquirable newLock();

  void waitPhase(List<?> phase, int expected) {
    sleepingRetry(() -> phase.size() >= expected);
    assertEquals(expected, phase.size());
  }

  /**
   * {@code assertRegex}: a search, as Python's. Where CPython's pattern reads {@code \w+\.Event} (a
   * module name, {@code threading}), the ports read {@code [\w.]+\.Event}: a Java class name has
   * dots in it.
   */
  static void assertRegex(String text, String regex) {
    assertTrue(Pattern.compile(regex).matcher(text).find(), text + " !~ " + regex);
  }

  @Test
  void testConstructor() {
    assertNotNull(newLock());
  }

  @Test
  void testRepr() {
    Acquirable lock = newLock();
    assertRegex(lock.toString(), "<unlocked .* object (.*)?at .*>");
  }

  @Test
  void testLockedRepr() {
    Acquirable lock = newLock();
    lock.acquire();
    assertRegex(lock.toString(), "<locked .* object (.*)?at .*>");
  }

  @Test
  void testAcquireDestroy() {
    Acquirable lock = newLock();
    lock.acquire();
  }

  @Test
  void testAcquireRelease() {
    Acquirable lock = newLock();
    lock.acquire();
    lock.release();
  }

  @Test
  void testTryAcquire() {
    Acquirable lock = newLock();
    assertTrue(lock.acquire(false));
    lock.release();
  }

  @Test
  void testTryAcquireContended() {
    Acquirable lock = newLock();
    lock.acquire();
    List<Boolean> result = new CopyOnWriteArrayList<>();
    new Bunch(() -> result.add(lock.acquire(false)), 1).close();
    assertFalse(result.get(0));
    lock.release();
  }

  @Test
  void testAcquireContended() {
    Acquirable lock = newLock();
    lock.acquire();
    Bunch.Task f =
        () -> {
          lock.acquire();
          lock.release();
        };
    int n = 5;
    Bunch bunch = new Bunch(f, n);
    try (bunch) {
      // Threads block on lock.acquire()
      waitThreadsBlocked(n);
      assertEquals(0, bunch.finished.size());
      // Threads unblocked
      lock.release();
    }
    assertEquals(n, bunch.finished.size());
  }

  @Test
  @SuppressWarnings("try")
  void testWith() {
    Acquirable lock = newLock();
    Bunch.Task f =
        () -> {
          lock.acquire();
          lock.release();
        };
    // Acquire the lock, do nothing, with releases the lock
    try (Held held = lock.enter()) {
      // nothing
    }
    // Check that the lock is unacquired
    new Bunch(f, 1).close();
    // Acquire the lock, raise an exception, with releases the lock
    assertThrows(
        IllegalStateException.class,
        () -> {
          try (Held held = lock.enter()) {
            throw new IllegalStateException();
          }
        });
    // Check that the lock is unacquired even if after an exception
    // was raised in the previous "with lock:" block
    new Bunch(f, 1).close();
  }

  @Test
  void testThreadLeak() {
    // The lock shouldn't leak a Thread instance when used from a foreign thread.
    Acquirable lock = newLock();
    Bunch.Task f =
        () -> {
          lock.acquire();
          lock.release();
        };
    // We run many threads in the hope that existing threads ids won't be recycled.
    new Bunch(f, 15).close();
  }

  @Test
  void testTimeout() {
    Acquirable lock = newLock();
    // Can't set timeout if not blocking
    assertThrows(IllegalArgumentException.class, () -> lock.acquire(false, 1));
    // Invalid timeout values
    assertThrows(IllegalArgumentException.class, () -> lock.acquire(-100));
    assertThrows(ArithmeticException.class, () -> lock.acquire(1e100));
    assertThrows(ArithmeticException.class, () -> lock.acquire(Lock.TIMEOUT_MAX + 1));
    // TIMEOUT_MAX is ok
    lock.acquire(Lock.TIMEOUT_MAX);
    lock.release();
    double t1 = monotonic();
    assertTrue(lock.acquire(5));
    double t2 = monotonic();
    // Just a sanity test that it didn't actually wait for the timeout.
    assertTrue(t2 - t1 < 5);
    List<Object> results = new CopyOnWriteArrayList<>();
    Bunch.Task f =
        () -> {
          double start = monotonic();
          results.add(lock.acquire(0.5));
          results.add(monotonic() - start);
        };
    new Bunch(f, 1).close();
    assertFalse((Boolean) results.get(0));
    assertTimeout((Double) results.get(1), 0.5);
  }

  @Test
  void testWeakrefExists() {
    Acquirable lock = newLock();
    WeakReference<Acquirable> ref = new WeakReference<>(lock);
    assertNotNull(ref.get());
  }

  @Test
  void testWeakrefDeleted() {
    WeakReference<Acquirable> ref = new WeakReference<>(newLock());
    // The JVM collects when it likes; a few full collections make it like to.
    for (int i = 0; i < 20 && ref.get() != null; i++) {
      System.gc();
      sleep(0.010);
    }
    assertNull(ref.get());
  }
}

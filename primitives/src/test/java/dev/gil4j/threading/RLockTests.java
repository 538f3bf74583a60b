package dev.gil4j.threading;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * CPython's {@code lock_tests.RLockTests}, run on {@link RLock}. Python's {@code RuntimeError} is
 * {@link IllegalMonitorStateException}; {@code _is_owned()} and {@code _recursion_count()} are
 * {@link RLock#isOwned()} and {@link RLock#recursionCount()}. Not ported: {@code
 * test_release_save_unacquired} ({@code _release_save} is the private protocol between an RLock and
 * its Condition, package-private here; see primitives/README.md).
 */
class RLockTests extends BaseLockTests {
  @Override
  RLock newLock() {
    return new RLock();
  }

  @Test
  void testReacquire() {
    RLock lock = newLock();
    lock.acquire();
    lock.acquire();
    lock.release();
    lock.acquire();
    lock.release();
    lock.release();
  }

  @Test
  void testReleaseUnacquired() {
    // Cannot release an unacquired lock
    RLock lock = newLock();
    assertThrows(IllegalMonitorStateException.class, lock::release);
    lock.acquire();
    lock.acquire();
    lock.release();
    lock.acquire();
    lock.release();
    lock.release();
    assertThrows(IllegalMonitorStateException.class, lock::release);
  }

  @Test
  void testRecursionCount() {
    RLock lock = newLock();
    assertEquals(0, lock.recursionCount());
    lock.acquire();
    assertEquals(1, lock.recursionCount());
    lock.acquire();
    lock.acquire();
    assertEquals(3, lock.recursionCount());
    lock.release();
    assertEquals(2, lock.recursionCount());
    lock.release();
    lock.release();
    assertEquals(0, lock.recursionCount());

    List<Boolean> phase = new CopyOnWriteArrayList<>();
    Thread t =
        startNewThread(
            () -> {
              lock.acquire();
              phase.add(true);
              waitPhase(phase, 2);
              lock.release();
              phase.add(true);
            });
    // Thread blocked on lock.acquire()
    waitPhase(phase, 1);
    assertEquals(0, lock.recursionCount());
    // Thread unblocked
    phase.add(true);
    waitPhase(phase, 3);
    assertEquals(0, lock.recursionCount());
    waitThreadExit(t);
  }

  @Test
  void testDifferentThread() {
    // Cannot release from a different thread
    RLock lock = newLock();
    Bunch bunch = new Bunch(lock::acquire, 1, true);
    try (bunch) {
      try {
        assertThrows(IllegalMonitorStateException.class, lock::release);
      } finally {
        bunch.doFinish();
      }
    }
  }

  @Test
  void testIsOwned() {
    RLock lock = newLock();
    assertFalse(lock.isOwned());
    lock.acquire();
    assertTrue(lock.isOwned());
    lock.acquire();
    assertTrue(lock.isOwned());
    List<Boolean> result = new CopyOnWriteArrayList<>();
    new Bunch(() -> result.add(lock.isOwned()), 1).close();
    assertFalse(result.get(0));
    lock.release();
    assertTrue(lock.isOwned());
    lock.release();
    assertFalse(lock.isOwned());
  }
}

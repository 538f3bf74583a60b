package dev.gil4j.threading;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * CPython's {@code lock_tests.LockTests}, run on {@link Lock}: tests for non-recursive locks, which
 * can be acquired and released from different threads. Not ported: {@code test_at_fork_reinit}
 * (there is no fork in a JVM).
 */
class LockTests extends BaseLockTests {
  @Override
  Lock newLock() {
    return new Lock();
  }

  @Test
  void testReacquire() {
    // Lock needs to be released before re-acquiring.
    Lock lock = newLock();
    List<Boolean> phase = new CopyOnWriteArrayList<>();
    Thread t =
        startNewThread(
            () -> {
              lock.acquire();
              phase.add(true);
              lock.acquire();
              phase.add(true);
            });
    // Thread blocked on lock.acquire()
    waitPhase(phase, 1);
    // Thread unblocked
    lock.release();
    waitPhase(phase, 2);
    waitThreadExit(t);
  }

  @Test
  void testDifferentThread() {
    // Lock can be released from a different thread.
    Lock lock = newLock();
    lock.acquire();
    new Bunch(lock::release, 1).close();
    lock.acquire();
    lock.release();
  }

  @Test
  void testStateAfterTimeout() {
    // Issue #11618: check that lock is in a proper state after a (non-zero) timeout.
    Lock lock = newLock();
    lock.acquire();
    assertFalse(lock.acquire(0.01));
    lock.release();
    assertFalse(lock.locked());
    assertTrue(lock.acquire(false));
  }
}

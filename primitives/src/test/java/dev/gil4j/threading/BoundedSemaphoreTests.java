package dev.gil4j.threading;

import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * CPython's {@code lock_tests.BoundedSemaphoreTests}, run on {@link BoundedSemaphore}. Python's
 * {@code ValueError} is {@link IllegalArgumentException}.
 */
class BoundedSemaphoreTests extends BaseSemaphoreTests {
  @Override
  Semaphore newSemaphore(int value) {
    return new BoundedSemaphore(value);
  }

  @Override
  Semaphore newSemaphore() {
    return new BoundedSemaphore();
  }

  @Test
  void testReleaseUnacquired() {
    // Cannot go past the initial value
    Semaphore sem = newSemaphore();
    assertThrows(IllegalArgumentException.class, sem::release);
    sem.acquire();
    sem.release();
    assertThrows(IllegalArgumentException.class, sem::release);
  }

  @Test
  void testRepr() {
    Semaphore sem = newSemaphore(3);
    BaseLockTests.assertRegex(sem.toString(), "<[\\w.]+\\.BoundedSemaphore at .*: value=3/3>");
    sem.acquire();
    BaseLockTests.assertRegex(sem.toString(), "<[\\w.]+\\.BoundedSemaphore at .*: value=2/3>");
  }
}

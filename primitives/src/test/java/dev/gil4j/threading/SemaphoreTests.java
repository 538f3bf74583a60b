package dev.gil4j.threading;

import org.junit.jupiter.api.Test;

/** CPython's {@code lock_tests.SemaphoreTests}, run on {@link Semaphore}: unbounded semaphores. */
class SemaphoreTests extends BaseSemaphoreTests {
  @Override
  Semaphore newSemaphore(int value) {
    return new Semaphore(value);
  }

  @Override
  Semaphore newSemaphore() {
    return new Semaphore();
  }

  @Test
  void testReleaseUnacquired() {
    // Unbounded releases are allowed and increment the semaphore's value
    Semaphore sem = newSemaphore(1);
    sem.release();
    sem.acquire();
    sem.acquire();
    sem.release();
  }

  @Test
  void testRepr() {
    Semaphore sem = newSemaphore(3);
    BaseLockTests.assertRegex(sem.toString(), "<[\\w.]+\\.Semaphore at .*: value=3>");
    sem.acquire();
    BaseLockTests.assertRegex(sem.toString(), "<[\\w.]+\\.Semaphore at .*: value=2>");
    sem.release();
    sem.release();
    BaseLockTests.assertRegex(sem.toString(), "<[\\w.]+\\.Semaphore at .*: value=4>");
  }
}

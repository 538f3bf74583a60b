package dev.gil4j.threading;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * CPython's {@code lock_tests.BarrierTests}, run on {@link Barrier}; Python's {@code wait} is
 * {@code await}, {@code n_waiting} is {@code nWaiting()}. {@link #testConstructor} is CPython
 * 3.13's (3.12 did not check {@code parties}).
 */
class BarrierTests extends BaseTestCase {
  static final int N = 5;
  static final double DEFAULT_TIMEOUT = 2.0;

  private Barrier barrier;

  @BeforeEach
  void setUp() {
    barrier = new Barrier(N, null, DEFAULT_TIMEOUT);
  }

  @AfterEach
  void tearDown() {
    barrier.abort();
  }

  private void runThreads(Bunch.Task f) {
    new Bunch(f, N).close();
  }

  private void multipass(List<List<Boolean>> results, int n) {
    int m = barrier.parties();
    assertEquals(N, m);
    for (int i = 0; i < n; i++) {
      results.get(0).add(true);
      assertEquals(i * m, results.get(1).size());
      barrier.await();
      results.get(1).add(true);
      assertEquals((i + 1) * m, results.get(0).size());
      barrier.await();
    }
    assertEquals(0, barrier.nWaiting());
    assertFalse(barrier.broken());
  }

  @Test
  void testConstructor() {
    assertThrows(IllegalArgumentException.class, () -> new Barrier(0));
    assertThrows(IllegalArgumentException.class, () -> new Barrier(-1));
  }

  /** Test that a barrier is passed in lockstep. */
  private void barrier(int passes) {
    List<List<Boolean>> results =
        List.of(new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>());
    runThreads(() -> multipass(results, passes));
  }

  @Test
  void testBarrier() {
    barrier(1);
  }

  /** Test that a barrier works for 10 consecutive runs. */
  @Test
  void testBarrier10() {
    barrier(10);
  }

  /** Test the return value from barrier.wait. */
  @Test
  void testWaitReturn() {
    List<Integer> results = new CopyOnWriteArrayList<>();
    runThreads(() -> results.add(barrier.await()));
    assertEquals(N * (N - 1) / 2, results.stream().mapToInt(Integer::intValue).sum());
  }

  /** Test the 'action' callback. */
  @Test
  void testAction() {
    List<Boolean> results = new CopyOnWriteArrayList<>();
    Barrier barrier = new Barrier(N, () -> results.add(true));
    runThreads(
        () -> {
          barrier.await();
          assertEquals(1, results.size());
        });
  }

  /** Test that an abort will put the barrier in a broken state. */
  @Test
  void testAbort() {
    List<Boolean> results1 = new CopyOnWriteArrayList<>();
    List<Boolean> results2 = new CopyOnWriteArrayList<>();
    runThreads(
        () -> {
          try {
            int i = barrier.await();
            if (i == N / 2) {
              throw new IllegalStateException();
            }
            barrier.await();
            results1.add(true);
          } catch (BrokenBarrierError e) {
            results2.add(true);
          } catch (IllegalStateException e) {
            barrier.abort();
          }
        });
    assertEquals(0, results1.size());
    assertEquals(N - 1, results2.size());
    assertTrue(barrier.broken());
  }

  /** Test that a 'reset' on a barrier frees the waiting threads. */
  @Test
  void testReset() {
    List<Boolean> results1 = new CopyOnWriteArrayList<>();
    List<Boolean> results2 = new CopyOnWriteArrayList<>();
    List<Boolean> results3 = new CopyOnWriteArrayList<>();
    runThreads(
        () -> {
          int i = barrier.await();
          if (i == N / 2) {
            // Wait until the other threads are all in the barrier.
            sleepingRetry(() -> barrier.nWaiting() >= N - 1);
            barrier.reset();
          } else {
            try {
              barrier.await();
              results1.add(true);
            } catch (BrokenBarrierError e) {
              results2.add(true);
            }
          }
          // Now, pass the barrier again
          barrier.await();
          results3.add(true);
        });
    assertEquals(0, results1.size());
    assertEquals(N - 1, results2.size());
    assertEquals(N, results3.size());
  }

  /** Test that a barrier can be reset after being broken. */
  @Test
  void testAbortAndReset() {
    List<Boolean> results1 = new CopyOnWriteArrayList<>();
    List<Boolean> results2 = new CopyOnWriteArrayList<>();
    List<Boolean> results3 = new CopyOnWriteArrayList<>();
    Barrier barrier2 = new Barrier(N);
    runThreads(
        () -> {
          try {
            int i = barrier.await();
            if (i == N / 2) {
              throw new IllegalStateException();
            }
            barrier.await();
            results1.add(true);
          } catch (BrokenBarrierError e) {
            results2.add(true);
          } catch (IllegalStateException e) {
            barrier.abort();
          }
          // Synchronize and reset the barrier.  Must synchronize first so
          // that everyone has left it when we reset, and after so that no
          // one enters it before the reset.
          if (barrier2.await() == N / 2) {
            barrier.reset();
          }
          barrier2.await();
          barrier.await();
          results3.add(true);
        });
    assertEquals(0, results1.size());
    assertEquals(N - 1, results2.size());
    assertEquals(N, results3.size());
  }

  /** Test wait(timeout). */
  @Test
  void testTimeout() {
    runThreads(
        () -> {
          int i = barrier.await();
          if (i == N / 2) {
            // One thread is late!
            sleep(DEFAULT_TIMEOUT / 2);
          }
          // Default timeout is 2.0, so this is shorter.
          assertThrows(BrokenBarrierError.class, () -> barrier.await(DEFAULT_TIMEOUT / 4));
        });
  }

  /** Test the barrier's default timeout. */
  @Test
  void testDefaultTimeout() {
    double timeout = 0.100;
    Barrier barrier = new Barrier(2, null, timeout);
    double startTime = monotonic();
    new Bunch(() -> assertThrows(BrokenBarrierError.class, barrier::await), 1).close();
    double dt = monotonic() - startTime;
    assertTrue(dt >= timeout, dt + " < " + timeout);
  }

  @Test
  void testSingleThread() {
    Barrier b = new Barrier(1);
    b.await();
    b.await();
  }

  @Test
  void testRepr() {
    Barrier barrier = new Barrier(3);
    double timeout = LONG_TIMEOUT;
    BaseLockTests.assertRegex(barrier.toString(), "<[\\w.]+\\.Barrier at .*: waiters=0/3>");
    int n = 2;
    try (Bunch bunch = new Bunch(() -> barrier.await(timeout), n)) {
      // Threads blocked on barrier.wait()
      sleepingRetry(() -> barrier.nWaiting() >= n);
      BaseLockTests.assertRegex(barrier.toString(), "<[\\w.]+\\.Barrier at .*: waiters=2/3>");
      // Threads unblocked
      barrier.await(timeout);
      assertEquals(n, bunch.started.size());
    }
    BaseLockTests.assertRegex(barrier.toString(), "<[\\w.]+\\.Barrier at .*: waiters=0/3>");
    // Abort the barrier
    barrier.abort();
    BaseLockTests.assertRegex(barrier.toString(), "<[\\w.]+\\.Barrier at .*: broken>");
  }
}

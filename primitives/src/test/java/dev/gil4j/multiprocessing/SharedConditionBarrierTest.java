package dev.gil4j.multiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gil4j.profiler.ContentionRecorder;
import dev.gil4j.threading.BrokenBarrierError;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The cross-process {@link Condition} and {@link Barrier}, after CPython's {@code
 * Lib/test/lock_tests.py} ConditionTests and BarrierTests with the waiters in child JVMs: each case
 * names the cases it ports. Children report over a {@link Queue}; timing bounds are coarse.
 */
@ExtendWith(Children.NoneLeftBehind.class)
class SharedConditionBarrierTest {
  private static final Duration LIMIT = Duration.ofSeconds(120);

  private static void awaitAll(List<Process> children) throws InterruptedException {
    for (Process p : children) {
      Children.awaitEnd(p, LIMIT);
      assertEquals(0, p.exitCode(), p + " failed");
    }
  }

  /**
   * ConditionTests: test_acquire, test_unacquired_wait, test_unacquired_notify, test_notify (one
   * waiter woken by notify(1), the rest by notify_all, in order of waiting) with waiters in two
   * processes; and the waits recorded at the condition's line.
   */
  @Test
  void notifyWakesWaitersInOtherProcessesOneThenAll() throws Exception {
    Children.within(
        LIMIT,
        () -> {
          Condition cond = new Condition();
          Queue<String> out = new Queue<>();
          assertTrue(cond.acquire());
          assertTrue(cond.acquire(false), "the default lock is an RLock: re-acquired at once");
          cond.release();
          cond.release();
          assertEquals(
              "cannot wait on un-acquired lock",
              assertThrows(IllegalMonitorStateException.class, () -> cond.await(0.01))
                  .getMessage());
          assertEquals(
              "cannot notify on un-acquired lock",
              assertThrows(IllegalMonitorStateException.class, cond::signal).getMessage());
          List<Process> children = new ArrayList<>();
          for (int i = 0; i < 2; i++) {
            int me = i;
            Process p =
                new Process(
                    () -> {
                      try {
                        cond.await(1);
                        out.put("waited without the lock");
                      } catch (IllegalMonitorStateException e) {
                        out.put(me + " " + e.getMessage());
                      }
                      cond.acquire();
                      out.put(me + " waiting");
                      boolean signalled = cond.await(60);
                      cond.release();
                      out.put(me + " woke " + signalled);
                    });
            p.start();
            children.add(p);
            List<String> got = List.of(out.get(60), out.get(60));
            assertEquals(List.of(me + " cannot wait on un-acquired lock", me + " waiting"), got);
          }
          Thread.sleep(300);
          assertTrue(out.empty(), "nobody woke without a signal");
          cond.acquire();
          cond.signal();
          cond.release();
          assertEquals("0 woke true", out.get(30), "the longest-waiting child first");
          Thread.sleep(300);
          assertTrue(out.empty(), "notify(1) woke one");
          cond.acquire();
          cond.signalAll();
          cond.release();
          assertEquals("1 woke true", out.get(30));
          awaitAll(children);
          assertTrue(
              ContentionRecorder.snapshot().stream()
                  .anyMatch(
                      s ->
                          s.kind().equals("Condition")
                              && s.name()
                                  .startsWith(
                                      "dev.gil4j.multiprocessing.SharedConditionBarrierTest.")
                              && s.waits().getTotalCount() >= 2),
              "the children's waits recorded at the condition's line in the creating process: "
                  + ContentionRecorder.snapshot());
        });
  }

  /**
   * ConditionTests: test_timeout (a wait that times out returns false, having waited), test_waitfor
   * and test_waitfor_timeout, over a plain Lock, with the state a predicate reads in a shared
   * Event; the waiter in a child, the notifier the parent.
   */
  @Test
  void waitForTimesOutThenSeesAPredicateMadeTrueByAnotherProcess() throws Exception {
    Children.within(
        LIMIT,
        () -> {
          Lock lock = new Lock();
          Condition cond = new Condition(lock);
          Event state = new Event();
          Queue<String> out = new Queue<>();
          Process p =
              new Process(
                  () -> {
                    cond.acquire();
                    long start = System.nanoTime();
                    boolean signalled = cond.await(0.2);
                    double waited = (System.nanoTime() - start) / 1e9;
                    out.put("timeout " + signalled + " " + (waited >= 0.15));
                    start = System.nanoTime();
                    boolean result = cond.awaitFor(() -> isSet(state), 0.2);
                    waited = (System.nanoTime() - start) / 1e9;
                    out.put("wait_for timeout " + result + " " + (waited >= 0.15));
                    out.put("waiting");
                    result = cond.awaitFor(() -> isSet(state), 60);
                    out.put("wait_for " + result);
                    cond.release();
                  });
          p.start();
          assertEquals("timeout false true", out.get(60));
          assertEquals("wait_for timeout false true", out.get(30));
          assertEquals("waiting", out.get(30));
          Thread.sleep(200);
          cond.acquire();
          cond.signal();
          cond.release();
          Thread.sleep(300);
          assertTrue(out.empty(), "signalled, but the predicate is still false");
          cond.acquire();
          state.set();
          cond.signalAll();
          cond.release();
          assertEquals("wait_for true", out.get(30));
          awaitAll(List.of(p));
          assertTrue(lock.acquire(false), "the child released the lock on its way out");
          lock.release();
        });
  }

  private static boolean isSet(Event e) {
    try {
      return e.isSet();
    } catch (java.io.IOException x) {
      throw new java.io.UncheckedIOException(x);
    }
  }

  /**
   * BarrierTests: test_barrier (several passes), test_wait_return (one index each, 0..n-1),
   * test_action (run once per pass, before anyone leaves), with two parties in child processes and
   * one in the parent; n_waiting while the others wait.
   */
  @Test
  void partiesInThreeProcessesPassTogetherAndTheActionRunsOncePerRound() throws Exception {
    Children.within(
        LIMIT,
        () -> {
          AtomicInteger actions = new AtomicInteger();
          Barrier barrier = new Barrier(3, actions::incrementAndGet);
          Queue<String> out = new Queue<>();
          List<Process> children = new ArrayList<>();
          for (int i = 0; i < 2; i++) {
            Process p =
                new Process(
                    () -> {
                      for (int round = 0; round < 3; round++) {
                        out.put(round + " " + barrier.await(60));
                      }
                    });
            p.start();
            children.add(p);
          }
          long deadline = System.nanoTime() + 60_000_000_000L;
          while (barrier.nWaiting() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(20);
          }
          assertEquals(2, barrier.nWaiting(), "both children wait in the first round");
          assertEquals(0, actions.get());
          List<Integer> indices = new ArrayList<>();
          for (int round = 0; round < 3; round++) {
            indices.add(barrier.await(60));
            assertEquals(round + 1, actions.get(), "the action ran before anyone left");
            for (int i = 0; i < 2; i++) {
              String[] r = out.get(30).split(" ");
              assertEquals(round, Integer.parseInt(r[0]), "rounds do not mix");
              indices.add(Integer.parseInt(r[1]));
            }
          }
          for (int round = 0; round < 3; round++) {
            List<Integer> mine = new ArrayList<>(indices.subList(round * 3, round * 3 + 3));
            mine.sort(null);
            assertEquals(List.of(0, 1, 2), mine, "one index each in round " + round);
          }
          awaitAll(children);
          assertEquals(3, barrier.parties());
          assertFalse(barrier.broken());
        });
  }

  /**
   * BarrierTests: test_abort (waiters in another process get BrokenBarrierError, later waits too),
   * test_reset (the barrier is usable again), test_timeout and test_default_timeout (a wait that
   * times out breaks it for everyone).
   */
  @Test
  void abortTimeoutAndResetBreakWaitersInOtherProcesses() throws Exception {
    Children.within(
        LIMIT,
        () -> {
          Barrier barrier = new Barrier(3, null, 0.5);
          Queue<String> out = new Queue<>();
          Process p =
              new Process(
                  () -> {
                    out.put(outcome(barrier, 60));
                    out.put("broken " + barrier.broken());
                    out.put(outcome(barrier, 60));
                    barrier.reset();
                    out.put("reset, broken " + barrier.broken());
                    out.put(outcome(barrier, -1));
                  });
          p.start();
          long deadline = System.nanoTime() + 60_000_000_000L;
          while (barrier.nWaiting() < 1 && System.nanoTime() < deadline) {
            Thread.sleep(20);
          }
          barrier.abort();
          assertEquals("BrokenBarrierError", out.get(30));
          assertEquals("broken true", out.get(30));
          assertEquals("BrokenBarrierError", out.get(30), "a later wait fails at once");
          assertEquals("reset, broken false", out.get(30));
          long start = System.nanoTime();
          assertThrows(BrokenBarrierError.class, () -> barrier.await(-1));
          double waited = (System.nanoTime() - start) / 1e9;
          assertTrue(waited < 30, "the default timeout, or the child's, ended the wait: " + waited);
          assertEquals("BrokenBarrierError", out.get(30), "the timeout broke it for everyone");
          assertTrue(barrier.broken());
          awaitAll(List.of(p));
        });
  }

  /** BarrierTests: test_single_thread, in a child: a barrier of one party passes at once. */
  @Test
  void aBarrierOfOnePartyPassesAtOnceInAChild() throws Exception {
    Children.within(
        LIMIT,
        () -> {
          Barrier barrier = new Barrier(1);
          Queue<String> out = new Queue<>();
          Process p = new Process(() -> out.put(outcome(barrier, 30) + " " + outcome(barrier, 30)));
          p.start();
          assertEquals("passed 0 passed 0", out.get(60));
          awaitAll(List.of(p));
        });
  }

  /**
   * BarrierTests: test_abort_and_reset, its three parties in three processes: the middle index of
   * the first pass aborts the barrier, the other two see it broken; all meet at a second barrier,
   * one resets the first, and all pass it again.
   */
  @Test
  void aBrokenBarrierIsResetAndPassedAgainByPartiesInThreeProcesses() throws Exception {
    Children.within(
        LIMIT,
        () -> {
          Barrier barrier = new Barrier(3);
          Barrier meet = new Barrier(3);
          Queue<String> out = new Queue<>();
          List<Process> children = new ArrayList<>();
          for (int i = 0; i < 2; i++) {
            Process p = new Process(() -> abortAndReset(barrier, meet, out));
            p.start();
            children.add(p);
          }
          abortAndReset(barrier, meet, out);
          List<String> results = new ArrayList<>();
          for (int i = 0; i < 6; i++) {
            results.add(out.get(60));
          }
          results.sort(null);
          assertEquals(
              List.of("aborted", "broken", "broken", "passed", "passed", "passed"), results);
          awaitAll(children);
        });
  }

  /** One party of test_abort_and_reset's {@code f}: its outcome, then its pass after the reset. */
  private static void abortAndReset(Barrier barrier, Barrier meet, Queue<String> out)
      throws java.io.IOException {
    try {
      if (barrier.await(60) == 1) {
        barrier.abort();
        out.put("aborted");
      } else {
        barrier.await(60);
        out.put("passed the second wait");
      }
    } catch (BrokenBarrierError e) {
      out.put("broken");
    }
    if (meet.await(60) == 1) {
      barrier.reset();
    }
    meet.await(60);
    barrier.await(60);
    out.put("passed");
  }

  private static String outcome(Barrier b, double timeout) throws java.io.IOException {
    try {
      return "passed " + b.await(timeout);
    } catch (BrokenBarrierError e) {
      return "BrokenBarrierError";
    }
  }

  /** A Pool task waits on a Condition and a Barrier that the parent created. */
  @Test
  void poolTasksMeetAtABarrierAndAreNotifiedThroughACondition() throws Exception {
    Children.within(
        LIMIT,
        () -> {
          Barrier barrier = new Barrier(3);
          Condition cond = new Condition();
          Event go = new Event();
          try (Pool pool = new Pool(2)) {
            Pool.AsyncResult<List<Integer>> met =
                pool.mapAsync(
                    x -> {
                      barrier.await(60);
                      cond.acquire();
                      try {
                        return cond.awaitFor(() -> isSet(go), 60) ? x : -x;
                      } finally {
                        cond.release();
                      }
                    },
                    List.of(1, 2),
                    1,
                    null,
                    null);
            barrier.await(60);
            cond.acquire();
            go.set();
            cond.signalAll();
            cond.release();
            assertEquals(List.of(1, 2), met.get(60));
          }
        });
  }
}

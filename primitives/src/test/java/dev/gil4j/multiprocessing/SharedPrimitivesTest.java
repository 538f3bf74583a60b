package dev.gil4j.multiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gil4j.profiler.ContentionRecorder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The cross-process primitives, after CPython's {@code Lib/test/lock_tests.py} with the contending
 * waiter in a child JVM: each case names the lock_tests case it ports. Children report over a
 * {@link Pipe}; timing bounds are coarse (two noisy cores).
 */
@ExtendWith(Children.NoneLeftBehind.class)
class SharedPrimitivesTest {
  private static final Duration LIMIT = Duration.ofSeconds(90);

  /** lock_tests: test_try_acquire_contended, test_acquire_contended, test_different_thread. */
  @Test
  void aLockHeldInAChildExcludesTheParentAndAnyoneMayReleaseIt() throws Exception {
    Children.within(
        LIMIT,
        () -> {
          Lock lock = new Lock();
          Pipe pipe = Pipe.open();
          Connection child = pipe.second();
          Process p =
              new Process(
                  () -> {
                    assertTrue(lock.acquire());
                    child.send("held");
                    child.recv();
                    lock.release();
                    child.send("released");
                    child.recv();
                    assertTrue(lock.acquire(true, 30), "acquire after the parent released");
                    child.send("held again");
                  });
          p.start();
          Connection parent = pipe.first();
          assertEquals("held", parent.recv());
          assertFalse(lock.acquire(false), "try-acquire of a lock a child holds");
          long start = System.nanoTime();
          assertFalse(lock.acquire(true, 0.2), "timed acquire of a lock a child holds");
          assertTrue(System.nanoTime() - start >= 150_000_000L, "the timeout was waited");
          parent.send("go");
          assertEquals("released", parent.recv());
          assertTrue(lock.acquire(true, 30));
          parent.send("the parent holds it");
          Thread.sleep(200);
          lock.release();
          assertEquals("held again", parent.recv());
          lock.release();
          assertTrue(lock.acquire(false), "released by the parent, though the child took it");
          lock.release();
          assertEquals(
              "semaphore or lock released too many times",
              assertThrows(IllegalArgumentException.class, lock::release).getMessage());
          Children.awaitEnd(p, LIMIT);
          assertEquals(0, p.exitCode());
          parent.close();
        });
  }

  /** lock_tests: test_acquire_contended — waiters in several processes each get the lock. */
  @Test
  void waitersInOtherProcessesBlockUntilReleasedAndTheWaitIsRecorded() throws Exception {
    Children.within(
        LIMIT,
        () -> {
          Lock lock = new Lock();
          Queue<Double> waited = new Queue<>();
          Queue<Integer> ready = new Queue<>();
          assertTrue(lock.acquire());
          List<Process> children = new ArrayList<>();
          for (int i = 0; i < 2; i++) {
            Process p =
                new Process(
                    () -> {
                      assertFalse(lock.acquire(false), "connected, and the lock is held");
                      ready.put(1);
                      long start = System.nanoTime();
                      lock.acquire();
                      waited.put((System.nanoTime() - start) / 1e9);
                      lock.release();
                    });
            p.start();
            children.add(p);
          }
          ready.get(60);
          ready.get(60);
          Thread.sleep(500);
          assertTrue(waited.empty(), "no child got a held lock");
          lock.release();
          double w1 = waited.get(30);
          double w2 = waited.get(30);
          assertTrue(w1 > 0.2 && w2 > 0.2, "both waited for the release: " + w1 + ", " + w2);
          for (Process p : children) {
            Children.awaitEnd(p, LIMIT);
            assertEquals(0, p.exitCode());
          }
          ContentionRecorder.SiteSnapshot site =
              ContentionRecorder.snapshot().stream()
                  .filter(s -> s.kind().equals("Lock"))
                  .filter(s -> s.name().contains("SharedPrimitivesTest"))
                  .filter(s -> s.waits().getTotalCount() >= 2)
                  .findFirst()
                  .orElseThrow(
                      () ->
                          new AssertionError(
                              "no site at this test's line: " + ContentionRecorder.snapshot()));
          assertTrue(site.name().startsWith("dev.gil4j.multiprocessing.SharedPrimitivesTest."));
        });
  }

  /**
   * lock_tests RLockTests: test_reacquire, test_release_unacquired, test_different_thread; and a
   * holder that dies.
   */
  @Test
  void anRLockIsOwnedByOneThreadOfOneProcessAndFreedWhenItsHolderDies() throws Exception {
    Children.within(
        LIMIT,
        () -> {
          RLock lock = new RLock();
          Pipe pipe = Pipe.open();
          Connection child = pipe.second();
          Process p =
              new Process(
                  () -> {
                    assertTrue(lock.acquire());
                    assertTrue(lock.acquire(false), "the owner re-acquires at once");
                    child.send("held twice");
                    child.recv();
                    lock.release();
                    child.send("held once");
                    child.recv();
                    Runtime.getRuntime().halt(3);
                  });
          p.start();
          Connection parent = pipe.first();
          assertEquals("held twice", parent.recv());
          assertFalse(lock.acquire(false));
          assertEquals(
              "attempt to release recursive lock not owned by thread",
              assertThrows(IllegalStateException.class, lock::release).getMessage());
          parent.send("release one");
          assertEquals("held once", parent.recv());
          assertFalse(lock.acquire(false), "one level left");
          parent.send("die");
          Children.awaitEnd(p, LIMIT);
          assertEquals(3, p.exitCode());
          assertTrue(lock.acquire(true, 30), "the dead holder's levels were released");
          assertTrue(lock.acquire(false));
          lock.release();
          lock.release();
          parent.close();
        });
  }

  /**
   * lock_tests SemaphoreTests: test_acquire_contended, test_try_acquire_contended; and
   * BoundedSemaphoreTests: test_release_unacquired.
   */
  @Test
  void semaphoreUnitsAreSharedAndABoundedOneRefusesAnExtraRelease() throws Exception {
    Children.within(
        LIMIT,
        () -> {
          Semaphore sem = new Semaphore(2);
          BoundedSemaphore bounded = new BoundedSemaphore(1);
          Pipe pipe = Pipe.open();
          Connection child = pipe.second();
          Process p =
              new Process(
                  () -> {
                    assertTrue(sem.acquire());
                    assertTrue(sem.acquire());
                    assertTrue(bounded.acquire(false));
                    child.send("took all");
                    child.recv();
                    sem.release();
                    bounded.release();
                    try {
                      bounded.release();
                      child.send("accepted");
                    } catch (IllegalArgumentException e) {
                      child.send(e.getMessage());
                    }
                  });
          p.start();
          Connection parent = pipe.first();
          assertEquals("took all", parent.recv());
          assertFalse(sem.acquire(false));
          assertFalse(bounded.acquire(true, 0.1));
          parent.send("go");
          assertEquals("semaphore or lock released too many times", parent.recv());
          assertTrue(sem.acquire(true, 30));
          assertFalse(sem.acquire(false), "one unit stays with the child, which has ended");
          assertTrue(bounded.acquire(false));
          Children.awaitEnd(p, LIMIT);
          parent.close();
        });
  }

  /** lock_tests EventTests: test_is_set, test_notify, test_timeout, test_set_and_clear. */
  @Test
  void settingAnEventWakesWaitersInEveryProcess() throws Exception {
    Children.within(
        LIMIT,
        () -> {
          Event event = new Event();
          Queue<String> results = new Queue<>();
          List<Process> children = new ArrayList<>();
          for (int i = 0; i < 2; i++) {
            Process p =
                new Process(
                    () -> {
                      results.put("timed out " + !event.await(0.1));
                      results.put("woke " + event.await(60) + " " + event.isSet());
                    });
            p.start();
            children.add(p);
          }
          assertEquals("timed out true", results.get(30));
          assertEquals("timed out true", results.get(30));
          assertFalse(event.isSet());
          event.set();
          assertEquals("woke true true", results.get(30));
          assertEquals("woke true true", results.get(30));
          event.clear();
          assertFalse(event.isSet());
          for (Process p : children) {
            Children.awaitEnd(p, LIMIT);
            assertEquals(0, p.exitCode());
          }
        });
  }

  @Test
  void poolTasksShareALockWithTheProcessThatCreatedIt() throws Exception {
    Children.within(
        LIMIT,
        () -> {
          Lock lock = new Lock();
          Event go = new Event();
          try (Pool pool = new Pool(2)) {
            assertTrue(lock.acquire());
            Pool.AsyncResult<List<Boolean>> tries =
                pool.mapAsync(x -> lock.acquire(false), List.of(1, 2), 1, null, null);
            assertEquals(List.of(false, false), tries.get(60), "the parent holds it");
            Pool.AsyncResult<List<Boolean>> waits =
                pool.mapAsync(
                    x -> {
                      go.await(60);
                      boolean got = lock.acquire(true, 60);
                      lock.release();
                      return got;
                    },
                    List.of(1, 2),
                    1,
                    null,
                    null);
            lock.release();
            go.set();
            assertEquals(List.of(true, true), waits.get(60));
          }
        });
  }
}

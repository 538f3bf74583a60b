package dev.gil4j.threading;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gil4j.profiler.ContentionRecorder;
import dev.gil4j.profiler.ContentionRecorder.SiteSnapshot;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * What the primitives record in {@link ContentionRecorder}: a wait only when an operation had to
 * wait, a hold only for holds that began with a wait, each under the primitive's kind and the
 * application line that created it. The recorder is global and cumulative, so every test creates
 * its own primitives and finds them by their creation line.
 *
 * <p>The histograms are read reflectively: under the agent the recorder is the agent jar's, whose
 * HdrHistogram is relocated, so a direct call compiled against {@code org.HdrHistogram} would not
 * link.
 */
class ContentionRecordingTest extends BaseTestCase {
  private static final long MS = 1_000_000L;

  /** The line that called this, as a creation site names it. */
  private static String site(int linesBack) {
    StackWalker.StackFrame f =
        StackWalker.getInstance().walk(frames -> frames.skip(1).findFirst().orElseThrow());
    return f.getClassName()
        + "."
        + f.getMethodName()
        + "("
        + f.getFileName()
        + ":"
        + (f.getLineNumber() - linesBack)
        + ")";
  }

  /** {@code getTotalCount()} or {@code getMaxValue()} of the waits or holds histogram. */
  private static long stat(SiteSnapshot s, String histogram, String stat) {
    try {
      Object h = SiteSnapshot.class.getMethod(histogram).invoke(s);
      return (Long) h.getClass().getMethod(stat).invoke(h);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }

  private static long count(SiteSnapshot s, String histogram) {
    return stat(s, histogram, "getTotalCount");
  }

  private static long max(SiteSnapshot s, String histogram) {
    return stat(s, histogram, "getMaxValue");
  }

  private static Optional<SiteSnapshot> recorded(String kind, String name) {
    List<SiteSnapshot> sites = ContentionRecorder.snapshot();
    return sites.stream().filter(s -> s.kind().equals(kind) && s.name().equals(name)).findFirst();
  }

  private static SiteSnapshot recordedOrFail(String kind, String name) {
    return recorded(kind, name)
        .orElseThrow(
            () ->
                new AssertionError(kind + " " + name + " not in " + ContentionRecorder.snapshot()));
  }

  @Test
  void contendedLockRecordsWaitAndHoldAtItsCreationSite() {
    Lock lock = new Lock();
    String name = site(1);
    lock.acquire();
    Bunch.Task f =
        () -> {
          lock.acquire();
          sleep(0.030);
          lock.release();
        };
    try (Bunch bunch = new Bunch(f, 1)) {
      sleep(0.050);
      assertTrue(bunch.finished.isEmpty());
      lock.release();
    }
    SiteSnapshot s = recordedOrFail("Lock", name);
    assertEquals(1, count(s, "waits"));
    assertTrue(max(s, "waits") >= 40 * MS, max(s, "waits") + " ns");
    assertEquals(1, count(s, "holds"));
    assertTrue(max(s, "holds") >= 25 * MS, max(s, "holds") + " ns");
  }

  @Test
  void uncontendedOperationsRecordNothing() {
    Lock lock = new Lock();
    String lockName = site(1);
    RLock rlock = new RLock();
    String rlockName = site(1);
    Semaphore sem = new Semaphore(2);
    String semName = site(1);
    Event event = new Event();
    String eventName = site(1);
    for (int i = 0; i < 1000; i++) {
      lock.acquire();
      lock.release();
      rlock.acquire();
      rlock.acquire();
      rlock.release();
      rlock.release();
      sem.acquire();
      sem.release();
      event.set();
      event.await();
      event.clear();
    }
    assertTrue(recorded("Lock", lockName).isEmpty());
    assertTrue(recorded("RLock", rlockName).isEmpty());
    assertTrue(recorded("Semaphore", semName).isEmpty());
    assertTrue(recorded("Event", eventName).isEmpty());
  }

  @Test
  void aConditionsOwnRLockIsNamedForTheApplicationLine() {
    Condition cond = new Condition();
    String name = site(1);
    cond.acquire();
    try (Bunch bunch = new Bunch(() -> new Bunch(cond::acquire, 1).close(), 1)) {
      sleep(0.030);
      assertTrue(bunch.finished.isEmpty());
      cond.release();
    }
    assertEquals(1, count(recordedOrFail("RLock", name), "waits"));
  }

  @Test
  @SuppressWarnings("try")
  void everyKindRecordsItsWaits() {
    RLock rlock = new RLock();
    String rlockName = site(1);
    Condition cond = new Condition(new Lock());
    String condName = site(1);
    Semaphore sem = new Semaphore(0);
    String semName = site(1);
    BoundedSemaphore bounded = new BoundedSemaphore(1);
    String boundedName = site(1);
    Event event = new Event();
    String eventName = site(1);
    Barrier barrier = new Barrier(2);
    String barrierName = site(1);

    rlock.acquire();
    bounded.acquire();
    Bunch.Task f =
        () -> {
          rlock.acquire();
          rlock.release();
          sem.acquire();
          bounded.acquire();
          event.await();
          barrier.await();
          cond.acquire();
          cond.await();
          cond.release();
        };
    try (Bunch bunch = new Bunch(f, 1)) {
      sleep(0.020);
      rlock.release();
      sleep(0.020);
      sem.release();
      sleep(0.020);
      bounded.release();
      sleep(0.020);
      event.set();
      sleep(0.020);
      barrier.await();
      sleepingRetry(
          () -> {
            cond.acquire();
            try {
              return cond.toString().endsWith(", 1)>");
            } finally {
              cond.release();
            }
          });
      sleep(0.020);
      cond.acquire();
      cond.signal();
      cond.release();
    }
    for (String[] kindName :
        new String[][] {
          {"RLock", rlockName},
          {"Semaphore", semName},
          {"BoundedSemaphore", boundedName},
          {"Event", eventName},
          {"Condition", condName}
        }) {
      SiteSnapshot s = recordedOrFail(kindName[0], kindName[1]);
      assertEquals(1, count(s, "waits"), kindName[0]);
      assertTrue(max(s, "waits") >= 10 * MS, kindName[0] + " " + max(s, "waits"));
    }
    // Either thread may be the one that waits at the barrier.
    assertEquals(1, count(recordedOrFail("Barrier", barrierName), "waits"));
  }

  @Test
  @SuppressWarnings("try")
  void aSemaphoreHoldIsTheWaitingThreadsUntilItReleases() {
    Semaphore sem = new Semaphore(0);
    String name = site(1);
    Bunch.Task f =
        () -> {
          sem.acquire();
          sleep(0.030);
          sem.release();
        };
    try (Bunch bunch = new Bunch(f, 1)) {
      sleep(0.020);
      sem.release();
    }
    SiteSnapshot s = recordedOrFail("Semaphore", name);
    assertEquals(1, count(s, "holds"));
    assertTrue(max(s, "holds") >= 25 * MS, max(s, "holds") + " ns");
  }
}

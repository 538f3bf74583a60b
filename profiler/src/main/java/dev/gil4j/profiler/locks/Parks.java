package dev.gil4j.profiler.locks;

import dev.gil4j.profiler.ContentionRecorder;
import dev.gil4j.profiler.Pipes;
import dev.gil4j.profiler.WeakIdentityTable;
import dev.gil4j.profiler.jfr.LockWaitEvent;
import java.util.concurrent.locks.AbstractQueuedLongSynchronizer;
import java.util.concurrent.locks.AbstractQueuedSynchronizer;

/**
 * Waits timed where they become waits: at {@code LockSupport.park}, whose advice calls {@link
 * #begins} and {@link #ended} around every park.
 *
 * <ul>
 *   <li>Inside a swapped-in synchronizer's acquire whose first attempt failed ({@link
 *       Probe#arrive}), the first park starts the wait, its JFR event and, for an exclusive lock,
 *       the measurement of the hold it waits for; each park's end is noted, and the drop-in records
 *       the wait when the acquire ends ({@link Probe#acquired}), from the first park to the end of
 *       the last: so an acquire that parked reads no clock after it has the lock. An acquire that
 *       spins or barges its way in without parking reads no clock and records nothing: it costs
 *       what the JDK's costs.
 *   <li>A park on a {@code java.util.concurrent} synchronizer gil4j did not swap (a subclass of a
 *       JDK lock, one created before gil4j attached, one inside the JDK) is recorded per park, at a
 *       site of kind {@value #UNSWAPPED} named by the synchronizer's class and identity and the
 *       first application frame that waited for it: {@code ReentrantLock@1b6d3586 first waited for
 *       at com.acme.Cache.get(Cache.java:42)}.
 * </ul>
 *
 * <p><b>Assumptions and guarantees.</b> Only parks are timed: with no park, nothing here runs. A
 * park costs two thread-local lookups and two clock reads (inside a swapped-in acquire, one for a
 * park after its first); the first park of a thread allocates its state, the first park on an
 * unswapped synchronizer walks the stack once to name it. Parks nested in a park being timed (the
 * GIL's own, re-taken around it) are not timed again. Nothing here throws.
 */
public final class Parks {
  /** The kind of the sites of synchronizers gil4j did not swap. */
  public static final String UNSWAPPED = "park";

  private static final ThreadLocal<Acquire> CURRENT = new ThreadLocal<>();

  /**
   * Whether {@code LockSupport.park} calls {@link #begins}. Until it does (gil4j's drop-ins used
   * without the agent), an acquire's wait is timed from its failed first attempt instead.
   */
  private static volatile boolean hooked;

  private static final WeakIdentityTable<ContentionRecorder.Site> SITES = new WeakIdentityTable<>();

  /**
   * The stamp of a park inside a swapped-in acquire that parked before: not 0, so that {@link
   * #ended} notes its end, and no clock reading; its lowest bit clear, as {@link #stamp}'s.
   */
  private static final long UNTIMED_PARK = 2;

  private Parks() {}

  /** One thread's acquire under way in a swapped-in synchronizer; reused by the thread. */
  static final class Acquire {
    Probe probe;
    Probe holdProbe;
    Thread owner;
    long firstPark;
    long lastParkEnd;
    LockWaitEvent event;
    boolean parked;
    int quiet;

    /** The acquire has ended: parks are no longer its own. */
    void clear() {
      probe = null;
      holdProbe = null;
      owner = null;
      event = null;
    }
  }

  /**
   * The calling thread's parks are its caller's to time, until {@link #loud}: a drop-in that times
   * a whole wait itself (a latch, a barrier, a condition), or one of gil4j's own primitives.
   */
  public static void quiet() {
    Acquire a = CURRENT.get();
    if (a == null) {
      a = new Acquire();
      CURRENT.set(a);
    }
    a.quiet++;
  }

  /** Undoes {@link #quiet}. */
  public static void loud() {
    Acquire a = CURRENT.get();
    if (a != null && a.quiet > 0) {
      a.quiet--;
    }
  }

  /** The park advice is in place: from now on only acquires that park are timed. */
  public static void hooked() {
    hooked = true;
  }

  /** The calling thread's acquire state, set to time parks for {@code probe} until cleared. */
  static Acquire acquiring(Probe probe, Probe holdProbe, Thread owner) {
    Acquire a = CURRENT.get();
    if (a == null) {
      a = new Acquire();
      CURRENT.set(a);
    }
    a.probe = probe;
    a.holdProbe = holdProbe;
    a.owner = owner;
    a.firstPark = 0;
    a.lastParkEnd = 0;
    a.event = null;
    a.parked = false;
    if (!hooked) {
      a.firstPark = stamp();
      if (holdProbe != null) {
        holdProbe.contended(a.firstPark, owner);
      }
      a.event = Probe.beginWait();
    }
    return a;
  }

  /** A park on {@code blocker} begins: returns a stamp for {@link #ended}, 0 if it is not timed. */
  public static long begins(Object blocker) {
    if (blocker == null) {
      return 0;
    }
    Acquire a = CURRENT.get();
    if (a != null && a.quiet > 0) {
      return 0;
    }
    if (a != null && a.probe != null) {
      if (a.parked) {
        return 0;
      }
      a.parked = true;
      if (a.firstPark != 0) {
        // the acquire's wait runs from its first park: a later park notes only its end
        return UNTIMED_PARK;
      }
      long now = stamp();
      a.firstPark = now;
      if (a.holdProbe != null) {
        a.holdProbe.contended(now, a.owner);
      }
      a.event = Probe.beginWait();
      return now;
    }
    if (blocker instanceof AbstractQueuedSynchronizer
        || blocker instanceof AbstractQueuedLongSynchronizer) {
      if (a == null) {
        a = new Acquire();
        CURRENT.set(a);
      } else if (a.parked) {
        return 0;
      }
      a.parked = true;
      return stamp();
    }
    return 0;
  }

  /** The park {@link #begins} stamped with {@code stamp} returned. */
  public static void ended(Object blocker, long stamp) {
    Acquire a = CURRENT.get();
    if (a == null) {
      return;
    }
    a.parked = false;
    if (a.probe != null) {
      a.lastParkEnd = stamp();
    } else {
      long now = System.nanoTime();
      try {
        site(blocker).recordWait(now - stamp);
      } catch (Throwable t) {
        // This park goes unrecorded; the application runs on.
      }
    }
  }

  /**
   * A clock reading that is never 0, which means "not timed", and stays so with its lowest bit
   * cleared: the park advice keeps a flag there.
   */
  private static long stamp() {
    long now = System.nanoTime();
    return (now & ~1L) == 0 ? 2 : now;
  }

  private static ContentionRecorder.Site site(Object blocker) {
    ContentionRecorder.Site s = SITES.get(blocker);
    if (s == null) {
      String where = Pipes.creationSite();
      s =
          ContentionRecorder.site(
              UNSWAPPED,
              synchronizer(blocker.getClass())
                  + "@"
                  + Integer.toHexString(System.identityHashCode(blocker))
                  + (where == null ? "" : " first waited for at " + where));
      // two threads first parking on it at once: both record at the site the first one named
      s = SITES.putIfAbsent(blocker, s);
    }
    return s;
  }

  /**
   * What a user calls the synchronizer: the class whose {@code Sync} the blocker is ({@code
   * java.util.concurrent.locks.ReentrantLock}), or the blocker's own class.
   */
  private static String synchronizer(Class<?> c) {
    Class<?> outer = c.getEnclosingClass();
    return (outer != null && c.getSimpleName().endsWith("Sync") ? outer : c).getName();
  }
}

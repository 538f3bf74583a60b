package dev.gil4j.profiler;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Contended {@code synchronized} entries and {@code Object.wait} calls of application code, timed
 * into {@link ContentionRecorder} sites of kind {@value #ENTRY} and {@value #WAIT}, named by the
 * monitor's class and the code location: {@code com.acme.Ledger com.acme.Ledger.post(Ledger.java:
 * 215)} ({@code com.acme.Ledger.class} for a class's own monitor). gil4j's agent weaves the calls
 * into application classes: {@link #arrive} before each {@code monitorenter}, {@link #entered}
 * after it, {@link #waited} around each {@code Object.wait}.
 *
 * <p><b>Assumptions and guarantees.</b> An uncontended entry costs one load of the monitor's header
 * word and a branch: no clock, no allocation. The load does keep the JIT from eliding the lock of
 * an object that never escapes, or from coarsening back-to-back entries into one, so those entries
 * cost what an ordinary uncontended entry costs. Java has no try-monitorenter, so "contended" is
 * read from HotSpot's header: an entry is timed when the monitor was locked as the thread arrived
 * and not by itself (a recursive entry asks {@code Thread.holdsLock} and is never timed), or was
 * inflated, which HotSpot keeps a monitor after contention or a wait, free or not; it is recorded
 * when it took at least {@value #MIN_WAIT_NANOS} ns, which entering a free monitor does not. Before
 * relying on the header the class checks, once, that a monitor it holds reads as locked and a free
 * one as unlocked; on a JVM where that fails (another VM, biased locking on JDK 17), or where the
 * header cannot be read, entries are not timed and waits still are. A race between the look and the
 * entry can miss a contended entry. Under the GIL a recorded entry includes re-taking the GIL at
 * the checkpoint right after it, when the safety net let it go while the thread was blocked.
 * Nothing here throws into the caller.
 *
 * <p>Design: reading the header needs {@code jdk.internal.misc.Unsafe}, which the agent exports to
 * gil4j ({@link Deferred#JDK_ACCESS}, when this class first loads); without that export, on JDKs
 * before 24, {@code sun.misc.Unsafe}, which from JDK 24 on warns on stderr at its first use and is
 * therefore not touched there.
 */
public final class Monitors {
  /** Contended entries into a monitor: {@code synchronized} blocks and methods. */
  public static final String ENTRY = "synchronized";

  /** Calls of {@code Object.wait}, from the call until the thread owns the monitor again. */
  public static final String WAIT = "Object.wait";

  /**
   * Entries faster than this did not block: entering a free inflated monitor takes a microsecond or
   * two with the clock reads, where a thread that blocked was woken by the kernel.
   */
  static final long MIN_WAIT_NANOS = 5_000;

  /** Reads an object's header word, {@code (Object)long}; null if headers cannot be read. */
  private static final MethodHandle HEADER = HeaderReader.find();

  private static final SiteTable ENTRIES = new SiteTable(ENTRY);
  private static final SiteTable WAITS = new SiteTable(WAIT);

  private Monitors() {}

  /** Whether contended entries are detected in this JVM (see the class comment). */
  public static boolean detectsContention() {
    return HEADER != null;
  }

  /**
   * Call just before entering {@code monitor}.
   *
   * @return 0 when the monitor is free (the common case, costing a header read), else the time of
   *     arrival for {@link #entered}
   */
  public static long arrive(Object monitor) {
    return mayBlock(monitor) ? System.nanoTime() : 0;
  }

  /**
   * Whether entering {@code monitor} may block the calling thread: its header says it is locked or
   * inflated, and not by this thread. False where headers cannot be read.
   */
  public static boolean mayBlock(Object monitor) {
    if (HEADER == null || monitor == null) {
      return false;
    }
    try {
      // HotSpot's lock bits, the header's lowest two: 01 unlocked; 00 locked; 10 inflated
      if (((long) HEADER.invokeExact(monitor) & 3) == 1) {
        return false;
      }
    } catch (Throwable t) {
      return false;
    }
    // A recursive entry never waits; asking is cheaper than two clock reads.
    return !Thread.holdsLock(monitor);
  }

  /**
   * Whether {@code monitor}'s header says it is inflated: an inflated monitor stays so while in
   * use, owned or free, so that its header does not tell whether another thread owns it. False
   * where headers cannot be read.
   */
  public static boolean inflated(Object monitor) {
    if (HEADER == null || monitor == null) {
      return false;
    }
    try {
      return ((long) HEADER.invokeExact(monitor) & 3) == 2;
    } catch (Throwable t) {
      return false;
    }
  }

  /**
   * Call just after entering {@code monitor} at {@code where}, with what {@link #arrive} returned.
   */
  public static void entered(Object monitor, long arrived, String where) {
    if (arrived != 0) {
      long waited = System.nanoTime() - arrived;
      if (waited >= MIN_WAIT_NANOS) {
        record(ENTRIES, monitor, where, waited);
      }
    }
  }

  /**
   * Call when an {@code Object.wait} on {@code monitor} at {@code where}, begun at {@code start}
   * ({@link System#nanoTime}), returns or throws.
   */
  public static void waited(Object monitor, long start, String where) {
    record(WAITS, monitor, where, System.nanoTime() - start);
  }

  private static void record(SiteTable table, Object monitor, String where, long nanos) {
    try {
      table.site(monitor, where).recordWait(nanos);
    } catch (Throwable t) {
      // This wait goes unrecorded; the application runs on.
    }
  }

  /**
   * Sites per monitor class and code location, found without allocating once created: a {@link
   * ClassValue} per monitor class (a {@code Class} monitor is its own key), then the location
   * string, whose hash the {@code String} caches.
   */
  private static final class SiteTable {
    private final String kind;
    private final PerClass instances = new PerClass();
    private final PerClass classes = new PerClass();

    SiteTable(String kind) {
      this.kind = kind;
    }

    ContentionRecorder.Site site(Object monitor, String where) {
      boolean isClass = monitor instanceof Class;
      Class<?> key = isClass ? (Class<?>) monitor : monitor.getClass();
      ConcurrentHashMap<String, ContentionRecorder.Site> sites =
          (isClass ? classes : instances).get(key);
      ContentionRecorder.Site s = sites.get(where);
      if (s == null) {
        String name = key.getName() + (isClass ? ".class " : " ") + where;
        s = ContentionRecorder.site(kind, name);
        sites.putIfAbsent(where, s);
      }
      return s;
    }
  }

  /** A class, not a lambda, to keep code that application classes call plain. */
  private static final class PerClass
      extends ClassValue<ConcurrentHashMap<String, ContentionRecorder.Site>> {
    @Override
    protected ConcurrentHashMap<String, ContentionRecorder.Site> computeValue(Class<?> type) {
      return new ConcurrentHashMap<>();
    }
  }

  /** Finds a way to read object headers, and checks that it sees locking as HotSpot does. */
  private static final class HeaderReader {
    private HeaderReader() {}

    static MethodHandle find() {
      MethodHandle header = internalUnsafe();
      if (header == null && Runtime.version().feature() < 24) {
        header = unsupportedUnsafe();
      }
      return header != null && seesLocking(header) ? header : null;
    }

    private static MethodHandle internalUnsafe() {
      try {
        Deferred.JDK_ACCESS.run();
        if (!Object.class.getModule().isExported("jdk.internal.misc", Monitors.class.getModule())) {
          return null;
        }
        Class<?> c = Class.forName("jdk.internal.misc.Unsafe");
        return headerOf(c, c.getMethod("getUnsafe").invoke(null));
      } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
        return null;
      }
    }

    private static MethodHandle unsupportedUnsafe() {
      try {
        Class<?> c = Class.forName("sun.misc.Unsafe");
        Field f = c.getDeclaredField("theUnsafe");
        f.setAccessible(true);
        return headerOf(c, f.get(null));
      } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
        return null;
      }
    }

    /** {@code unsafe.getLong(o, 0L)} as an {@code (Object)long} handle: the mark word. */
    private static MethodHandle headerOf(Class<?> c, Object unsafe)
        throws ReflectiveOperationException {
      MethodHandle getLong =
          MethodHandles.lookup()
              .findVirtual(
                  c, "getLong", MethodType.methodType(long.class, Object.class, long.class));
      return MethodHandles.insertArguments(getLong.bindTo(unsafe), 1, 0L);
    }

    private static boolean seesLocking(MethodHandle header) {
      try {
        Object probe = new Object();
        boolean freeBefore = ((long) header.invokeExact(probe) & 3) == 1;
        boolean lockedInside;
        synchronized (probe) {
          lockedInside = ((long) header.invokeExact(probe) & 3) != 1;
        }
        boolean freeAfter = ((long) header.invokeExact(probe) & 3) == 1;
        return freeBefore && lockedInside && freeAfter;
      } catch (Throwable t) {
        return false;
      }
    }
  }
}

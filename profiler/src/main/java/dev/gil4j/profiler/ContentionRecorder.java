package dev.gil4j.profiler;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * Wait- and hold-time distributions per contention site: a lock, semaphore, pipe… named by its kind
 * and its creation site ({@code com.acme.Cache.<init>(Cache.java:42)}).
 *
 * <p><b>Assumptions and guarantees.</b> Recording is wait-free and, after a thread's first record
 * at a site, allocation-free: each thread writes its own {@link SingleWriterRecorder} per site, and
 * the reader merges them ({@link #snapshot}), so many recording threads share no cache line. Values
 * are nanoseconds; values beyond an hour are clamped. Callers time only the slow path (a contended
 * acquire), so an uncontended operation costs nothing here.
 *
 * <p>Design: HdrHistogram's {@code Recorder} is itself a contended counter under many writers;
 * per-thread single-writer recorders indexed by site id avoid that. A thread's table lives in a
 * {@link ThreadLocal} and in a global queue, so that the reader finds tables of ended threads too.
 * A table costs a few kilobytes a site; one of a thread that has ended is merged into the sites and
 * dropped at the next drain, which every {@value #PURGE_EVERY}th new table also makes, so that an
 * application running a task per (virtual) thread keeps the tables of its live threads only.
 */
public final class ContentionRecorder {
  private static final long MAX_NANOS = 3_600_000_000_000L;
  private static final int DIGITS = 2;

  private static final ConcurrentHashMap<String, Site> SITES = new ConcurrentHashMap<>();
  private static final List<Site> BY_ID = new CopyOnWriteArrayList<>();
  private static final int PURGE_EVERY = 1024;

  /** Tables made so far; {@link Tables#ALL} is touched only once it is not 0. */
  private static final AtomicInteger NEW_TABLES = new AtomicInteger();

  private static final ThreadLocal<Table> TABLE = new ThreadLocal<>();
  private static long intervalStart = System.nanoTime();

  private ContentionRecorder() {}

  /**
   * A creation site's name, the one form every lock, monitor, pipe and primitive is named by, as a
   * stack trace prints a frame: {@code com.acme.Cache.<init>(Cache.java:42)}; {@code (Unknown
   * Source)} without a file, no line where there is none.
   *
   * @param className binary or internal ({@code com/acme/Cache}) name of the class
   */
  public static String siteName(String className, String method, String file, int line) {
    String where = file == null ? "Unknown Source" : line >= 0 ? file + ":" + line : file;
    return className.replace('/', '.') + "." + method + "(" + where + ")";
  }

  /** The site of kind {@code kind} named {@code name}, created on first use. */
  public static Site site(String kind, String name) {
    String key = kind + " " + name;
    Site s = SITES.get(key);
    return s != null ? s : newSite(key, kind, name);
  }

  /**
   * Sites are created one at a time, so that a site's id is its index in {@link #BY_ID}: two
   * created at once could otherwise be added in the other order than their ids were drawn, and the
   * values of one would be drained into the other (a wait seen at the wrong site was the "lost"
   * wait of a read-write lock whose read and write sites were first used at the same moment).
   */
  private static Site newSite(String key, String kind, String name) {
    synchronized (BY_ID) {
      Site s = SITES.get(key);
      if (s == null) {
        s = new Site(BY_ID.size(), kind, name);
        BY_ID.add(s);
        SITES.put(key, s);
      }
      return s;
    }
  }

  /** One place where threads contend: recording methods are safe from any thread. */
  public static final class Site {
    private final int id;
    private final String kind;
    private final String name;
    private final Histogram waits = new Histogram(DIGITS);
    private final Histogram holds = new Histogram(DIGITS);
    // Since the last interval(): what a periodic reader (JFR) has not yet seen.
    private final Histogram pendingWaits = new Histogram(DIGITS);
    private final Histogram pendingHolds = new Histogram(DIGITS);

    private Site(int id, String kind, String name) {
      this.id = id;
      this.kind = kind;
      this.name = name;
    }

    public String kind() {
      return kind;
    }

    public String name() {
      return name;
    }

    /** A thread waited {@code nanos} to acquire (or to read, write, pass…) at this site. */
    public void recordWait(long nanos) {
      table().recorder(id, false).recordValue(Math.min(Math.max(nanos, 0), MAX_NANOS));
    }

    /** A thread held what this site names for {@code nanos}. */
    public void recordHold(long nanos) {
      table().recorder(id, true).recordValue(Math.min(Math.max(nanos, 0), MAX_NANOS));
    }
  }

  private static Table table() {
    Table t = TABLE.get();
    if (t == null) {
      t = new Table(Thread.currentThread());
      TABLE.set(t);
      int made = NEW_TABLES.incrementAndGet();
      Tables.ALL.add(t);
      if (made % PURGE_EVERY == 0) {
        drainAndPurge();
      }
    }
    return t;
  }

  private static synchronized void drainAndPurge() {
    drainAll();
  }

  /** How many thread tables are kept: those of live threads, and of threads ended since a drain. */
  static int tables() {
    return NEW_TABLES.get() == 0 ? 0 : Tables.ALL.size();
  }

  /**
   * Every thread's table, in a class of its own, made with the first table: a report of a run that
   * recorded nothing (a hello world's exit report) then loads no {@code ConcurrentLinkedQueue},
   * which on JDK 25 would be the first class of the JVM to make {@code VarHandle}s.
   */
  private static final class Tables {
    static final Queue<Table> ALL = new ConcurrentLinkedQueue<>();
  }

  /** One thread's recorders, indexed by site id; grown (rarely) by its own thread. */
  private static final class Table {
    private final WeakReference<Thread> owner;
    private volatile SingleWriterRecorder[] waits = new SingleWriterRecorder[8];
    private volatile SingleWriterRecorder[] holds = new SingleWriterRecorder[8];
    // Reader-only (guarded by the class lock): each recorder's last interval histogram, handed back
    // to it on the next drain, so that periodic drains make no garbage.
    private Histogram[] spareWaits = new Histogram[8];
    private Histogram[] spareHolds = new Histogram[8];

    Table(Thread owner) {
      this.owner = new WeakReference<>(owner);
    }

    /**
     * Whether its thread has ended: nothing more will be recorded here. (A thread's last action
     * happens-before another thread sees it is not alive.)
     */
    boolean ended() {
      Thread t = owner.get();
      return t == null || !t.isAlive();
    }

    SingleWriterRecorder recorder(int id, boolean hold) {
      SingleWriterRecorder[] rs = hold ? holds : waits;
      if (id >= rs.length) {
        rs = java.util.Arrays.copyOf(rs, Math.max(id + 1, rs.length * 2));
        publish(rs, hold);
      }
      SingleWriterRecorder r = rs[id];
      if (r == null) {
        r = new SingleWriterRecorder(DIGITS);
        rs[id] = r;
        // release: the reader sees the array slot only after the recorder is built
        publish(rs, hold);
      }
      return r;
    }

    private void publish(SingleWriterRecorder[] rs, boolean hold) {
      if (hold) {
        holds = rs;
      } else {
        waits = rs;
      }
    }
  }

  /**
   * Everything recorded so far, per site with at least one value, in site creation order. Safe to
   * call from any thread; concurrent calls are serialized.
   */
  public static synchronized List<SiteSnapshot> snapshot() {
    drainAll();
    List<SiteSnapshot> out = new ArrayList<>();
    for (Site s : BY_ID) {
      if (s.waits.getTotalCount() > 0 || s.holds.getTotalCount() > 0) {
        out.add(new SiteSnapshot(s.kind, s.name, s.waits.copy(), s.holds.copy()));
      }
    }
    return out;
  }

  /**
   * What was recorded since the previous call (or since this class loaded), per site with at least
   * one value in that interval, in site creation order; meant for one periodic reader, such as
   * gil4j's JFR events. Independent of {@link #snapshot}: each sees every value once.
   */
  public static synchronized Interval interval() {
    drainAll();
    long now = System.nanoTime();
    List<SiteSnapshot> sites = new ArrayList<>();
    for (Site s : BY_ID) {
      if (s.pendingWaits.getTotalCount() > 0 || s.pendingHolds.getTotalCount() > 0) {
        sites.add(new SiteSnapshot(s.kind, s.name, s.pendingWaits.copy(), s.pendingHolds.copy()));
        s.pendingWaits.reset();
        s.pendingHolds.reset();
      }
    }
    Interval out = new Interval(intervalStart, now, sites);
    intervalStart = now;
    return out;
  }

  /** Moves every table's values into the sites; drops the tables of ended threads. */
  private static void drainAll() {
    if (NEW_TABLES.get() == 0) {
      return;
    }
    for (Iterator<Table> it = Tables.ALL.iterator(); it.hasNext(); ) {
      Table t = it.next();
      // read before draining: values recorded before the thread ended are then drained below
      boolean ended = t.ended();
      t.spareWaits = drain(t.waits, t.spareWaits, false);
      t.spareHolds = drain(t.holds, t.spareHolds, true);
      if (ended) {
        it.remove();
      }
    }
  }

  private static Histogram[] drain(SingleWriterRecorder[] rs, Histogram[] spares, boolean hold) {
    if (spares.length < rs.length) {
      spares = java.util.Arrays.copyOf(spares, rs.length);
    }
    for (int id = 0; id < rs.length; id++) {
      SingleWriterRecorder r = rs[id];
      if (r != null) {
        Site s = BY_ID.get(id);
        Histogram h =
            spares[id] == null ? r.getIntervalHistogram() : r.getIntervalHistogram(spares[id]);
        (hold ? s.holds : s.waits).add(h);
        (hold ? s.pendingHolds : s.pendingWaits).add(h);
        spares[id] = h;
      }
    }
    return spares;
  }

  /**
   * The sites' distributions over one interval of {@link System#nanoTime} time.
   *
   * @param startNanos where the interval began
   * @param endNanos where it ended
   * @param sites per site with values in the interval, only those values
   */
  public record Interval(long startNanos, long endNanos, List<SiteSnapshot> sites) {}

  /**
   * One site's distributions, in nanoseconds.
   *
   * @param kind what contends ({@code Lock}, {@code RLock}, {@code ReentrantLock}, {@code pipe}…)
   * @param name the creation site
   * @param waits wait times
   * @param holds hold times
   */
  public record SiteSnapshot(String kind, String name, Histogram waits, Histogram holds) {}
}

package dev.gil4j.samples;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Lock contention under a GIL: the same operations on 1 and on N threads, for four shapes of
 * locking — the Java twin of CPython's {@code locks.py}.
 *
 * <p>Every operation does about 2 µs of work (steps of a generator advanced by a method call,
 * calibrated on this thread's CPU time at start, as the Python script does) while holding its
 * lock(s):
 *
 * <ul>
 *   <li>{@code lock}: one {@code ReentrantLock} around every operation. Operations also work
 *       outside the lock for as long as CPython's do ({@link #LOCK_OUTSIDE}).
 *   <li>{@code rw}: a readers-writer lock built on a {@code ReentrantLock} and a {@code Condition},
 *       the way Python code builds one on {@code threading.Condition}; one operation in 8 writes.
 *       Its methods also work for as long as CPython's take, relative to the operation's work
 *       ({@link #RW_BOOKKEEPING}), so that both sides hold the lock for the same share of the run.
 *   <li>{@code nested}: a global {@code ReentrantLock} with 4 stripe locks nested inside it; half
 *       the operations take only their stripe. Operations also work outside the stripe for as long
 *       as CPython's do ({@link #NESTED_OUTSIDE}), for the same reason.
 *   <li>{@code synchronized}: the nested shape with monitors ({@code synchronized} blocks).
 * </ul>
 *
 * <p><b>Without gil4j</b>, N threads on 2 cores contend for the locks; the nested shapes keep some
 * parallelism. <b>Under {@code -javaagent:gil4j-agent.jar}</b> lock convoys form as in CPython (4
 * threads about 3x slower than 1 with one lock or nested locks): a lock's release wakes a waiter,
 * the GIL holder yields to it, and the waiter takes the lock with the GIL released and then waits
 * for the GIL while holding it, so every thread that needs that lock blocks until the GIL changes
 * hands. The readers-writer lock holds its inner lock only briefly, and N threads run about as fast
 * as one. Monitors ({@code synchronized}) convoy the same way: a thread blocked entering one has
 * released the GIL, and the GIL holder yields after leaving a monitor while a thread is blocked
 * entering that monitor, so that the thread the JVM woke takes the monitor first.
 *
 * <p>Usage: {@code Locks [shapes] [ops] [threads]} or {@code --shapes S,S --ops N --threads N};
 * defaults {@code lock,rw,nested,synchronized}, 200,000 operations in all, 4 threads; untimed
 * rounds of a tenth of them on 1 and on N threads come first, until the JIT is quiet. Prints, per
 * shape, {@code SHAPE_wall_ms_1}, {@code SHAPE_wall_ms_n}, {@code SHAPE_speedup} (1 thread's wall
 * time over N threads' for the same operations), measured at 1 thread, {@code SHAPE_held_LOCK}: the
 * share of the wall time spent holding each lock, and at N threads {@code
 * SHAPE_owner_changes_LOCK}: the share of the acquisitions that found the lock last owned by
 * another thread. A lost update exits with status 1.
 */
public final class Locks {
  private static final String USAGE =
      "Locks [shapes (comma-separated: lock, rw, nested, synchronized; default all)]"
          + " [ops (1000..100000000, default 200000)] [threads (2..64, default 4)],"
          + " or --shapes S,S --ops N --threads N";
  private static final List<String> SHAPES = List.of("lock", "rw", "nested", "synchronized");
  private static final int STRIPES = 4;
  private static final long WORK_NANOS = 2_000;

  /**
   * What CPython's one-lock operation ({@code locks.py}'s {@code op_lock}) costs outside its lock,
   * as a share of the operation's work: its loop, call and {@code with} statement. CPython 3.11
   * held the lock for 0.69–0.80 of a 1-thread run in five runs on 2 idle cores; Java's twin, whose
   * loop costs nanoseconds, held it for 0.91–0.95, so a thread switched out of the GIL held the
   * lock more often than CPython's does. With this much work outside, Java's twin holds it for the
   * share CPython's does.
   */
  private static final double LOCK_OUTSIDE = 0.25;

  /**
   * What CPython's readers-writer lock ({@code locks.py}'s {@code RWLock}: Python code on {@code
   * threading.Condition}, four method calls and two {@code with} statements per operation) costs
   * per acquire and release, as a share of the operation's work: 0.37–0.43 for a read, 0.35–0.61
   * for a write, timed beside the work in one CPython 3.11 process on 2 cores. Java's twin costs
   * nanoseconds, and held its readers-writer lock for 0.96 of a 1-thread run where CPython's held
   * it for 0.61: the readers and writers of the two sides did not meet alike. So the Java twin's
   * methods do this much work too.
   */
  private static final double RW_BOOKKEEPING = 0.4;

  /**
   * What CPython's nested operation ({@code locks.py}'s {@code op_nested}) costs outside its stripe
   * lock, as shares of the operation's work: its loop, call, list lookups and {@code with}
   * statements. Timed beside the work in CPython 3.11 on 2 cores, it holds the stripe for 0.69–0.73
   * of a 1-thread run and the global lock for 0.44–0.45 (held by half the operations): per
   * operation, 0.27 of the work runs outside both locks, and an operation that takes the global
   * lock runs 0.24 of the work holding it before it takes its stripe. Java's twin costs nanoseconds
   * there, and held the stripe for 0.83–0.94 of the run: a thread switched out of the GIL held its
   * stripe more often than CPython's does, and the two sides did not convoy alike. So the Java
   * twin's nested operations ({@code nested}, {@code synchronized}) do this much work too.
   */
  private static final double NESTED_OUTSIDE = 0.27;

  /** See {@link #NESTED_OUTSIDE}: work holding the global lock before taking the stripe. */
  private static final double NESTED_BETWEEN = 0.24;

  private static final Duration TIMEOUT = Duration.ofMinutes(5);

  /**
   * The longest warm-up of one shape: on a busy machine the JIT may not go quiet, and four shapes
   * must stay well inside the 60 s {@code fidelity} gives a run.
   */
  private static final Duration WARM_UP_LIMIT = Duration.ofSeconds(6);

  private Locks() {}

  public static void main(String[] argv) throws Exception {
    Args args = Args.parse("Locks", USAGE, argv, "shapes", "ops", "threads");
    List<String> shapes = args.choices("shapes", String.join(",", SHAPES), SHAPES);
    int ops = args.intValue("ops", 200_000, 1000, 100_000_000);
    int threads = args.intValue("threads", 4, 2, 64);
    int steps = calibrate();
    for (String shape : shapes) {
      warmUp(shape, threads, ops, steps);
      // Reading the clock costs close to a microsecond on some virtual machines, as much as half
      // an operation: the held shares come from a run of their own, and the timed runs read no
      // clock per operation.
      Table one = new Table(true, steps);
      double sharesMs = run(shape, one, 1, ops, steps);
      double oneMs = run(shape, new Table(false, steps), 1, ops, steps);
      Table many = new Table(false, steps);
      double manyMs = run(shape, many, threads, ops, steps);
      System.out.printf(
          "Locks: %s: %,d operations of %d steps: 1 thread %.1f ms, %d threads %.1f ms: %.2fx;"
              + " held at 1 thread: %s; owner changes at %d threads: %s%n",
          shape,
          ops,
          steps,
          oneMs,
          threads,
          manyMs,
          oneMs / manyMs,
          one.shares(sharesMs),
          threads,
          many.ownerChanges());
      Metrics.print(shape + "_wall_ms_1", oneMs, "ms");
      Metrics.print(shape + "_wall_ms_n", manyMs, "ms");
      Metrics.print(shape + "_speedup", oneMs / manyMs, "x");
      for (Map.Entry<String, Double> e : one.shares(sharesMs).entrySet()) {
        Metrics.print(shape + "_held_" + e.getKey(), e.getValue(), "share");
      }
      for (Map.Entry<String, Double> e : many.ownerChanges().entrySet()) {
        Metrics.print(shape + "_owner_changes_" + e.getKey(), e.getValue(), "share");
      }
    }
    Metrics.print("threads", threads, "count");
  }

  /** The work: generator steps on an object, a method call each, as Python code would do it. */
  private static final class Counter {
    private long state = 1;

    private void step() {
      state = state * 1103515245L + 12345L & 0x7FFFFFFFL;
    }

    void work(int steps) {
      for (int i = 0; i < steps; i++) {
        step();
      }
    }
  }

  /**
   * Runs the shape untimed, a tenth of its operations on 1 and then on N threads at a time, until
   * the JIT has gone quiet ({@link WarmUp}), for at most {@link #WARM_UP_LIMIT} (CPython has
   * nothing to warm up). Under the GIL the contended paths — the lock's queue, the GIL's waits and
   * hand-overs — are compiled last, seconds into the run; until then the releaser runs them slower,
   * its woken waiter takes the lock from it more often (one lock: at 0.27–0.34 of the acquisitions,
   * against 0.09–0.13 once compiled), and the convoy reads stronger than the program's (4 threads
   * 0.20–0.22x of 1, against 0.30–0.32x).
   */
  private static void warmUp(String shape, int threads, int ops, int steps) throws Exception {
    WarmUp.untilJitQuiet(
        "Locks: " + shape,
        WARM_UP_LIMIT,
        () -> {
          run(shape, new Table(false, steps), 1, ops / 10, steps);
          run(shape, new Table(false, steps), threads, ops / 10, steps);
        });
  }

  /** Steps that take {@link #WORK_NANOS} of this thread's CPU time, after the JIT has warmed up. */
  private static int calibrate() {
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    Counter c = new Counter();
    int steps = 1000;
    for (int round = 0; ; round++) {
      long s = cpu.getCurrentThreadCpuTime();
      c.work(steps);
      long d = cpu.getCurrentThreadCpuTime() - s;
      if (d > 50_000_000L && round > 3) {
        return (int) Math.max(1, steps * WORK_NANOS / d);
      }
      if (d <= 50_000_000L) {
        steps *= 2;
      }
    }
  }

  /** The locks of one run, and at 1 thread the time spent holding each. */
  private static final class Table {
    final boolean timed;
    final ReentrantLock lock = new ReentrantLock();
    final RwLock rw;
    final ReentrantLock global = new ReentrantLock();
    final ReentrantLock[] stripes = new ReentrantLock[STRIPES];
    final Object globalMonitor = new Object();
    final Object[] stripeMonitors = new Object[STRIPES];
    final long[] counts = new long[STRIPES];

    /** Readers share the lock, so their count cannot be a plain field under it. */
    final LongAdder reads = new LongAdder();

    final Map<String, Long> heldNanos = new LinkedHashMap<>();

    /** Who last took each lock, and how often that changed, written holding the lock. */
    final Owner lockOwner = new Owner();

    final Owner globalOwner = new Owner();
    final Owner[] stripeOwners = new Owner[STRIPES];

    /** Steps of the one-lock operation's work outside the lock ({@link #LOCK_OUTSIDE}). */
    final int lockOutside;

    /** Steps of the nested operations' work outside the stripe ({@link #NESTED_OUTSIDE}). */
    final int outside;

    final int between;

    Table(boolean timed, int steps) {
      this.timed = timed;
      this.rw = new RwLock((int) Math.round(steps * RW_BOOKKEEPING / 4));
      this.lockOutside = (int) Math.round(steps * LOCK_OUTSIDE);
      this.outside = (int) Math.round(steps * NESTED_OUTSIDE);
      this.between = (int) Math.round(steps * NESTED_BETWEEN);
      for (int i = 0; i < STRIPES; i++) {
        stripes[i] = new ReentrantLock();
        stripeMonitors[i] = new Object();
        stripeOwners[i] = new Owner();
      }
    }

    /**
     * The share of acquisitions that found each lock last owned by another thread: a convoy hands
     * every lock from thread to thread, a releaser that takes its lock again keeps it.
     */
    Map<String, Double> ownerChanges() {
      Owner stripe = new Owner();
      for (Owner o : stripeOwners) {
        stripe.changes += o.changes;
        stripe.takes += o.takes;
      }
      Map<String, Double> changes = new LinkedHashMap<>();
      lockOwner.share("lock", changes);
      globalOwner.share("global", changes);
      stripe.share("stripe", changes);
      return changes;
    }

    long now() {
      return timed ? System.nanoTime() : 0;
    }

    void held(String lock, long since) {
      if (timed) {
        heldNanos.merge(lock, System.nanoTime() - since, Long::sum);
      }
    }

    Map<String, Double> shares(double wallMs) {
      Map<String, Double> shares = new LinkedHashMap<>();
      heldNanos.forEach((k, v) -> shares.put(k, Math.round(v / 1e4 / wallMs) / 1e2));
      return shares;
    }

    long total() {
      long sum = reads.sum();
      for (long c : counts) {
        sum += c;
      }
      return sum;
    }
  }

  /** The last owner of one lock (its thread's {@link Counter}); fields guarded by that lock. */
  private static final class Owner {
    private Counter last;
    long changes;
    long takes;

    void take(Counter c) {
      if (last != c) {
        last = c;
        changes++;
      }
      takes++;
    }

    /** Puts the share of takes that changed the owner under {@code lock}, if it was taken. */
    void share(String lock, Map<String, Double> into) {
      if (takes > 0) {
        into.put(lock, Math.round(1000.0 * changes / takes) / 1e3);
      }
    }
  }

  /**
   * Readers share, a writer excludes all: a lock, a condition and a reader count. Each method also
   * does what its Python twin's own code costs ({@link Locks#RW_BOOKKEEPING}), half before taking
   * the condition's lock and half holding it.
   */
  private static final class RwLock {
    private final int bookkeeping;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private int readers;
    private boolean writer;

    RwLock(int bookkeeping) {
      this.bookkeeping = bookkeeping;
    }

    void acquireRead(Counter c) throws InterruptedException {
      c.work(bookkeeping);
      lock.lock();
      try {
        c.work(bookkeeping);
        while (writer) {
          changed.await();
        }
        readers++;
      } finally {
        lock.unlock();
      }
    }

    void releaseRead(Counter c) {
      c.work(bookkeeping);
      lock.lock();
      try {
        c.work(bookkeeping);
        if (--readers == 0) {
          changed.signalAll();
        }
      } finally {
        lock.unlock();
      }
    }

    void acquireWrite(Counter c) throws InterruptedException {
      c.work(bookkeeping);
      lock.lock();
      try {
        c.work(bookkeeping);
        while (writer || readers > 0) {
          changed.await();
        }
        writer = true;
      } finally {
        lock.unlock();
      }
    }

    void releaseWrite(Counter c) {
      c.work(bookkeeping);
      lock.lock();
      try {
        c.work(bookkeeping);
        writer = false;
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  private static double run(String shape, Table table, int threads, int ops, int steps)
      throws InterruptedException {
    Workers workers = new Workers("Locks");
    int share = ops / threads;
    long start = System.nanoTime();
    for (int t = 0; t < threads; t++) {
      int first = t * share;
      workers.start(
          shape + "-" + t,
          () -> {
            Counter c = new Counter();
            for (int i = first; i < first + share; i++) {
              operation(shape, table, i, c, steps);
            }
          });
    }
    workers.joinAll(TIMEOUT);
    double wallMs = Metrics.millis(start, System.nanoTime());
    if (table.total() != (long) share * threads) {
      System.err.printf(
          "Locks: %s lost updates: %d counted, %d expected%n",
          shape, table.total(), (long) share * threads);
      System.exit(1);
    }
    return wallMs;
  }

  private static void operation(String shape, Table t, int i, Counter c, int steps)
      throws InterruptedException {
    int stripe = i % STRIPES;
    switch (shape) {
      case "lock" -> {
        c.work(t.lockOutside);
        t.lock.lock();
        try {
          t.lockOwner.take(c);
          long s = t.now();
          c.work(steps);
          t.counts[stripe]++;
          t.held("lock", s);
        } finally {
          t.lock.unlock();
        }
      }
      case "rw" -> {
        if (i % 8 == 0) {
          t.rw.acquireWrite(c);
          try {
            long s = t.now();
            c.work(steps);
            t.counts[stripe]++;
            t.held("write", s);
          } finally {
            t.rw.releaseWrite(c);
          }
        } else {
          t.rw.acquireRead(c);
          try {
            long s = t.now();
            c.work(steps);
            t.reads.increment();
            t.held("read", s);
          } finally {
            t.rw.releaseRead(c);
          }
        }
      }
      case "nested" -> {
        c.work(t.outside);
        if (i % 2 == 0) {
          t.global.lock();
          try {
            t.globalOwner.take(c);
            long g = t.now();
            c.work(t.between);
            stripeOp(t, stripe, c, steps);
            t.held("global", g);
          } finally {
            t.global.unlock();
          }
        } else {
          stripeOp(t, stripe, c, steps);
        }
      }
      default -> {
        c.work(t.outside);
        if (i % 2 == 0) {
          synchronized (t.globalMonitor) {
            t.globalOwner.take(c);
            long g = t.now();
            c.work(t.between);
            stripeMonitorOp(t, stripe, c, steps);
            t.held("global", g);
          }
        } else {
          stripeMonitorOp(t, stripe, c, steps);
        }
      }
    }
  }

  private static void stripeOp(Table t, int stripe, Counter c, int steps) {
    t.stripes[stripe].lock();
    try {
      t.stripeOwners[stripe].take(c);
      long s = t.now();
      c.work(steps);
      t.counts[stripe]++;
      t.held("stripe", s);
    } finally {
      t.stripes[stripe].unlock();
    }
  }

  private static void stripeMonitorOp(Table t, int stripe, Counter c, int steps) {
    synchronized (t.stripeMonitors[stripe]) {
      t.stripeOwners[stripe].take(c);
      long s = t.now();
      c.work(steps);
      t.counts[stripe]++;
      t.held("stripe", s);
    }
  }
}

package dev.gil4j.runtime;

import java.io.InputStream;
import java.io.OutputStream;

/**
 * The one class that instrumented code calls: checkpoints in application code, the release /
 * re-take around blocking points in the JDK, and the timing of monitors, parks and pipes for
 * contention profiling. It depends on nothing but the JDK: each concern plugs in behind it on its
 * own ({@link #installGil}, {@link #installProfiling}), so that profiling works in full with the
 * GIL off, and every hook is a no-op until something is installed.
 *
 * <p><b>Guarantees.</b> No method throws into its caller except the blocking call it wraps (an
 * {@code InterruptedException} from {@code Object.wait}, for example); an internal failure is
 * reported once on stderr and the application runs on. No method calls instrumented code. The
 * checkpoint fast path is one volatile read and allocates nothing; with nothing installed, every
 * other hook is a volatile read and a branch.
 */
public final class Hooks {
  /** The checkpoint fast path reads only this: CPython's eval breaker. */
  private static volatile boolean pending;

  private static volatile Gil gil;
  private static volatile Profiling profiling;
  private static volatile Runnable recorderStarts;

  /**
   * {@link #monitorArrive}'s flags: the GIL was released for the entry; a GIL was installed and saw
   * the arrival.
   */
  private static final long RELEASED = 1;

  private static final long SEEN = 2;

  /** The stamp of a seen entry that profiling did not time: non-zero, flags clear. */
  private static final long UNTIMED = 4;

  private Hooks() {}

  /**
   * What a GIL does at the hooks: the calls instrumented code makes, forwarded as they come, on the
   * calling thread. Implementations must not throw; {@link Hooks} catches and reports what they do.
   */
  /** What {@link #enterNative} returns when the call is none of the GIL's business. */
  public static final int NATIVE_NOTHING = 0;

  public interface Gil {
    void checkpoint();

    /** Before a blocking call: drops the GIL if held; returns whether it did. */
    boolean beforeBlocking();

    /** After a blocking call for which {@link #beforeBlocking} returned true. */
    void afterBlocking();

    /** A registered thread starts {@code child}; returns whether this registered it. */
    boolean threadStarting(Thread child);

    /** {@code child}'s {@code start} threw after {@link #threadStarting} registered it. */
    void threadStartFailed(Thread child);

    /** A registered thread's first instruction: it takes the GIL. */
    void threadBegins();

    /** Numbers a library's native method as its class loads. */
    int nativeMethod(String name);

    /** Before a library's native call; returns what to pass to {@link #exitNative}. */
    int enterNative(int method);

    /** After that native call. */
    void exitNative(int entered);

    void threadEnded();

    void enterNoSwitch();

    void exitNoSwitch();

    void enterClassLoading();

    void exitClassLoading();

    /**
     * Whether the calling thread is inside the GIL's own code: its parks are then the GIL's, which
     * contention profiling leaves to the GIL's statistics.
     */
    boolean inside();

    /** Entering a lock acquisition that may block: returns whether to call {@link #acquireEnds}. */
    boolean acquireBegins();

    /** Leaving that acquisition: re-takes the GIL if a wait inside released it. */
    void acquireEnds();

    /** The calling thread unparked {@code thread}. */
    void unparked(Thread thread);

    /**
     * Whether entering {@code monitor} may block the calling thread: another thread holds it, or
     * may (its header does not say it is free).
     */
    boolean monitorHeld(Object monitor);

    /**
     * Before entering {@code monitor}, which another thread may own ({@link #monitorHeld}): as
     * {@link #beforeBlocking}, where the entry is likely to block.
     */
    boolean beforeMonitorEntry(Object monitor);

    /**
     * As {@link #afterBlocking}, the calling thread owning {@code monitor}: after blocking at its
     * entry, or in its {@code Object.wait}.
     */
    void afterBlockingOwning(Object monitor);

    /**
     * After entering {@code monitor} where {@link #beforeMonitorEntry} kept the GIL: re-takes it,
     * owning the monitor, if the entry blocked and the safety net released it meanwhile.
     */
    void enteredKeeping(Object monitor);

    /** Reports a failure of one of the calls above, once, on stderr. */
    void reportOnce(String what, Throwable t);
  }

  /**
   * What contention profiling does at the hooks. Implementations must not throw, allocate on their
   * fast paths, or call instrumented code.
   */
  public interface Profiling {
    /**
     * Before a woven {@code monitorenter}: 0 when the monitor is free, else a stamp for {@link
     * #monitorEntered}.
     */
    long monitorArrive(Object monitor);

    /** After that {@code monitorenter} at {@code where}. */
    void monitorEntered(Object monitor, long arrived, String where);

    /**
     * An {@code Object.wait} on {@code monitor} at {@code where}, begun at {@code startNanos},
     * returned or threw.
     */
    void objectWaited(Object monitor, long startNanos, String where);

    /**
     * A thread is about to park on {@code blocker} ({@code LockSupport.park*}): returns a stamp for
     * {@link #parkEnded}, 0 if this park is not timed.
     */
    long parkBegins(Object blocker);

    /** The park that {@link #parkBegins} stamped returned. */
    void parkEnded(Object blocker, long stamp);

    /** {@code java.nio.channels.Pipe.open()} made its two channels. */
    void nioPipeOpened(Object source, Object sink);

    /** A {@code PipedInputStream} was constructed. */
    void pipedStreamCreated(Object pipedInputStream);

    /** A child process started with these streams. */
    void processStarted(OutputStream stdin, InputStream stdout, InputStream stderr);

    /** Before a read from {@code end}: whether it is timed (then call {@link #pipeEnds}). */
    boolean pipeReadBegins(Object end);

    /** Before a write to {@code end}: as {@link #pipeReadBegins}. */
    boolean pipeWriteBegins(Object end);

    /** After a timed pipe call that moved {@code bytes}. */
    void pipeEnds(long bytes);
  }

  /** Installs the GIL whose hooks these become. */
  public static void installGil(Gil g) {
    gil = g;
  }

  /** Installs contention profiling: monitors, parks and pipes are timed from now on. */
  public static void installProfiling(Profiling p) {
    profiling = p;
  }

  /**
   * Installs what runs when JFR starts in this JVM ({@link #recorderStarts}): gil4j's events join
   * it. It must not throw, and may run more than once.
   */
  public static void installRecorderStarts(Runnable r) {
    recorderStarts = r;
  }

  /**
   * Entering {@code jdk.jfr.FlightRecorder.getFlightRecorder()}, through which JFR starts in a JVM
   * however it is started, and which JFR's users call now and then after: runs what {@link
   * #installRecorderStarts} installed, before JFR starts.
   */
  public static void recorderStarts() {
    Runnable r = recorderStarts;
    if (r != null) {
      try {
        r.run();
      } catch (Throwable t) {
        // JFR runs without gil4j's events; the application runs on.
      }
    }
  }

  /** The GIL's request for checkpoints (its eval breaker): while true, checkpoints call it. */
  public static void requestCheckpoints(boolean value) {
    pending = value;
  }

  /** Whether a GIL is installed. */
  public static boolean gilInstalled() {
    return gil != null;
  }

  /**
   * A checkpoint: placed at method entry and loop back-edges of application code. Small enough that
   * the JIT always inlines it.
   */
  public static void checkpoint() {
    if (pending) {
      checkpointSlow();
    }
  }

  /**
   * Whether the GIL requests checkpoints now, for a strip-mined loop's check between chunks: it
   * passes {@link #checkpoint} only when a request has outlived a whole chunk, so that the branch
   * that calls it, never taken where other checkpoints serve every request, stays out of the
   * compiled loop.
   */
  public static boolean checkpointRequested() {
    return pending;
  }

  private static void checkpointSlow() {
    Gil g = gil;
    if (g != null) {
      try {
        g.checkpoint();
      } catch (Throwable t) {
        g.reportOnce("checkpoint", t);
      }
    }
  }

  /**
   * Before a blocking call: drops the GIL if held. Returns whether to call {@link #afterBlocking}.
   */
  public static boolean beforeBlocking() {
    Gil g = gil;
    if (g == null) {
      return false;
    }
    try {
      return g.beforeBlocking();
    } catch (Throwable t) {
      g.reportOnce("before blocking", t);
      return false;
    }
  }

  /** After a blocking call: re-takes the GIL. */
  public static void afterBlocking() {
    retake();
  }

  /**
   * {@link #afterBlocking}'s work, which the wrappers here call directly. Every path from a caller
   * of this class to the GIL's wait is two frames of this class deep (an entry point and one
   * private method: {@link #checkpoint} and {@code checkpointSlow}, {@link #afterBlocking} or a
   * wrapper and this), so that every {@code gil4j.GilWait} commits at one depth, which JFR before
   * JDK 22 needs to leave gil4j's frames out of its stack traces.
   */
  private static void retake() {
    Gil g = gil;
    if (g != null) {
      try {
        g.afterBlocking();
      } catch (Throwable t) {
        g.reportOnce("after blocking", t);
      }
    }
  }

  /** {@link #retakeOwning} where the GIL was kept at the entry: see {@link Gil#enteredKeeping}. */
  private static void enteredKeeping(Object monitor) {
    Gil g = gil;
    if (g != null) {
      try {
        g.enteredKeeping(monitor);
      } catch (Throwable t) {
        g.reportOnce("monitor entered", t);
      }
    }
  }

  /** {@link #retake}, owning {@code monitor}: see {@link Gil#afterBlockingOwning}. */
  private static void retakeOwning(Object monitor) {
    Gil g = gil;
    if (g != null) {
      try {
        g.afterBlockingOwning(monitor);
      } catch (Throwable t) {
        g.reportOnce("after blocking", t);
      }
    }
  }

  /**
   * Entering a lock acquisition that may block: the GIL is released at its first wait and re-taken
   * only when the lock is owned, as CPython's lock acquire does. Returns whether to call {@link
   * #acquireEnds}.
   */
  public static boolean acquireBegins() {
    Gil g = gil;
    if (g == null) {
      return false;
    }
    try {
      return g.acquireBegins();
    } catch (Throwable t) {
      g.reportOnce("acquire begins", t);
      return false;
    }
  }

  /** Leaving a lock acquisition: re-takes the GIL if a wait inside released it. */
  public static void acquireEnds() {
    acquireEnded();
  }

  /** {@link #acquireEnds}'s work, one frame deeper: see {@link #retake}. */
  private static void acquireEnded() {
    Gil g = gil;
    if (g != null) {
      try {
        g.acquireEnds();
      } catch (Throwable t) {
        g.reportOnce("acquire ends", t);
      }
    }
  }

  /**
   * After {@code LockSupport.unpark(thread)}: a GIL holder that woke a thread waiting in a lock
   * acquisition yields its CPU once, so that the woken thread may try for the lock first, as it
   * often does against CPython's slower releaser.
   */
  public static void unparked(Thread thread) {
    Gil g = gil;
    if (g != null) {
      try {
        g.unparked(thread);
      } catch (Throwable t) {
        g.reportOnce("unparked", t);
      }
    }
  }

  /** Replaces {@code Object.wait()} in application code (native in JDK 17). */
  public static void objectWait(Object monitor) throws InterruptedException {
    boolean released = beforeBlocking();
    try {
      monitor.wait();
    } finally {
      if (released) {
        retakeOwning(monitor);
      }
    }
  }

  /** Replaces {@code Object.wait(long)} in application code. */
  public static void objectWait(Object monitor, long millis) throws InterruptedException {
    boolean released = beforeBlocking();
    try {
      monitor.wait(millis);
    } finally {
      if (released) {
        retakeOwning(monitor);
      }
    }
  }

  /**
   * Before a woven {@code monitorenter}: when the monitor may be held by another thread, the GIL
   * released for the wait where the entry is likely to block ({@link Gil#beforeMonitorEntry}), as
   * CPython releases it before blocking on a lock — the holder of the monitor may be waiting for
   * the GIL; with profiling installed, the wait is timed. Pass the result to {@link
   * #monitorEntered}: 0 for a free monitor, else a stamp whose lowest two bits say whether the GIL
   * was released and whether a GIL saw the arrival.
   */
  public static long monitorArrive(Object monitor) {
    Profiling p = profiling;
    Gil g = gil;
    long arrived;
    try {
      if (p != null) {
        arrived = p.monitorArrive(monitor);
      } else {
        arrived = g != null && g.monitorHeld(monitor) ? UNTIMED : 0;
      }
    } catch (Throwable t) {
      arrived = 0;
    }
    if (arrived == 0) {
      return 0;
    }
    long stamp = arrived & ~(RELEASED | SEEN);
    if (stamp == 0) {
      stamp = UNTIMED;
    }
    if (g == null) {
      return stamp;
    }
    return stamp | SEEN | (beforeMonitorEntry(g, monitor) ? RELEASED : 0);
  }

  private static boolean beforeMonitorEntry(Gil g, Object monitor) {
    try {
      return g.beforeMonitorEntry(monitor);
    } catch (Throwable t) {
      g.reportOnce("before monitor entry", t);
      return false;
    }
  }

  /**
   * After a woven {@code monitorenter}: records the wait, then re-takes a GIL released at the
   * arrival (or by the safety net during the entry), so that the wait for the GIL is not counted as
   * the monitor's.
   */
  public static void monitorEntered(Object monitor, long arrived, String where) {
    if (arrived == 0) {
      return;
    }
    Profiling p = profiling;
    if (p != null) {
      try {
        p.monitorEntered(monitor, arrived & ~(RELEASED | SEEN), where);
      } catch (Throwable t) {
        // This entry goes unrecorded; the application runs on.
      }
    }
    if ((arrived & RELEASED) != 0) {
      retakeOwning(monitor);
    } else if ((arrived & SEEN) != 0) {
      enteredKeeping(monitor);
    }
  }

  /** Replaces {@code Object.wait(long, int)} in application code. */
  public static void objectWait(Object monitor, long millis, int nanos)
      throws InterruptedException {
    boolean released = beforeBlocking();
    try {
      monitor.wait(millis, nanos);
    } finally {
      if (released) {
        retakeOwning(monitor);
      }
    }
  }

  /**
   * Replaces {@code Object.wait()} in profiled application code: as {@link #objectWait(Object)},
   * and the wait, GIL excluded, is recorded at {@code where} (the profiling installed).
   */
  public static void objectWait(Object monitor, String where) throws InterruptedException {
    boolean released = beforeBlocking();
    long start = System.nanoTime();
    try {
      monitor.wait();
    } finally {
      objectWaited(monitor, start, where);
      if (released) {
        retakeOwning(monitor);
      }
    }
  }

  /** Replaces {@code Object.wait(long)} in profiled application code; see above. */
  public static void objectWait(Object monitor, long millis, String where)
      throws InterruptedException {
    boolean released = beforeBlocking();
    long start = System.nanoTime();
    try {
      monitor.wait(millis);
    } finally {
      objectWaited(monitor, start, where);
      if (released) {
        retakeOwning(monitor);
      }
    }
  }

  /** Replaces {@code Object.wait(long, int)} in profiled application code; see above. */
  public static void objectWait(Object monitor, long millis, int nanos, String where)
      throws InterruptedException {
    boolean released = beforeBlocking();
    long start = System.nanoTime();
    try {
      monitor.wait(millis, nanos);
    } finally {
      objectWaited(monitor, start, where);
      if (released) {
        retakeOwning(monitor);
      }
    }
  }

  /** Replaces {@code Thread.sleep(long)} in application code (native in JDK 17). */
  public static void sleep(long millis) throws InterruptedException {
    boolean released = beforeBlocking();
    try {
      Thread.sleep(millis);
    } finally {
      if (released) {
        retake();
      }
    }
  }

  /** Replaces {@code Thread.yield()} in application code: a voluntary drop and re-take. */
  public static void yieldThread() {
    boolean released = beforeBlocking();
    try {
      Thread.yield();
    } finally {
      if (released) {
        retake();
      }
    }
  }

  /**
   * {@code Thread.start} is about to start {@code child}. Returns whether {@code child} was
   * registered by this call, to pass to {@link #threadStartEnded}.
   */
  public static boolean threadStarting(Thread child) {
    Gil g = gil;
    if (g != null) {
      try {
        return g.threadStarting(child);
      } catch (Throwable t) {
        g.reportOnce("thread start", t);
      }
    }
    return false;
  }

  /** {@code Thread.start} returned or threw; {@code registered} from {@link #threadStarting}. */
  public static void threadStartEnded(Throwable thrown, Thread child, boolean registered) {
    Gil g = gil;
    if (g != null && registered && thrown != null) {
      try {
        g.threadStartFailed(child);
      } catch (Throwable t) {
        g.reportOnce("thread start", t);
      }
    }
  }

  /**
   * A thread enters its {@code run}: a registered thread takes the GIL before its body's first
   * instruction.
   */
  public static void threadBegins() {
    threadBegun();
  }

  /** {@link #threadBegins}'s work, one frame deeper: see {@link #retake}. */
  private static void threadBegun() {
    Gil g = gil;
    if (g != null) {
      try {
        g.threadBegins();
      } catch (Throwable t) {
        g.reportOnce("thread run", t);
      }
    }
  }

  /** Numbers a library's native method that gil4j wraps, as its class loads; -1 without a GIL. */
  public static int nativeMethod(String name) {
    Gil g = gil;
    if (g == null) {
      return -1;
    }
    try {
      return g.nativeMethod(name);
    } catch (Throwable t) {
      g.reportOnce("native method", t);
      return -1;
    }
  }

  /**
   * Before a library's native method {@code method} (the woven wrapper calls it): the GIL may be
   * released while the thread sleeps inside the call. Returns what to pass to {@link #exitNative}.
   */
  public static int enterNative(int method) {
    Gil g = gil;
    if (g == null) {
      return NATIVE_NOTHING;
    }
    try {
      return g.enterNative(method);
    } catch (Throwable t) {
      g.reportOnce("native call", t);
      return NATIVE_NOTHING;
    }
  }

  /** After that native method, also when it threw: re-takes the GIL if it was released. */
  public static void exitNative(int entered) {
    if (entered != NATIVE_NOTHING) {
      nativeExited(entered);
    }
  }

  /** {@link #exitNative}'s work, one frame deeper: see {@link #retake}. */
  private static void nativeExited(int entered) {
    Gil g = gil;
    if (g != null) {
      try {
        g.exitNative(entered);
      } catch (Throwable t) {
        g.reportOnce("native call", t);
      }
    }
  }

  /** The calling thread is ending. */
  public static void threadEnded() {
    Gil g = gil;
    if (g != null) {
      try {
        g.threadEnded();
      } catch (Throwable t) {
        g.reportOnce("thread end", t);
      }
    }
  }

  /** Entering a static initializer: checkpoints do not hand the GIL over inside. */
  public static void enterNoSwitch() {
    Gil g = gil;
    if (g != null) {
      try {
        g.enterNoSwitch();
      } catch (Throwable t) {
        g.reportOnce("static initializer", t);
      }
    }
  }

  /** Leaving what {@link #enterNoSwitch} entered. */
  public static void exitNoSwitch() {
    Gil g = gil;
    if (g != null) {
      try {
        g.exitNoSwitch();
      } catch (Throwable t) {
        g.reportOnce("static initializer", t);
      }
    }
  }

  /** Entering class loading: the GIL does not change hands inside, not even at blocking points. */
  public static void enterClassLoading() {
    Gil g = gil;
    if (g != null) {
      try {
        g.enterClassLoading();
      } catch (Throwable t) {
        g.reportOnce("class loading", t);
      }
    }
  }

  /** Leaving what {@link #enterClassLoading} entered. */
  public static void exitClassLoading() {
    Gil g = gil;
    if (g != null) {
      try {
        g.exitClassLoading();
      } catch (Throwable t) {
        g.reportOnce("class loading", t);
      }
    }
  }

  private static void objectWaited(Object monitor, long start, String where) {
    Profiling p = profiling;
    if (p != null) {
      try {
        p.objectWaited(monitor, start, where);
      } catch (Throwable t) {
        // This wait goes unrecorded; the application runs on.
      }
    }
  }

  /**
   * Entering {@code LockSupport.park*} with {@code blocker} (null for none): returns a stamp for
   * {@link #parkEnded}, 0 when the park is not timed.
   */
  public static long parkBegins(Object blocker) {
    Profiling p = profiling;
    if (p == null) {
      return 0;
    }
    try {
      Gil g = gil;
      if (g != null && g.inside()) {
        return 0;
      }
      return p.parkBegins(blocker);
    } catch (Throwable t) {
      return 0;
    }
  }

  /** Leaving the park {@link #parkBegins} stamped. */
  public static void parkEnded(Object blocker, long stamp) {
    Profiling p = profiling;
    if (p != null && stamp != 0) {
      try {
        p.parkEnded(blocker, stamp);
      } catch (Throwable t) {
        // This park goes unrecorded; the application runs on.
      }
    }
  }

  /** {@code java.nio.channels.Pipe.open()} made its two channels. */
  public static void nioPipeOpened(Object source, Object sink) {
    Profiling p = profiling;
    if (p != null) {
      try {
        p.nioPipeOpened(source, sink);
      } catch (Throwable t) {
        // This pipe goes unprofiled.
      }
    }
  }

  /** A {@code PipedInputStream} was constructed. */
  public static void pipedStreamCreated(Object pipedInputStream) {
    Profiling p = profiling;
    if (p != null) {
      try {
        p.pipedStreamCreated(pipedInputStream);
      } catch (Throwable t) {
        // This pipe goes unprofiled.
      }
    }
  }

  /** A child process started with these streams. */
  public static void processStarted(OutputStream stdin, InputStream stdout, InputStream stderr) {
    Profiling p = profiling;
    if (p != null) {
      try {
        p.processStarted(stdin, stdout, stderr);
      } catch (Throwable t) {
        // These pipes go unprofiled.
      }
    }
  }

  /** Before a read from {@code end}: whether it is timed; then call {@link #pipeEnds} after it. */
  public static boolean pipeReadBegins(Object end) {
    Profiling p = profiling;
    try {
      return p != null && p.pipeReadBegins(end);
    } catch (Throwable t) {
      return false;
    }
  }

  /** Before a write to {@code end}: as {@link #pipeReadBegins}. */
  public static boolean pipeWriteBegins(Object end) {
    Profiling p = profiling;
    try {
      return p != null && p.pipeWriteBegins(end);
    } catch (Throwable t) {
      return false;
    }
  }

  /** After a pipe call {@link #pipeReadBegins} or {@link #pipeWriteBegins} timed. */
  public static void pipeEnds(long bytes) {
    Profiling p = profiling;
    if (p != null) {
      try {
        p.pipeEnds(bytes);
      } catch (Throwable t) {
        // This call goes unrecorded; the application runs on.
      }
    }
  }

  /**
   * Free space in a {@code PipedInputStream}'s circular buffer, from its fields {@code in} (where
   * the next byte goes, -1 when empty) and {@code out} (where the next byte is read): a receive of
   * more bytes than this waits for the reader.
   */
  public static int pipedFree(int in, int out, int capacity) {
    if (in < 0) {
      return capacity;
    }
    if (in == out) {
      return 0;
    }
    return in > out ? capacity - (in - out) : out - in;
  }
}

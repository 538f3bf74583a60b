package dev.gil4j.runtime;

import dev.gil4j.gil.internal.GilCore;
import dev.gil4j.profiler.Monitors;

/**
 * The one class that instrumented code calls: checkpoints in application code, and the release /
 * re-take around blocking points in the JDK. A no-op until the agent installs a GIL.
 *
 * <p><b>Guarantees.</b> No method throws into its caller except the blocking call it wraps (an
 * {@code InterruptedException} from {@code Object.wait}, for example); an internal failure is
 * reported once on stderr and the application runs on. No method calls instrumented code. The
 * checkpoint fast path is one volatile read and allocates nothing.
 */
public final class Hooks {
  /** The checkpoint fast path reads only this: CPython's eval breaker. */
  private static volatile boolean pending;

  private static volatile GilCore gil;

  private Hooks() {}

  /** The breaker a GIL installed here must drive. */
  public static GilCore.Breaker breaker() {
    return Breaker.INSTANCE;
  }

  /** Installs the GIL whose hooks these become. */
  public static void install(GilCore core) {
    gil = core;
  }

  /** The breaker written by the GIL: a class, not a lambda, to keep bootstrap code plain. */
  private enum Breaker implements GilCore.Breaker {
    INSTANCE;

    @Override
    public void set(boolean value) {
      pending = value;
    }
  }

  /** The installed GIL, or null. */
  public static GilCore gil() {
    return gil;
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

  private static void checkpointSlow() {
    GilCore g = gil;
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
    GilCore g = gil;
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
    GilCore g = gil;
    if (g != null) {
      try {
        g.afterBlocking();
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
    GilCore g = gil;
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
    GilCore g = gil;
    if (g != null) {
      try {
        g.acquireEnds();
      } catch (Throwable t) {
        g.reportOnce("acquire ends", t);
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
        afterBlocking();
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
        afterBlocking();
      }
    }
  }

  /**
   * Before a profiled {@code monitorenter}: {@link Monitors#arrive}, and when the monitor is held
   * by another thread, the GIL released for the wait, as CPython releases it before blocking on a
   * lock — the holder of the monitor may be waiting for the GIL. The lowest bit of the result says
   * whether it was released; pass the result to {@link #monitorEntered}.
   */
  public static long monitorArrive(Object monitor) {
    long arrived = Monitors.arrive(monitor);
    if (arrived == 0) {
      return 0;
    }
    long stamp = arrived & ~1L;
    return beforeBlocking() ? stamp | 1 : Math.max(stamp, 2);
  }

  /**
   * After a profiled {@code monitorenter}: records the wait, then re-takes a GIL released at the
   * arrival, so that the wait for the GIL is not counted as the monitor's.
   */
  public static void monitorEntered(Object monitor, long arrived, String where) {
    Monitors.entered(monitor, arrived, where);
    if ((arrived & 1) != 0) {
      afterBlocking();
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
        afterBlocking();
      }
    }
  }

  /**
   * Replaces {@code Object.wait()} in profiled application code: as {@link #objectWait(Object)},
   * and the wait, GIL excluded, is recorded at {@code where} ({@link Monitors#waited}).
   */
  public static void objectWait(Object monitor, String where) throws InterruptedException {
    boolean released = beforeBlocking();
    long start = System.nanoTime();
    try {
      monitor.wait();
    } finally {
      Monitors.waited(monitor, start, where);
      if (released) {
        afterBlocking();
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
      Monitors.waited(monitor, start, where);
      if (released) {
        afterBlocking();
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
      Monitors.waited(monitor, start, where);
      if (released) {
        afterBlocking();
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
        afterBlocking();
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
        afterBlocking();
      }
    }
  }

  /**
   * {@code Thread.start} is about to start {@code child}. Returns whether {@code child} was
   * registered by this call, to pass to {@link #threadStartEnded}.
   */
  public static boolean threadStarting(Thread child) {
    GilCore g = gil;
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
    GilCore g = gil;
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
    GilCore g = gil;
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
    GilCore g = gil;
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
    GilCore g = gil;
    if (g == null) {
      return GilCore.NATIVE_NOTHING;
    }
    try {
      return g.enterNative(method);
    } catch (Throwable t) {
      g.reportOnce("native call", t);
      return GilCore.NATIVE_NOTHING;
    }
  }

  /** After that native method, also when it threw: re-takes the GIL if it was released. */
  public static void exitNative(int entered) {
    if (entered == GilCore.NATIVE_NOTHING) {
      return;
    }
    GilCore g = gil;
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
    GilCore g = gil;
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
    GilCore g = gil;
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
    GilCore g = gil;
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
    GilCore g = gil;
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
    GilCore g = gil;
    if (g != null) {
      try {
        g.exitClassLoading();
      } catch (Throwable t) {
        g.reportOnce("class loading", t);
      }
    }
  }
}

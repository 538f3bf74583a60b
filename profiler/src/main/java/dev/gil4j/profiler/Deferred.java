package dev.gil4j.profiler;

/**
 * Work the agent leaves until the runtime first needs it, so that a start that never needs it (a
 * hello world) does not pay for it: the agent {@link #install installs} the action at start, and
 * the runtime code that depends on it calls {@link #run} first. The runtime has no {@code
 * Instrumentation}; the action brings the agent's.
 *
 * <p><b>Assumptions and guarantees.</b> The action runs at most once, on the first thread that
 * calls {@link #run}; a thread that calls it meanwhile waits until it has finished, and every call
 * after returns at once (one volatile read). A call from inside the action returns at once. The
 * action's failure is swallowed: the code that needed it finds what it needs missing and falls back
 * as it would without the agent. Without an installed action, {@link #run} does nothing.
 */
public final class Deferred {
  /**
   * Opens to the runtime the JDK packages it reads beyond the public API: {@code jdk.internal.misc}
   * ({@link Monitors}), {@code sun.nio.ch} (a multiprocessing connection's file descriptor), {@code
   * java.io} ({@link Pipes}, the file stream inside a process stream) and {@code jdk.jfr.internal}
   * ({@code OwnFrames}).
   */
  public static final Deferred JDK_ACCESS = new Deferred();

  /**
   * Weaves the pipe timing into the JDK's file streams, where only a child process's pipes need it:
   * run when the first child process starts. With the GIL on, the file streams are blocking points
   * woven at start, and nothing is installed here.
   */
  public static final Deferred PROCESS_STREAMS = new Deferred();

  private volatile Runnable action;

  // Guarded by this: the thread running the action.
  private Thread running;

  private Deferred() {}

  /** Makes {@code action} what the first {@link #run} runs; it must not throw. */
  public void install(Runnable action) {
    this.action = action;
  }

  /** Runs the installed action if no call has yet; returns once it has run. */
  public void run() {
    if (action == null) {
      return;
    }
    synchronized (this) {
      Runnable a = action;
      if (a == null || running == Thread.currentThread()) {
        return;
      }
      running = Thread.currentThread();
      try {
        a.run();
      } catch (Throwable t) {
        // what the action arranges stays missing; its users fall back
      } finally {
        // after the action, so that a thread arriving meanwhile waits above instead of going on
        action = null;
        running = null;
      }
    }
  }
}

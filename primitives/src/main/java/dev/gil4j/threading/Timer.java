package dev.gil4j.threading;

/**
 * Python's {@code threading.Timer}: a thread that runs a function after an interval unless
 * cancelled first.
 *
 * <p><b>Assumptions and guarantees.</b> Start it with {@link #start()}, once. Its thread waits
 * {@code interval} seconds (with the GIL released, under the gil4j agent), then runs the function
 * unless {@link #cancel()} was called before the wait ended. {@link #finished()} is set by {@code
 * cancel()} and after the function returns (not if it throws, as in CPython). A negative interval
 * runs the function at once, as in CPython. The function runs at most once, on the timer's thread;
 * an exception it throws ends that thread through its uncaught-exception handler (Python's {@code
 * threading.excepthook}), which {@link #setUncaughtExceptionHandler} replaces. Interrupting the
 * thread does not cancel the timer; {@code cancel()} does. Like any thread, a timer is a daemon if
 * the thread that creates it is one. The timer's wait is not recorded as contention: it is a
 * scheduled delay, not a wait for another thread.
 *
 * <p><b>Joining.</b> {@link #join()} and {@link #join(double)} take seconds, like every gil4j
 * timeout, release the GIL while they wait, and are not interruptible (an interrupt is kept and set
 * again when the wait returns), like the other waits in this package.
 *
 * <p><b>Errors</b>, with CPython's messages: starting twice ("threads can only be started once"),
 * joining before {@code start} ("cannot join thread before it is started") and joining from the
 * timer's own function ("cannot join current thread") throw {@link IllegalMonitorStateException},
 * this package's {@code RuntimeError}.
 *
 * <p><b>Where Java forces a difference.</b> Python's {@code Timer} is a {@code Thread}; this one is
 * not a {@link Thread} but runs on one: {@code Thread.join(long)} is final and counts milliseconds,
 * and {@code Thread.start} throws {@link IllegalThreadStateException} (an {@code
 * IllegalArgumentException}, Python's {@code ValueError} here) — neither could keep Python's
 * meaning in a subclass.
 *
 * <p>Example use:
 *
 * <pre>{@code
 * Timer timeout = new Timer(30.0, () -> connection.close());
 * timeout.start();
 * ...
 * timeout.cancel();
 * }</pre>
 */
public final class Timer {
  private final double interval;
  private final Runnable function;
  private final Event finished = new Event(Probe.NONE);

  /** Set when the thread's body has ended, however: what {@link #join} waits for. */
  private final Event ended = new Event(Probe.NONE);

  private final Thread thread;
  private boolean started;

  /**
   * A timer that will run {@code function} {@code interval} seconds after {@link #start()}.
   *
   * @throws IllegalArgumentException if {@code interval} is NaN
   * @throws ArithmeticException if {@code interval} exceeds {@link Lock#TIMEOUT_MAX}
   * @throws NullPointerException if {@code function} is null
   */
  public Timer(double interval, Runnable function) {
    Timeouts.forWait(interval);
    if (function == null) {
      throw new NullPointerException("function");
    }
    this.interval = interval;
    this.function = function;
    this.thread = new Thread(this::body);
  }

  /**
   * Starts the timer's thread (Python's {@code start}).
   *
   * @throws IllegalMonitorStateException "threads can only be started once"
   */
  public void start() {
    synchronized (this) {
      if (started) {
        throw new IllegalMonitorStateException("threads can only be started once");
      }
      started = true;
    }
    thread.start();
  }

  /** Stops the timer if it has not run its function yet; harmless afterwards. */
  public void cancel() {
    finished.set();
  }

  /**
   * Waits until the timer's thread has ended: cancelled, or its function returned or threw.
   *
   * @throws IllegalMonitorStateException if not started, or called on the timer's own thread
   */
  public void join() {
    join(-1);
  }

  /**
   * Waits at most {@code timeout} seconds ({@code -1}: no limit; other negatives: not at all) for
   * the timer's thread to end; returns whether it has. Python's {@code join(timeout)} returns
   * nothing: there one asks {@code is_alive()}.
   *
   * @throws IllegalMonitorStateException "cannot join thread before it is started", "cannot join
   *     current thread"
   * @throws IllegalArgumentException if {@code timeout} is NaN
   */
  public boolean join(double timeout) {
    synchronized (this) {
      if (!started) {
        throw new IllegalMonitorStateException("cannot join thread before it is started");
      }
    }
    if (Thread.currentThread() == thread) {
      throw new IllegalMonitorStateException("cannot join current thread");
    }
    if (!ended.await(timeout)) {
      return false;
    }
    // The body has returned; the thread itself ends a few instructions later.
    boolean interrupted = false;
    while (true) {
      try {
        thread.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    return true;
  }

  /** Whether the timer's thread has started and not ended. Python: {@code is_alive()}. */
  public boolean isAlive() {
    return thread.isAlive();
  }

  /** The delay, in seconds, between {@link #start()} and running the function. */
  public double interval() {
    return interval;
  }

  /** Set once the timer ran its function or was cancelled. Python: {@code finished}. */
  public Event finished() {
    return finished;
  }

  /** The thread's name. Python: {@code name}. */
  public String getName() {
    return thread.getName();
  }

  /** Renames the thread. */
  public void setName(String name) {
    thread.setName(name);
  }

  /** Whether the thread is a daemon. Python: {@code daemon}. */
  public boolean isDaemon() {
    return thread.isDaemon();
  }

  /**
   * Makes the thread a daemon (or not); only before {@link #start()}.
   *
   * @throws IllegalMonitorStateException "cannot set daemon status of active thread"
   */
  public synchronized void setDaemon(boolean daemon) {
    if (started) {
      throw new IllegalMonitorStateException("cannot set daemon status of active thread");
    }
    thread.setDaemon(daemon);
  }

  /** What handles an exception thrown by the function (Python's {@code threading.excepthook}). */
  public void setUncaughtExceptionHandler(Thread.UncaughtExceptionHandler handler) {
    thread.setUncaughtExceptionHandler(handler);
  }

  /**
   * Waits the interval, then runs the function unless cancelled — on the calling thread, as
   * Python's {@code Timer.run()} does when called directly.
   */
  public void run() {
    // Not -1, which would mean "forever": CPython's negative interval does not wait.
    finished.await(Math.max(0, interval));
    if (!finished.isSet()) {
      function.run();
    }
    finished.set();
  }

  private void body() {
    try {
      run();
    } finally {
      ended.set();
    }
  }

  @Override
  public String toString() {
    return "<Timer(" + thread.getName() + ", " + state() + (isDaemon() ? " daemon" : "") + ")>";
  }

  private String state() {
    synchronized (this) {
      if (!started) {
        return "initial";
      }
    }
    return thread.isAlive() ? "started" : "stopped";
  }
}

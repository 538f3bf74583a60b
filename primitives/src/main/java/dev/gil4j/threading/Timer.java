package dev.gil4j.threading;

/**
 * Python's {@code threading.Timer}: a thread that runs a function after an interval unless
 * cancelled first.
 *
 * <p><b>Assumptions and guarantees.</b> Start it with {@link #start()}. Its thread waits {@code
 * interval} seconds (with the GIL released, under the gil4j agent), then runs the function unless
 * {@link #cancel()} was called before the wait ended. {@link #finished()} is set by {@code
 * cancel()} and after the function returns (not if it throws, as in CPython). A negative interval
 * runs the function at once, as in CPython. The function runs at most once, on the timer's thread;
 * an exception it throws ends that thread through its uncaught-exception handler. Interrupting the
 * thread does not cancel the timer; {@code cancel()} does. Like any thread, a timer is a daemon if
 * the thread that creates it is one. The timer's wait is not recorded as contention: it is a
 * scheduled delay, not a wait for another thread.
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
public class Timer extends Thread {
  private final double interval;
  private final Runnable function;
  private final Event finished = new Event(Probe.NONE);

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
  }

  /** Stops the timer if it has not run its function yet; harmless afterwards. */
  public void cancel() {
    finished.set();
  }

  /** The delay, in seconds, between {@link #start()} and running the function. */
  public double interval() {
    return interval;
  }

  /** Set once the timer ran its function or was cancelled. Python: {@code finished}. */
  public Event finished() {
    return finished;
  }

  /** Waits the interval, then runs the function unless cancelled. */
  @Override
  public void run() {
    // Not -1, which would mean "forever": CPython's negative interval does not wait.
    finished.await(Math.max(0, interval));
    if (!finished.isSet()) {
      function.run();
    }
    finished.set();
  }
}

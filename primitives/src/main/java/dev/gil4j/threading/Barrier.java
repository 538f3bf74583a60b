package dev.gil4j.threading;

/**
 * Python's {@code threading.Barrier}: a fixed number of threads ("parties") meet at {@link #await}
 * and leave together, again and again. Python's {@code wait} is {@code await} here, because {@code
 * java.lang.Object} owns {@code wait()}.
 *
 * <p><b>Assumptions and guarantees.</b>
 *
 * <ul>
 *   <li><i>Blocking:</i> {@code await} blocks, with the GIL released (under the gil4j agent), until
 *       {@code parties} threads have called it; then all return, each with a distinct index from 0
 *       (first to arrive) to {@code parties - 1} (last). The last to arrive runs the action, if
 *       any, before any of them is released. Threads that arrive while the previous round is still
 *       leaving wait for it to finish, so rounds never mix.
 *   <li><i>Breaking:</i> {@link #abort()}, a wait that times out, or an action that throws leave
 *       the barrier broken: every waiting thread and every later {@code await} throws {@link
 *       BrokenBarrierError} until {@link #reset()}. The thread whose action threw gets the action's
 *       exception instead.
 *   <li><i>Reset:</i> {@link #reset()} makes waiting threads throw {@link BrokenBarrierError} and
 *       returns the barrier to its initial state once they have left.
 *   <li><i>Fairness:</i> not applicable: a full round leaves together.
 *   <li><i>Interruption:</i> waiting is not interruptible; an interrupt is kept and re-asserted on
 *       return.
 *   <li><i>Timeouts:</i> seconds; {@code -1} (Python's {@code None}) means the barrier's default
 *       timeout, itself {@code -1} (forever) unless given. A value {@code <= 0} breaks the barrier
 *       at once unless this call completes it.
 *   <li><i>Errors:</i> {@code parties < 1} throws {@link IllegalArgumentException} ("parties must
 *       be > 0", Python 3.13's check; 3.12 accepted such a barrier, whose waits never complete).
 *   <li><i>Measured:</i> each wait that blocks records its wait under kind {@code Barrier} and the
 *       barrier's creation site.
 * </ul>
 *
 * <p>Example use:
 *
 * <pre>{@code
 * Barrier round = new Barrier(4, () -> swapBuffers(), -1);
 * // in each of 4 threads:
 * for (int step = 0; step < steps; step++) {
 *   compute(step);
 *   round.await();
 * }
 * }</pre>
 */
public final class Barrier {
  private static final int FILLING = 0;
  private static final int DRAINING = 1;
  private static final int RESETTING = -1;
  private static final int BROKEN = -2;

  private final Lock lock = new Lock(Probe.NONE);
  private final Condition cond;
  private final Runnable action;
  private final double timeout;
  private final int parties;

  // Guarded by lock; volatile for nWaiting() and broken(), which read without it as Python does.
  private volatile int state = FILLING;
  private volatile int count;

  /**
   * A barrier for {@code parties} threads, without action or default timeout.
   *
   * @throws IllegalArgumentException if {@code parties < 1}
   */
  public Barrier(int parties) {
    this(parties, null, -1);
  }

  /**
   * A barrier for {@code parties} threads whose last arrival runs {@code action} (may be null)
   * before releasing the others.
   *
   * @throws IllegalArgumentException if {@code parties < 1}
   */
  public Barrier(int parties, Runnable action) {
    this(parties, action, -1);
  }

  /**
   * A barrier for {@code parties} threads, with an {@code action} (may be null) and a default
   * {@code timeout} in seconds for {@link #await()} ({@code -1}: none).
   *
   * @throws IllegalArgumentException if {@code parties < 1} or {@code timeout} is NaN
   * @throws ArithmeticException if {@code timeout} exceeds {@link Lock#TIMEOUT_MAX}
   */
  public Barrier(int parties, Runnable action, double timeout) {
    if (parties < 1) {
      throw new IllegalArgumentException("parties must be > 0");
    }
    Timeouts.forWait(timeout);
    this.cond = new Condition(lock, Probe.create("Barrier"));
    this.action = action;
    this.timeout = timeout;
    this.parties = parties;
  }

  /**
   * Waits, with the default timeout, until all parties have arrived; returns this thread's arrival
   * index, 0 to {@code parties - 1}. Python: {@code wait()}.
   *
   * @throws BrokenBarrierError if the barrier is or becomes broken, or is reset, while waiting
   */
  public int await() {
    return await(-1);
  }

  /**
   * Waits at most {@code timeout} seconds ({@code -1}: the default timeout) until all parties have
   * arrived; returns this thread's arrival index. Python: {@code wait(timeout)}.
   *
   * @throws BrokenBarrierError if the barrier is or becomes broken, is reset, or the wait times out
   *     (which breaks it)
   */
  public int await(double timeout) {
    double t = timeout == -1 ? this.timeout : timeout;
    Timeouts.forWait(t);
    lock.acquire();
    try {
      enterRound();
      int index = count;
      count = index + 1;
      try {
        if (index + 1 == parties) {
          releaseAll();
        } else {
          waitForRelease(t);
        }
        return index;
      } finally {
        count--;
        exitRound();
      }
    } finally {
      lock.release();
    }
  }

  /** Waits while the previous round drains or a reset completes; fails if broken. */
  private void enterRound() {
    while (state == DRAINING || state == RESETTING) {
      cond.await();
    }
    if (state < 0) {
      throw new BrokenBarrierError();
    }
  }

  /** The last arrival: run the action, then let everyone go. */
  private void releaseAll() {
    try {
      if (action != null) {
        action.run();
      }
      state = DRAINING;
      cond.signalAll();
    } catch (Throwable t) {
      breakBarrier();
      throw t;
    }
  }

  private void waitForRelease(double timeout) {
    if (!cond.awaitFor(() -> state != FILLING, timeout)) {
      breakBarrier();
      throw new BrokenBarrierError();
    }
    if (state < 0) {
      throw new BrokenBarrierError();
    }
  }

  /** The last thread out of a draining or resetting barrier opens it for the next round. */
  private void exitRound() {
    if (count == 0 && (state == RESETTING || state == DRAINING)) {
      state = FILLING;
      cond.signalAll();
    }
  }

  /**
   * Returns the barrier to its initial state; threads waiting in it throw {@link
   * BrokenBarrierError}.
   */
  public void reset() {
    lock.acquire();
    try {
      if (count > 0) {
        if (state == FILLING || state == BROKEN) {
          state = RESETTING;
        }
      } else {
        state = FILLING;
      }
      cond.signalAll();
    } finally {
      lock.release();
    }
  }

  /**
   * Breaks the barrier: waiting threads and later {@link #await} calls throw {@link
   * BrokenBarrierError} until {@link #reset()}.
   */
  public void abort() {
    lock.acquire();
    try {
      breakBarrier();
    } finally {
      lock.release();
    }
  }

  private void breakBarrier() {
    state = BROKEN;
    cond.signalAll();
  }

  /** How many threads must call {@link #await} to pass the barrier. */
  public int parties() {
    return parties;
  }

  /** How many threads are waiting in the current round. Python: {@code n_waiting}. */
  public int nWaiting() {
    return state == FILLING ? count : 0;
  }

  /** Whether the barrier is broken. */
  public boolean broken() {
    return state == BROKEN;
  }

  /**
   * Python's repr: {@code <dev.gil4j.threading.Barrier at 0x1b6d3586: waiters=2/3>}, or {@code ...:
   * broken>}.
   */
  @Override
  public String toString() {
    String head =
        "<" + getClass().getName() + " at 0x" + Integer.toHexString(System.identityHashCode(this));
    return broken() ? head + ": broken>" : head + ": waiters=" + nWaiting() + "/" + parties + ">";
  }
}

package dev.gil4j.multiprocessing;

import java.io.IOException;
import java.io.Serializable;
import java.util.function.BooleanSupplier;

/**
 * A condition variable shared by a process and its children: Python's {@code
 * multiprocessing.Condition}, over a cross-process {@link RLock} (the default, as in CPython) or
 * {@link Lock}. Python's {@code wait}, {@code wait_for}, {@code notify} and {@code notify_all} are
 * {@link #await}, {@link #awaitFor}, {@link #signal} and {@link #signalAll} here, as in {@code
 * dev.gil4j.threading.Condition}.
 *
 * <p><b>Guarantees.</b>
 *
 * <ul>
 *   <li><i>Ownership:</i> waiting and signalling need the lock: for an {@link RLock}, held by the
 *       calling thread; for a {@link Lock}, locked by anyone (threading's test; CPython's
 *       multiprocessing also asks that the caller be the thread that locked it).
 *   <li><i>Blocking:</i> {@link #await} releases the lock completely (an {@link RLock} at every
 *       level), waits, with gil4j's GIL released, to be signalled by a thread of any process, then
 *       re-acquires it at the same level before returning, also when it timed out.
 *   <li><i>Order:</i> signals wake waiters in the order they began to wait, in whichever process
 *       they are; no spurious wake-ups.
 *   <li><i>Interruption:</i> not interruptible; an interrupt is kept and set again on return.
 *   <li><i>Timeouts:</i> seconds; {@code -1} (Python's {@code None}) waits until signalled, any
 *       other value {@code <= 0} does not wait.
 *   <li><i>Sharing:</i> create the condition in the process that created its lock, and give it to
 *       children by capturing it in their {@link Task}; its state stays in the creating process
 *       (see {@link Shared}), in a {@code dev.gil4j.threading.Condition} over the lock's state. The
 *       predicate of {@link #awaitFor} runs in the calling process.
 *   <li><i>A waiter that dies:</i> the creating process's thread that waited on its behalf stays
 *       queued until signalled (or its timeout passes), so one signal can go to a dead waiter — as
 *       in CPython, whose sleeping waiter count does not shrink when a waiter dies. Then it lets go
 *       of the {@link RLock} levels it re-acquired for the dead thread.
 *   <li><i>Measured:</i> each wait that blocks is recorded under kind {@code Condition} and the
 *       line that created the condition, in the waiting process and in the creating process.
 * </ul>
 *
 * <p><b>Errors</b>: waiting or signalling without the lock — {@link IllegalMonitorStateException}
 * "cannot wait on un-acquired lock", "cannot notify on un-acquired lock" (Python's {@code
 * RuntimeError} in threading; multiprocessing's {@code AssertionError}); NaN timeouts — {@link
 * IllegalArgumentException}. In a child, the creating process gone — {@link IOException}.
 */
public final class Condition extends SharedPrimitive {
  private static final long serialVersionUID = 1L;

  private final transient SharedLock lock;
  private final transient dev.gil4j.threading.Condition local;

  /** A condition over a new {@link RLock}, owned by this process. */
  public Condition() {
    this(new RLock());
  }

  /**
   * A condition over {@code lock} (a {@link Lock} or an {@link RLock}), owned by this process.
   *
   * @throws IllegalArgumentException if {@code lock} was created by another process
   */
  public Condition(SharedLock lock) {
    super("Condition");
    this.lock = lock;
    this.local =
        new dev.gil4j.threading.Condition(
            lock instanceof RLock r ? ownedBy(r).local() : ownedBy((Lock) lock).local());
  }

  Condition(Handle h) {
    super(h);
    this.lock = (SharedLock) h.extra();
    this.local = null;
  }

  private static <L extends SharedPrimitive> L ownedBy(L lock) {
    if (!lock.owned()) {
      throw new IllegalArgumentException(
          "a Condition must be created in the process that created its lock");
    }
    return lock;
  }

  @Override
  Serializable extra() {
    return (Serializable) lock;
  }

  /** Acquires the lock; Python's {@code acquire()}. */
  public boolean acquire() throws IOException {
    return acquire(true, -1);
  }

  /** Acquires the lock; if {@code blocking} is false, only if that needs no wait. */
  public boolean acquire(boolean blocking) throws IOException {
    return acquire(blocking, -1);
  }

  /** Acquires the lock, waiting at most {@code timeout} seconds ({@code -1}: no limit). */
  public boolean acquire(boolean blocking, double timeout) throws IOException {
    return lock instanceof RLock r
        ? r.acquire(blocking, timeout)
        : ((Lock) lock).acquire(blocking, timeout);
  }

  /** Releases the lock (one level of an {@link RLock}). */
  public void release() throws IOException {
    lock.release();
  }

  /**
   * Waits until signalled; returns {@code true}. Python: {@code wait()}.
   *
   * @throws IllegalMonitorStateException if the lock is not held
   */
  public boolean await() throws IOException {
    return await(-1);
  }

  /**
   * Waits until signalled or {@code timeout} seconds have passed; returns whether it was signalled.
   * Python: {@code wait(timeout)}.
   *
   * @throws IllegalMonitorStateException if the lock is not held
   */
  public boolean await(double timeout) throws IOException {
    return call(Shared.WAIT, true, timeoutFor(true, timeout), 0).value() != 0;
  }

  /**
   * Waits until {@code predicate}, evaluated in this process with the lock held, is true; returns
   * {@code true}. Python: {@code wait_for(predicate)}.
   */
  public boolean awaitFor(BooleanSupplier predicate) throws IOException {
    return awaitFor(predicate, -1);
  }

  /**
   * Waits until {@code predicate} is true or {@code timeout} seconds have passed in all; returns
   * the predicate's last value. Python: {@code wait_for(predicate, timeout)}.
   */
  public boolean awaitFor(BooleanSupplier predicate, double timeout) throws IOException {
    timeoutFor(true, timeout);
    long deadline = 0;
    boolean first = true;
    boolean result = predicate.getAsBoolean();
    while (!result) {
      double wait = -1;
      if (timeout != -1) {
        if (first) {
          deadline = System.nanoTime() + (long) (Math.max(0, timeout) * 1e9);
          wait = timeout;
          first = false;
        } else {
          wait = (deadline - System.nanoTime()) / 1e9;
          if (wait <= 0) {
            break;
          }
        }
      }
      await(wait);
      result = predicate.getAsBoolean();
    }
    return result;
  }

  /**
   * Wakes the longest-waiting thread, in any process, if any. Python: {@code notify()}.
   *
   * @throws IllegalMonitorStateException if the lock is not held
   */
  public void signal() throws IOException {
    signal(1);
  }

  /**
   * Wakes at most {@code n} waiting threads, longest-waiting first; none if {@code n <= 0}. Python:
   * {@code notify(n)}.
   *
   * @throws IllegalMonitorStateException if the lock is not held
   */
  public void signal(int n) throws IOException {
    call(Shared.NOTIFY, false, -1, n);
  }

  /**
   * Wakes every waiting thread of every process. Python: {@code notify_all()}.
   *
   * @throws IllegalMonitorStateException if the lock is not held
   */
  public void signalAll() throws IOException {
    signal(Integer.MAX_VALUE);
  }

  @Override
  Shared.Result serve(byte op, boolean blocking, double timeout, int n) {
    switch (op) {
      case Shared.WAIT -> {
        long start = System.nanoTime();
        boolean signalled = local.await(timeout);
        long waited = System.nanoTime() - start;
        boolean waits = timeout == -1 || timeout > 0;
        return new Shared.Result(signalled ? 1 : 0, waits ? waited : 0);
      }
      case Shared.NOTIFY -> {
        local.signal(n);
        return new Shared.Result(0, 0);
      }
      default -> throw new IllegalStateException("not a Condition operation: " + op);
    }
  }
}

package dev.gil4j.threading;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BooleanSupplier;

/**
 * Python's {@code threading.Condition}: a condition variable over a lock ({@link RLock} by
 * default). Python's {@code wait}, {@code wait_for}, {@code notify} and {@code notify_all} are
 * {@link #await}, {@link #awaitFor}, {@link #signal} and {@link #signalAll} here, because {@code
 * java.lang.Object} owns {@code wait()} and {@code notify()}.
 *
 * <p><b>Assumptions and guarantees.</b>
 *
 * <ul>
 *   <li><i>Ownership:</i> waiting and signalling need the lock. "Held" means held by the calling
 *       thread for an {@link RLock}, locked by anyone for a {@link Lock} (Python's test for a plain
 *       lock), and "cannot be acquired without blocking" for any other {@link Acquirable}.
 *   <li><i>Blocking:</i> {@link #await} releases the lock completely (an {@link RLock} at every
 *       recursion level), waits to be signalled, then re-acquires it at the same level before
 *       returning — also when it timed out. While it waits it has released the GIL (under the gil4j
 *       agent).
 *   <li><i>Order:</i> signals wake waiters in the order they began to wait (FIFO), as CPython's
 *       deque of waiters does. There are no spurious wake-ups. A signal never goes to a waiter that
 *       has already timed out; it wakes the next one instead.
 *   <li><i>Interruption:</i> waiting is not interruptible; an interrupt is kept and re-asserted on
 *       return.
 *   <li><i>Timeouts:</i> seconds; {@code -1} (Python's {@code None}) waits until signalled; any
 *       other value {@code <= 0} does not wait at all. NaN throws {@link IllegalArgumentException},
 *       more than {@link Lock#TIMEOUT_MAX} {@link ArithmeticException}.
 *   <li><i>Errors:</i> waiting or signalling without holding the lock throws {@link
 *       IllegalMonitorStateException} ("cannot wait on un-acquired lock", "cannot notify on
 *       un-acquired lock"; Python's {@code RuntimeError}).
 *   <li><i>Measured:</i> each wait that blocks records how long it waited to be signalled, under
 *       kind {@code Condition} and the condition's creation site; re-acquiring the lock is recorded
 *       by the lock.
 * </ul>
 *
 * <p>Example use:
 *
 * <pre>{@code
 * Condition ready = new Condition();
 * try (Held held = ready.enter()) {
 *   ready.awaitFor(() -> !queue.isEmpty());
 *   item = queue.poll();
 * }
 * }</pre>
 */
public final class Condition implements Acquirable {
  private final Acquirable lock;

  /** How ownership is tested and the lock let go while waiting: {@code _release_save} etc. */
  private final RLock reentrant;

  private final Lock plain;
  private final ConcurrentLinkedQueue<Waiter> waiters = new ConcurrentLinkedQueue<>();
  private final Probe probe;

  /** A condition over a new {@link RLock}. */
  public Condition() {
    this(null, null);
  }

  /**
   * A condition over {@code lock}, or over a new {@link RLock} if {@code lock} is null (Python's
   * {@code Condition(None)}). A {@code Condition} passed as the lock contributes its own lock.
   */
  public Condition(Acquirable lock) {
    this(lock, null);
  }

  Condition(Acquirable lock, Probe probe) {
    Acquirable base = lock instanceof Condition c ? c.lock : lock;
    this.lock = base == null ? new RLock() : base;
    this.reentrant = this.lock instanceof RLock r ? r : null;
    this.plain = this.lock instanceof Lock l ? l : null;
    this.probe = probe == null ? Probe.create("Condition") : probe;
  }

  @Override
  public boolean acquire() {
    return lock.acquire();
  }

  @Override
  public boolean acquire(boolean blocking) {
    return lock.acquire(blocking);
  }

  @Override
  public boolean acquire(double timeout) {
    return lock.acquire(timeout);
  }

  @Override
  public boolean acquire(boolean blocking, double timeout) {
    return lock.acquire(blocking, timeout);
  }

  @Override
  public void release() {
    lock.release();
  }

  @Override
  public Held enter() {
    return lock.enter();
  }

  /**
   * Waits until signalled; returns {@code true}. Python: {@code wait()}.
   *
   * @throws IllegalMonitorStateException if the lock is not held
   */
  public boolean await() {
    return awaitNanos(Timeouts.FOREVER);
  }

  /**
   * Waits until signalled or until {@code timeout} seconds have passed; returns whether it was
   * signalled. Python: {@code wait(timeout)}.
   *
   * @throws IllegalMonitorStateException if the lock is not held
   */
  public boolean await(double timeout) {
    return awaitNanos(Timeouts.forWait(timeout));
  }

  private boolean awaitNanos(long nanos) {
    if (!isOwned()) {
      throw new IllegalMonitorStateException("cannot wait on un-acquired lock");
    }
    Waiter waiter = new Waiter();
    // Queued before the lock is let go, so that a signal sent right after cannot miss it.
    waiters.add(waiter);
    int saved;
    try {
      saved = releaseSave();
    } catch (RuntimeException | Error e) {
      // A waiter left queued would swallow a later signal.
      waiter.cancel();
      waiters.remove(waiter);
      throw e;
    }
    boolean signalled = false;
    try {
      if (nanos == 0) {
        signalled = !waiter.cancel();
      } else {
        long start = System.nanoTime();
        signalled = Blocking.park(waiter, nanos);
        probe.waited(System.nanoTime() - start);
      }
      return signalled;
    } finally {
      acquireRestore(saved);
      if (!signalled) {
        waiters.remove(waiter);
      }
    }
  }

  /**
   * Waits until {@code predicate} is true; returns its last value ({@code true}). Python: {@code
   * wait_for(predicate)}. The predicate is evaluated with the lock held, first before any wait.
   */
  public boolean awaitFor(BooleanSupplier predicate) {
    return awaitFor(predicate, -1);
  }

  /**
   * Waits until {@code predicate} is true or {@code timeout} seconds have passed in all; returns
   * the predicate's last value. Python: {@code wait_for(predicate, timeout)}.
   */
  public boolean awaitFor(BooleanSupplier predicate, double timeout) {
    long total = Timeouts.forWait(timeout);
    long deadline = 0;
    boolean first = true;
    boolean result = predicate.getAsBoolean();
    while (!result) {
      long wait = Timeouts.FOREVER;
      if (timeout != -1) {
        if (first) {
          deadline = System.nanoTime() + total;
          wait = total;
          first = false;
        } else {
          wait = deadline - System.nanoTime();
          if (wait <= 0) {
            break;
          }
        }
      }
      awaitNanos(wait);
      result = predicate.getAsBoolean();
    }
    return result;
  }

  /**
   * Wakes one waiting thread, if any. Python: {@code notify()}.
   *
   * @throws IllegalMonitorStateException if the lock is not held
   */
  public void signal() {
    signal(1);
  }

  /**
   * Wakes at most {@code n} waiting threads, longest waiting first; nothing if {@code n <= 0}.
   * Python: {@code notify(n)}.
   *
   * @throws IllegalMonitorStateException if the lock is not held
   */
  public void signal(int n) {
    if (!isOwned()) {
      throw new IllegalMonitorStateException("cannot notify on un-acquired lock");
    }
    while (n > 0) {
      Waiter waiter = waiters.poll();
      if (waiter == null) {
        return;
      }
      if (waiter.signal()) {
        n--;
      }
    }
  }

  /**
   * Wakes every waiting thread. Python: {@code notify_all()}.
   *
   * @throws IllegalMonitorStateException if the lock is not held
   */
  public void signalAll() {
    signal(Integer.MAX_VALUE);
  }

  /** Python's {@code _is_owned()}, for this condition's kind of lock. */
  boolean isOwned() {
    if (reentrant != null) {
      return reentrant.isOwned();
    }
    if (plain != null) {
      return plain.locked();
    }
    if (lock.acquire(false)) {
      lock.release();
      return false;
    }
    return true;
  }

  private int releaseSave() {
    if (reentrant != null) {
      return reentrant.releaseSave();
    }
    lock.release();
    return 0;
  }

  private void acquireRestore(int saved) {
    if (reentrant != null) {
      reentrant.acquireRestore(saved);
    } else {
      lock.acquire();
    }
  }

  /** Python's repr: {@code <Condition(<the lock's repr>, 2)>}, 2 being the number of waiters. */
  @Override
  public String toString() {
    return "<Condition(" + lock + ", " + waiters.size() + ")>";
  }
}

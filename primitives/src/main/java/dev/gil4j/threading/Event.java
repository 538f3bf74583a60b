package dev.gil4j.threading;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Python's {@code threading.Event}: a flag that threads wait for. Python's {@code wait} is {@link
 * #await} here, because {@code java.lang.Object} owns {@code wait()}.
 *
 * <p><b>Assumptions and guarantees.</b>
 *
 * <ul>
 *   <li><i>Blocking:</i> {@link #await()} returns at once while the flag is set, and otherwise
 *       blocks, with the GIL released (under the gil4j agent), until {@link #set()} is called.
 *   <li><i>Wake-ups:</i> {@link #set()} wakes every thread waiting at that moment; each of them
 *       returns {@code true} even if the flag is cleared again before it runs (CPython's gh-57711).
 *       There are no spurious wake-ups.
 *   <li><i>Fairness:</i> not applicable: {@code set()} wakes all waiters.
 *   <li><i>Interruption:</i> waiting is not interruptible; an interrupt is kept and re-asserted on
 *       return.
 *   <li><i>Timeouts:</i> seconds; {@code -1} (Python's {@code None}) waits as long as it takes, any
 *       other value {@code <= 0} does not wait. NaN throws {@link IllegalArgumentException}, more
 *       than {@link Lock#TIMEOUT_MAX} {@link ArithmeticException}.
 *   <li><i>Memory:</i> {@code set()} happens-before every {@code await} that returns {@code true}
 *       because of it, and before every {@link #isSet()} that sees the flag set.
 *   <li><i>Measured:</i> each wait that blocks records its wait time under kind {@code Event} and
 *       the event's creation site. Reading, setting and clearing the flag are not timed and
 *       allocate nothing.
 * </ul>
 *
 * <p>Design: a volatile flag plus a queue of waiters, without a lock: {@code set()} writes the
 * flag, then wakes the queue; a waiter queues itself, then reads the flag again — with both steps
 * volatile, at least one of them sees the other, so no wake-up is lost.
 */
public final class Event {
  private volatile boolean flag;

  /**
   * Guards the flag's changes and the waiters, as CPython's {@code Event} guards them with its
   * condition's lock: {@link #set} wakes exactly the waiters present when it runs, never one that
   * queued after a later {@link #clear}.
   */
  private final ReentrantLock lock = new ReentrantLock();

  private List<Waiter> waiters = new ArrayList<>();
  private final Probe probe;

  /** An event whose flag is clear. */
  public Event() {
    this(Probe.create("Event"));
  }

  Event(Probe probe) {
    this.probe = probe;
  }

  /** Whether the flag is set. Python: {@code is_set()}. */
  public boolean isSet() {
    return flag;
  }

  /** Sets the flag and wakes every waiting thread. */
  public void set() {
    List<Waiter> woken;
    lock.lock();
    try {
      flag = true;
      woken = waiters;
      if (woken.isEmpty()) {
        return;
      }
      waiters = new ArrayList<>();
    } finally {
      lock.unlock();
    }
    for (Waiter waiter : woken) {
      waiter.signal();
    }
  }

  /** Clears the flag: later waits block until the next {@link #set()}. */
  public void clear() {
    lock.lock();
    try {
      flag = false;
    } finally {
      lock.unlock();
    }
  }

  /** Waits until the flag is set; returns {@code true}. Python: {@code wait()}. */
  public boolean await() {
    return flag || awaitSlow(Timeouts.FOREVER);
  }

  /**
   * Waits until the flag is set or {@code timeout} seconds have passed; returns the flag as this
   * wait saw it: {@code true} unless it timed out. Python: {@code wait(timeout)}.
   */
  public boolean await(double timeout) {
    long nanos = Timeouts.forWait(timeout);
    return flag || (nanos != 0 && awaitSlow(nanos));
  }

  private boolean awaitSlow(long nanos) {
    Waiter waiter = new Waiter();
    lock.lock();
    try {
      if (flag) {
        return true;
      }
      waiters.add(waiter);
    } finally {
      lock.unlock();
    }
    long start = System.nanoTime();
    boolean signalled = Blocking.park(waiter, nanos);
    probe.waited(System.nanoTime() - start);
    if (!signalled) {
      lock.lock();
      try {
        waiters.remove(waiter);
      } finally {
        lock.unlock();
      }
    }
    return signalled;
  }

  /** Python's repr: {@code <dev.gil4j.threading.Event at 0x1b6d3586: unset>}. */
  @Override
  public String toString() {
    return "<"
        + getClass().getName()
        + " at 0x"
        + Integer.toHexString(System.identityHashCode(this))
        + ": "
        + (flag ? "set" : "unset")
        + ">";
  }
}

package dev.gil4j.threading;

import java.util.concurrent.locks.AbstractQueuedSynchronizer;

/**
 * Python's {@code threading.RLock}: a reentrant lock, released only by the thread that holds it,
 * once per acquire.
 *
 * <p><b>Assumptions and guarantees.</b>
 *
 * <ul>
 *   <li><i>Blocking:</i> {@link #acquire()} blocks until no other thread holds the lock. A blocking
 *       acquire tries once without blocking; only if that fails does it release the GIL (under the
 *       gil4j agent), wait, and re-take the GIL — CPython's {@code acquire_timed}.
 *   <li><i>Reentrancy:</i> the owner acquires again at once, whatever {@code blocking} and {@code
 *       timeout} say, and must release once per acquire; the lock is free when the count reaches 0.
 *   <li><i>Ownership:</i> only the owner may release.
 *   <li><i>Fairness:</i> none promised, as in CPython.
 *   <li><i>Interruption:</i> waiting is not interruptible; an interrupt is kept and re-asserted on
 *       return (see {@link Acquirable}).
 *   <li><i>Timeouts:</i> as {@link Lock}'s: seconds, {@code -1} forever, {@code 0} a single try;
 *       other negatives, NaN, or a timeout without blocking throw {@link IllegalArgumentException};
 *       more than {@link Lock#TIMEOUT_MAX} throws {@link ArithmeticException}. The arguments are
 *       checked before ownership, as CPython does.
 *   <li><i>Errors:</i> a release by a thread that does not hold the lock throws {@link
 *       IllegalMonitorStateException} ("cannot release un-acquired lock"; Python's {@code
 *       RuntimeError}).
 *   <li><i>Measured:</i> an acquire that had to wait records its wait, and the hold it starts
 *       (until the count returns to 0) records its hold time, under kind {@code RLock} and the
 *       lock's creation site. Uncontended and reentrant acquires are not timed and allocate
 *       nothing.
 * </ul>
 */
public final class RLock implements Acquirable {
  private final Sync sync = new Sync();
  private final Probe probe;
  private final Held held = this::release;

  /** When the current hold began, if its first acquire had to wait; 0 otherwise. Owner only. */
  private long heldSince;

  /** An unlocked reentrant lock, recorded under its creation site. */
  public RLock() {
    this.probe = Probe.create("RLock");
  }

  @Override
  public boolean acquire() {
    return sync.tryAcquire(1) || acquireSlow(1, Timeouts.FOREVER);
  }

  @Override
  public boolean acquire(boolean blocking) {
    return sync.tryAcquire(1) || (blocking && acquireSlow(1, Timeouts.FOREVER));
  }

  @Override
  public boolean acquire(double timeout) {
    return acquire(true, timeout);
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException also if {@code timeout} is negative but not {@code -1}
   *     ("timeout value must be positive")
   */
  @Override
  public boolean acquire(boolean blocking, double timeout) {
    long nanos = Timeouts.forLock(blocking, timeout);
    return sync.tryAcquire(1) || (nanos != 0 && acquireSlow(1, nanos));
  }

  private boolean acquireSlow(int count, long nanos) {
    long start = System.nanoTime();
    boolean acquired = Blocking.exclusive(sync, count, nanos);
    long now = System.nanoTime();
    probe.waited(now - start);
    if (acquired) {
      heldSince = now;
    }
    return acquired;
  }

  /**
   * Releases one level; at level 0 the lock is free and one waiting thread, if any, may take it.
   *
   * @throws IllegalMonitorStateException if the calling thread does not hold the lock
   */
  @Override
  public void release() {
    long since = heldSince;
    if (since != 0 && sync.isHeldExclusively() && sync.count() == 1) {
      heldSince = 0;
      long now = System.nanoTime();
      sync.release(1);
      probe.held(now - since);
    } else {
      sync.release(1);
    }
  }

  /** Whether the calling thread holds the lock. Python: {@code _is_owned()}. */
  public boolean isOwned() {
    return sync.isHeldExclusively();
  }

  /**
   * How many times the calling thread holds the lock; 0 if it does not. Python: {@code
   * _recursion_count()}.
   */
  public int recursionCount() {
    return sync.isHeldExclusively() ? sync.count() : 0;
  }

  @Override
  public Held enter() {
    acquire();
    return held;
  }

  /**
   * Releases the lock fully, whatever the recursion level, for {@link Condition#await}; returns the
   * level to restore. Python: {@code _release_save()}.
   */
  int releaseSave() {
    if (!sync.isHeldExclusively()) {
      throw new IllegalMonitorStateException("cannot release un-acquired lock");
    }
    int count = sync.count();
    long since = heldSince;
    heldSince = 0;
    long now = since == 0 ? 0 : System.nanoTime();
    sync.release(count);
    if (since != 0) {
      probe.held(now - since);
    }
    return count;
  }

  /** Re-acquires at the level {@link #releaseSave} returned. Python: {@code _acquire_restore()}. */
  void acquireRestore(int count) {
    if (!sync.tryAcquire(count)) {
      acquireSlow(count, Timeouts.FOREVER);
    }
  }

  /**
   * Python's repr: {@code <locked dev.gil4j.threading.RLock object owner=1 count=2 at 0x1b6d3586>},
   * the owner being the owning thread's id, or 0.
   */
  @Override
  public String toString() {
    Thread owner = sync.owner();
    int count = sync.count();
    return "<"
        + (count > 0 ? "locked " : "unlocked ")
        + getClass().getName()
        + " object owner="
        + (owner == null ? 0 : owner.getId())
        + " count="
        + count
        + " at 0x"
        + Integer.toHexString(System.identityHashCode(this))
        + ">";
  }

  /** State is the recursion count; the owner is the AQS exclusive owner. */
  private static final class Sync extends AbstractQueuedSynchronizer {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean tryAcquire(int count) {
      Thread me = Thread.currentThread();
      int c = getState();
      if (c == 0) {
        if (compareAndSetState(0, count)) {
          setExclusiveOwnerThread(me);
          return true;
        }
      } else if (getExclusiveOwnerThread() == me) {
        if (c + count < 0) {
          throw new ArithmeticException("Internal lock count overflowed");
        }
        // Only the owner writes while it holds the lock.
        setState(c + count);
        return true;
      }
      return false;
    }

    @Override
    protected boolean tryRelease(int count) {
      if (getExclusiveOwnerThread() != Thread.currentThread()) {
        throw new IllegalMonitorStateException("cannot release un-acquired lock");
      }
      int c = getState() - count;
      boolean free = c == 0;
      if (free) {
        setExclusiveOwnerThread(null);
      }
      // release: the volatile write publishes the cleared owner before a waiter reads it
      setState(c);
      return free;
    }

    @Override
    protected boolean isHeldExclusively() {
      return getExclusiveOwnerThread() == Thread.currentThread();
    }

    int count() {
      return getState();
    }

    Thread owner() {
      return getExclusiveOwnerThread();
    }
  }
}

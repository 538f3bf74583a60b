package dev.gil4j.threading;

import java.util.concurrent.locks.AbstractQueuedSynchronizer;

/**
 * Python's {@code threading.Lock}: a non-reentrant lock that any thread may release.
 *
 * <p><b>Assumptions and guarantees.</b>
 *
 * <ul>
 *   <li><i>Blocking:</i> {@link #acquire()} blocks until the lock is free. A blocking acquire tries
 *       once without blocking; only if that fails does it release the GIL (under the gil4j agent),
 *       wait, and re-take the GIL — CPython's {@code acquire_timed}.
 *   <li><i>Reentrancy:</i> none. A thread that acquires a lock it holds blocks (until another
 *       thread releases it) or, with a timeout, times out.
 *   <li><i>Ownership:</i> none. Any thread may release a locked lock.
 *   <li><i>Fairness:</i> none promised, as in CPython: a thread arriving while the lock is free
 *       takes it even if others wait.
 *   <li><i>Interruption:</i> waiting is not interruptible; an interrupt is kept and re-asserted on
 *       return (see {@link Acquirable}).
 *   <li><i>Timeouts:</i> seconds; {@code -1} means forever, {@code 0} a single try. Any other
 *       negative value, NaN, or a timeout without blocking is an {@link IllegalArgumentException};
 *       more than {@link #TIMEOUT_MAX} an {@link ArithmeticException} (Python's {@code
 *       OverflowError}).
 *   <li><i>Errors:</i> releasing an unlocked lock throws {@link IllegalMonitorStateException}
 *       ("release unlocked lock"; Python's {@code RuntimeError}).
 *   <li><i>Measured:</i> an acquire that had to wait records its wait, and the hold that follows it
 *       records its hold time, under kind {@code Lock} and the lock's creation site in {@link
 *       dev.gil4j.profiler.ContentionRecorder}. An uncontended acquire and its release are not
 *       timed and allocate nothing.
 * </ul>
 *
 * <p>Example use:
 *
 * <pre>{@code
 * Lock lock = new Lock();
 * try (Held held = lock.enter()) {
 *   counter++;
 * }
 * if (lock.acquire(0.5)) { ... lock.release(); }
 * }</pre>
 */
public final class Lock implements Acquirable {
  /**
   * Python's {@code threading.TIMEOUT_MAX}: the largest timeout, in seconds, that any method of
   * this package accepts.
   */
  public static final double TIMEOUT_MAX = Timeouts.TIMEOUT_MAX;

  private final Sync sync = new Sync();
  private final Probe probe;
  private final Held held = this::release;

  /**
   * When the current hold began, if its acquire had to wait; 0 otherwise. Written by the acquirer
   * once it holds the lock, read and cleared by the releaser before it lets go: the lock's own
   * release/acquire orders these accesses, and a release by another thread is ordered by whatever
   * told that thread the lock was held.
   */
  private long heldSince;

  /** An unlocked lock, recorded under its creation site. */
  public Lock() {
    this(Probe.create("Lock"));
  }

  Lock(Probe probe) {
    this.probe = probe;
  }

  @Override
  public boolean acquire() {
    return sync.tryAcquire(1) || acquireSlow(Timeouts.FOREVER);
  }

  @Override
  public boolean acquire(boolean blocking) {
    return sync.tryAcquire(1) || (blocking && acquireSlow(Timeouts.FOREVER));
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
    return sync.tryAcquire(1) || (nanos != 0 && acquireSlow(nanos));
  }

  private boolean acquireSlow(long nanos) {
    long start = System.nanoTime();
    boolean acquired = Blocking.exclusive(sync, 1, nanos);
    long now = System.nanoTime();
    probe.waited(now - start);
    if (acquired) {
      heldSince = now;
    }
    return acquired;
  }

  /**
   * Unlocks; one waiting thread, if any, may then take the lock.
   *
   * @throws IllegalMonitorStateException if the lock is not locked
   */
  @Override
  public void release() {
    long since = heldSince;
    if (since == 0) {
      sync.release(1);
      return;
    }
    heldSince = 0;
    long now = System.nanoTime();
    sync.release(1);
    probe.held(now - since);
  }

  /** Whether some thread holds the lock. */
  public boolean locked() {
    return sync.locked();
  }

  @Override
  public Held enter() {
    acquire();
    return held;
  }

  /** Python's repr: {@code <locked dev.gil4j.threading.Lock object at 0x1b6d3586>}. */
  @Override
  public String toString() {
    return "<"
        + (locked() ? "locked " : "unlocked ")
        + getClass().getName()
        + " object at 0x"
        + Integer.toHexString(System.identityHashCode(this))
        + ">";
  }

  /** State 1 is locked, 0 unlocked; no owner is kept. */
  private static final class Sync extends AbstractQueuedSynchronizer {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean tryAcquire(int ignored) {
      return getState() == 0 && compareAndSetState(0, 1);
    }

    @Override
    protected boolean tryRelease(int ignored) {
      if (!compareAndSetState(1, 0)) {
        throw new IllegalMonitorStateException("release unlocked lock");
      }
      return true;
    }

    boolean locked() {
      return getState() != 0;
    }
  }
}

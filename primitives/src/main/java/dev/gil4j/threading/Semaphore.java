package dev.gil4j.threading;

import java.util.concurrent.locks.AbstractQueuedSynchronizer;

/**
 * Python's {@code threading.Semaphore}: a counter that {@link #acquire()} decrements, blocking
 * while it is 0, and {@link #release()} increments, without bound.
 *
 * <p><b>Assumptions and guarantees.</b>
 *
 * <ul>
 *   <li><i>Blocking:</i> {@link #acquire()} blocks while the value is 0. It tries once without
 *       blocking; only if that fails does it release the GIL (under the gil4j agent), wait, and
 *       re-take the GIL. {@link #release(int) release(n)} wakes up to {@code n} waiters.
 *   <li><i>Ownership:</i> none; any thread may release, also more often than it acquired.
 *   <li><i>Fairness:</i> none promised. Waiters are woken longest-waiting first, but a thread
 *       arriving while the value is positive takes it even if others wait, as in CPython.
 *   <li><i>Interruption:</i> waiting is not interruptible; an interrupt is kept and re-asserted on
 *       return.
 *   <li><i>Timeouts:</i> seconds; {@code -1} (Python's {@code None}) waits as long as it takes, any
 *       other value {@code <= 0} does not wait. A timeout without blocking throws {@link
 *       IllegalArgumentException} ("can't specify timeout for non-blocking acquire"), as do NaN
 *       timeouts; more than {@link Lock#TIMEOUT_MAX} throws {@link ArithmeticException}.
 *   <li><i>Errors:</i> a negative initial value or {@code release(n)} with {@code n < 1} throw
 *       {@link IllegalArgumentException} (Python's {@code ValueError}); a value that would pass
 *       {@link Integer#MAX_VALUE} throws {@link ArithmeticException}.
 *   <li><i>Measured:</i> an acquire that had to wait records its wait under kind {@code Semaphore}
 *       and the semaphore's creation site; the same thread's next release records the hold that
 *       began with it. Uncontended acquires and releases are not timed and allocate nothing.
 * </ul>
 *
 * <p>Example use:
 *
 * <pre>{@code
 * Semaphore connections = new Semaphore(4);
 * try (Held held = connections.enter()) {
 *   fetch(url);
 * }
 * }</pre>
 */
public class Semaphore implements Acquirable {
  private final Sync sync;
  private final Probe probe;
  private final Held held = this::release;

  /** Per thread: when its last acquire that had to wait returned; 0 once a release recorded it. */
  private final ThreadLocal<long[]> heldSince = new ThreadLocal<>();

  /**
   * Set once any acquire has had to wait: until then a release skips the hold bookkeeping. Racy by
   * design: a release that misses the update only misses one hold sample.
   */
  private boolean contended;

  /** A semaphore with value 1. */
  public Semaphore() {
    this(1);
  }

  /**
   * A semaphore with value {@code value}.
   *
   * @throws IllegalArgumentException if {@code value < 0}
   */
  public Semaphore(int value) {
    this(value, Integer.MAX_VALUE, "Semaphore");
  }

  Semaphore(int value, int bound, String kind) {
    if (value < 0) {
      throw new IllegalArgumentException("semaphore initial value must be >= 0");
    }
    this.sync = new Sync(value, bound);
    this.probe = Probe.create(kind);
  }

  @Override
  public boolean acquire() {
    return sync.tryAcquireShared(1) >= 0 || acquireSlow(Timeouts.FOREVER);
  }

  @Override
  public boolean acquire(boolean blocking) {
    return sync.tryAcquireShared(1) >= 0 || (blocking && acquireSlow(Timeouts.FOREVER));
  }

  @Override
  public boolean acquire(double timeout) {
    return acquire(true, timeout);
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException with Python's message "can't specify timeout for non-blocking
   *     acquire" if {@code blocking} is false and {@code timeout} is not {@code -1}
   */
  @Override
  public boolean acquire(boolean blocking, double timeout) {
    if (!blocking && timeout != -1) {
      throw new IllegalArgumentException("can't specify timeout for non-blocking acquire");
    }
    long nanos = Timeouts.forWait(timeout);
    return sync.tryAcquireShared(1) >= 0 || (blocking && nanos != 0 && acquireSlow(nanos));
  }

  private boolean acquireSlow(long nanos) {
    long start = System.nanoTime();
    boolean acquired = Blocking.shared(sync, 1, nanos);
    long now = System.nanoTime();
    probe.waited(now - start);
    if (acquired) {
      long[] since = heldSince.get();
      if (since == null) {
        since = new long[1];
        heldSince.set(since);
      }
      since[0] = now;
      contended = true;
    }
    return acquired;
  }

  /** Increments the value by one, waking one waiter if any. */
  @Override
  public void release() {
    release(1);
  }

  /**
   * Increments the value by {@code n}, waking up to {@code n} waiters.
   *
   * @throws IllegalArgumentException if {@code n < 1} ("n must be one or more")
   */
  public void release(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("n must be one or more");
    }
    if (!contended) {
      sync.releaseShared(n);
      return;
    }
    long now = System.nanoTime();
    sync.releaseShared(n);
    long[] since = heldSince.get();
    if (since != null && since[0] != 0) {
      probe.held(now - since[0]);
      since[0] = 0;
    }
  }

  @Override
  public Held enter() {
    acquire();
    return held;
  }

  /** The current value: what may be acquired without blocking. */
  int value() {
    return sync.value();
  }

  /** Python's repr: {@code <dev.gil4j.threading.Semaphore at 0x1b6d3586: value=3>}. */
  @Override
  public String toString() {
    return "<"
        + getClass().getName()
        + " at 0x"
        + Integer.toHexString(System.identityHashCode(this))
        + ": value="
        + value()
        + ">";
  }

  /** State is the value; {@code bound} caps it (a {@link BoundedSemaphore}'s initial value). */
  private static final class Sync extends AbstractQueuedSynchronizer {
    private static final long serialVersionUID = 1L;
    private final int bound;

    Sync(int value, int bound) {
      this.bound = bound;
      setState(value);
    }

    @Override
    protected int tryAcquireShared(int n) {
      while (true) {
        int c = getState();
        if (c < n) {
          return -1;
        }
        if (compareAndSetState(c, c - n)) {
          return c - n;
        }
      }
    }

    @Override
    protected boolean tryReleaseShared(int n) {
      while (true) {
        int c = getState();
        if (n > bound - c) {
          if (bound == Integer.MAX_VALUE) {
            throw new ArithmeticException("semaphore value too large");
          }
          throw new IllegalArgumentException("Semaphore released too many times");
        }
        if (compareAndSetState(c, c + n)) {
          return true;
        }
      }
    }

    int value() {
      return getState();
    }
  }
}

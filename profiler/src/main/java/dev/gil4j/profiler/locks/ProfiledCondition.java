package dev.gil4j.profiler.locks;

import dev.gil4j.profiler.jfr.LockWaitEvent;
import java.util.Date;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;

/**
 * A {@link Condition} of a swapped-in exclusive lock: the JDK's own condition, plus timing. Every
 * {@code await} that starts with the lock held is recorded as a wait at the condition's site (kind
 * {@code <lock kind>.condition}): the time from the call until it returns or throws, which is
 * waiting for a signal and then re-acquiring the lock. {@code await} releases the lock inside the
 * JDK, bypassing {@code unlock()}, so it also ends the lock's measured hold; the hold that follows
 * the await is measured from its return.
 *
 * <p>Guarantees: those of the JDK condition it wraps, which does all the work; an {@code await}
 * without the lock held goes straight to it and fails there. The owning lock's {@code hasWaiters},
 * {@code getWaitQueueLength} and {@code getWaitingThreads} accept this wrapper.
 */
abstract class ProfiledCondition implements Condition {
  private final Condition delegate;
  private final Probe lock;
  private final Probe probe;

  ProfiledCondition(Condition delegate, Probe lock, String kind) {
    this.delegate = delegate;
    this.lock = lock;
    this.probe = new Probe(kind, lock.name());
  }

  /** The JDK condition behind {@code condition} if it is one of these, else {@code condition}. */
  static Condition unwrap(Condition condition) {
    return condition instanceof ProfiledCondition
        ? ((ProfiledCondition) condition).delegate
        : condition;
  }

  /** Whether the calling thread holds the owning lock, as {@code await} requires. */
  abstract boolean heldByCurrentThread();

  @Override
  public void await() throws InterruptedException {
    if (!heldByCurrentThread()) {
      delegate.await();
    } else {
      awaitHeld();
    }
  }

  private void awaitHeld() throws InterruptedException {
    long start = beforeAwait();
    LockWaitEvent event = Probe.beginWait();
    Parks.quiet();
    try {
      delegate.await();
    } finally {
      Parks.loud();
      lock.holding(probe, start, event);
    }
  }

  @Override
  public void awaitUninterruptibly() {
    if (!heldByCurrentThread()) {
      delegate.awaitUninterruptibly();
    } else {
      awaitUninterruptiblyHeld();
    }
  }

  private void awaitUninterruptiblyHeld() {
    long start = beforeAwait();
    LockWaitEvent event = Probe.beginWait();
    Parks.quiet();
    try {
      delegate.awaitUninterruptibly();
    } finally {
      Parks.loud();
      lock.holding(probe, start, event);
    }
  }

  @Override
  public long awaitNanos(long nanosTimeout) throws InterruptedException {
    if (!heldByCurrentThread()) {
      return delegate.awaitNanos(nanosTimeout);
    }
    return awaitNanosHeld(nanosTimeout);
  }

  private long awaitNanosHeld(long nanosTimeout) throws InterruptedException {
    long start = beforeAwait();
    LockWaitEvent event = Probe.beginWait();
    Parks.quiet();
    try {
      return delegate.awaitNanos(nanosTimeout);
    } finally {
      Parks.loud();
      lock.holding(probe, start, event);
    }
  }

  @Override
  public boolean await(long time, TimeUnit unit) throws InterruptedException {
    if (!heldByCurrentThread()) {
      return delegate.await(time, unit);
    }
    return awaitHeld(time, unit);
  }

  private boolean awaitHeld(long time, TimeUnit unit) throws InterruptedException {
    long start = beforeAwait();
    LockWaitEvent event = Probe.beginWait();
    Parks.quiet();
    try {
      return delegate.await(time, unit);
    } finally {
      Parks.loud();
      lock.holding(probe, start, event);
    }
  }

  @Override
  public boolean awaitUntil(Date deadline) throws InterruptedException {
    if (!heldByCurrentThread()) {
      return delegate.awaitUntil(deadline);
    }
    return awaitUntilHeld(deadline);
  }

  private boolean awaitUntilHeld(Date deadline) throws InterruptedException {
    long start = beforeAwait();
    LockWaitEvent event = Probe.beginWait();
    Parks.quiet();
    try {
      return delegate.awaitUntil(deadline);
    } finally {
      Parks.loud();
      lock.holding(probe, start, event);
    }
  }

  @Override
  public void signal() {
    delegate.signal();
  }

  @Override
  public void signalAll() {
    delegate.signalAll();
  }

  private long beforeAwait() {
    long now = System.nanoTime();
    long holdStart = lock.holdStart();
    if (holdStart != 0) {
      Probe waitAt = lock.pendingAt();
      long wait = lock.pendingWait();
      lock.clearHold();
      lock.letGo(now - holdStart, waitAt, wait);
    }
    return now;
  }
}

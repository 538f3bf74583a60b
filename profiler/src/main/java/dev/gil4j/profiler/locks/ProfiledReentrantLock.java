package dev.gil4j.profiler.locks;

import dev.gil4j.profiler.ContentionRecorder;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link ReentrantLock} that records its contention: the drop-in gil4j's agent constructs where
 * an application class says {@code new ReentrantLock(…)}, with the creation site as one more
 * argument. Each constructor of {@code ReentrantLock} has a twin here taking a trailing {@code
 * String site}.
 *
 * <p><b>What it measures</b>, at {@link ContentionRecorder#site ContentionRecorder.site}{@code
 * ("ReentrantLock", site)}:
 *
 * <ul>
 *   <li><b>Wait</b>: each {@code lock}, {@code lockInterruptibly} or timed {@code tryLock} whose
 *       first attempt fails and which then parks ({@link Parks}) is timed from its first park until
 *       its last park returns (then it acquires, times out or is interrupted), and emits a {@link
 *       LockWaitEvent} naming the owner when it began. One that spins or barges its way in without
 *       parking, calls that fail or return before waiting (an interrupted caller, a timeout of zero
 *       or less) and the untimed {@code tryLock()} are not recorded. Without gil4j's agent, where
 *       no park is seen, a wait is timed from the failed first attempt.
 *   <li><b>Hold</b>, from the outermost acquisition to the outermost {@code unlock}: recorded for a
 *       hold that began with a wait, measured from the end of that wait; and for a hold that began
 *       uncontended but during which another thread started waiting, measured from that thread's
 *       arrival, since the uncontended path reads no clock. A hold no one waited for is not
 *       recorded. {@code Condition.await} ends the hold; the hold that follows it is measured from
 *       its return. At a hand-off the boundary between two holds is exact to within a few
 *       instructions.
 *   <li><b>Condition waits</b>, at site {@code ("ReentrantLock.condition", site)}: every {@code
 *       await} on a condition from {@link #newCondition}, from the call to its return.
 * </ul>
 *
 * <p><b>Guarantees</b>: those of {@code ReentrantLock}, to which every operation is delegated: same
 * blocking, reentrancy, fairness (a fair lock's first attempt never barges past queued threads),
 * interruption, timeouts and exceptions. {@code newCondition} returns a wrapper around the JDK's
 * condition (so that awaits end holds); {@link #hasWaiters}, {@link #getWaitQueueLength} and {@link
 * #getWaitingThreads} accept it. {@code toString} has the JDK's format, under this class name.
 * Under gil4j's GIL a waiting thread blocks in {@code LockSupport.park}, which releases the GIL, so
 * a recorded wait includes re-taking the GIL after the lock was handed over.
 *
 * <p><b>Cost</b>: an uncontended {@code lock}/{@code unlock} costs the JDK's plus a branch each
 * and, for {@code lock}, two reads of the caller's interrupt flag; it reads no clock and allocates
 * nothing. A failed first attempt adds a thread-local lookup; a wait that parks adds the clock
 * reads of {@link Parks}, a histogram record and a JFR event (allocated, and committed only if a
 * recording wants it), and a measured hold one clock read at its end. Once the lock is held nothing
 * is recorded until it is let go: what the profiler does inside a hold lengthens the holds others
 * wait for, and a clock read and a record after each acquire that had parked (some 70 ns) were seen
 * to multiply the parks of a lock contended at 1 µs holds and cost 7–13% of its throughput on JDK
 * 17 and 25.
 */
public class ProfiledReentrantLock extends ReentrantLock {
  private static final long serialVersionUID = 1L;

  private final Probe probe;

  /** Twin of {@link ReentrantLock#ReentrantLock()}: a non-fair lock created at {@code site}. */
  public ProfiledReentrantLock(String site) {
    super();
    this.probe = new Probe("ReentrantLock", site);
  }

  /** Twin of {@link ReentrantLock#ReentrantLock(boolean)}, created at {@code site}. */
  public ProfiledReentrantLock(boolean fair, String site) {
    super(fair);
    this.probe = new Probe("ReentrantLock", site);
  }

  @Override
  public void lock() {
    if (!tryFirst()) {
      lockAfterWait();
    }
  }

  @Override
  public void lockInterruptibly() throws InterruptedException {
    if (Thread.currentThread().isInterrupted()) {
      super.lockInterruptibly(); // throws, as for any interrupted caller: nothing to time
    } else if (!tryFirst()) {
      lockInterruptiblyAfterWait();
    }
  }

  @Override
  public boolean tryLock(long timeout, TimeUnit unit) throws InterruptedException {
    if (timeout <= 0 || unit == null || Thread.currentThread().isInterrupted()) {
      return super.tryLock(timeout, unit); // never waits: fails, throws or tries once
    }
    return tryFirst() || tryLockAfterWait(timeout, unit);
  }

  @Override
  public void unlock() {
    long holdStart = probe.holdStart();
    if (holdStart == 0 || super.getHoldCount() != 1) {
      super.unlock();
      return;
    }
    Probe waitAt = probe.pendingAt();
    long wait = probe.pendingWait();
    probe.clearHold();
    long end = System.nanoTime();
    super.unlock();
    probe.letGo(end - holdStart, waitAt, wait);
  }

  @Override
  public Condition newCondition() {
    return new ProfiledCondition(super.newCondition(), probe, "ReentrantLock.condition") {
      @Override
      boolean heldByCurrentThread() {
        return ProfiledReentrantLock.super.isHeldByCurrentThread();
      }
    };
  }

  @Override
  public boolean hasWaiters(Condition condition) {
    return super.hasWaiters(ProfiledCondition.unwrap(condition));
  }

  @Override
  public int getWaitQueueLength(Condition condition) {
    return super.getWaitQueueLength(ProfiledCondition.unwrap(condition));
  }

  @Override
  protected Collection<Thread> getWaitingThreads(Condition condition) {
    return super.getWaitingThreads(ProfiledCondition.unwrap(condition));
  }

  /**
   * The JDK's first attempt, without waiting: {@code tryLock(0, NANOSECONDS)} makes the one {@code
   * lock()} makes — for a non-fair lock a compare-and-set that does not read the state first, for a
   * fair one a free lock taken only when no thread is queued, re-entry always — where {@code
   * tryLock()} reads the state before its compare-and-set: two cache-line transfers for a lock
   * whose holds change cores, against the JDK's one (4 threads, 20 ns sections on 2 cores: 2–4% of
   * the throughput). That call consumes an interrupt, so an interrupted caller skips it; it calls
   * {@code super}, so a subclass's overrides never run inside it.
   */
  private boolean tryFirst() {
    if (Thread.currentThread().isInterrupted()) {
      return false;
    }
    try {
      return super.tryLock(0L, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      // interrupted since the check: the flag goes back, and the acquire waits as lock() does
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private void lockAfterWait() {
    Parks.Acquire wait = probe.arrive(probe, super.getOwner());
    boolean acquired = false;
    try {
      super.lock();
      acquired = true;
    } finally {
      probe.acquired(wait, acquired);
    }
  }

  private void lockInterruptiblyAfterWait() throws InterruptedException {
    Parks.Acquire wait = probe.arrive(probe, super.getOwner());
    boolean acquired = false;
    try {
      super.lockInterruptibly();
      acquired = true;
    } finally {
      probe.acquired(wait, acquired);
    }
  }

  private boolean tryLockAfterWait(long timeout, TimeUnit unit) throws InterruptedException {
    Parks.Acquire wait = probe.arrive(probe, super.getOwner());
    boolean acquired = false;
    try {
      acquired = super.tryLock(timeout, unit);
      return acquired;
    } finally {
      probe.acquired(wait, acquired);
    }
  }
}

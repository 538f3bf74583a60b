package dev.gil4j.profiler.locks;

import dev.gil4j.profiler.ContentionRecorder;
import dev.gil4j.profiler.jfr.LockWaitEvent;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A {@link ReentrantReadWriteLock} that records its contention: the drop-in gil4j's agent
 * constructs where an application class says {@code new ReentrantReadWriteLock(…)}, with the
 * creation site as one more argument. Each constructor of {@code ReentrantReadWriteLock} has a twin
 * here taking a trailing {@code String site}. {@link #readLock} and {@link #writeLock} return
 * subclasses of the JDK's {@code ReadLock} and {@code WriteLock} that share this lock's state.
 *
 * <p><b>What it measures</b>, at {@link ContentionRecorder#site ContentionRecorder.site}{@code
 * (kind, site)}:
 *
 * <ul>
 *   <li><b>Waits</b> of kind {@code ReentrantReadWriteLock.read} and {@code
 *       ReentrantReadWriteLock.write}: each {@code lock}, {@code lockInterruptibly} or timed {@code
 *       tryLock} whose first attempt fails, from then until it returns or throws, with a {@link
 *       LockWaitEvent} naming the writer that held the lock at that moment, if any. Not recorded:
 *       calls that fail or return before waiting (an interrupted caller, a timeout of zero or
 *       less), untimed {@code tryLock()}, and a read re-entry or downgrade, which never waits.
 *   <li><b>Holds</b> of the write lock, of kind {@code ReentrantReadWriteLock.write}, exactly as
 *       {@link ProfiledReentrantLock} measures its holds; a reader waiting for the writer counts as
 *       a waiter. Read holds are shared and not recorded: timing them would cost a thread-local
 *       lookup on every read unlock.
 *   <li><b>Condition waits</b>, of kind {@code ReentrantReadWriteLock.condition}: every {@code
 *       await} on a condition of the write lock, from the call to its return.
 * </ul>
 *
 * <p><b>Guarantees</b>: those of {@code ReentrantReadWriteLock}, to which every operation is
 * delegated: same blocking, reentrancy, downgrading, fairness, interruption, timeouts and
 * exceptions. The first attempt of a read lock never passes a queued thread, so readers still queue
 * behind a waiting writer as the JDK's heuristic against writer starvation has them do ({@code
 * ReadLock.tryLock()} would barge). The write lock's conditions are wrappers around the JDK's; this
 * lock's {@link #hasWaiters}, {@link #getWaitQueueLength} and {@link #getWaitingThreads} accept
 * them. The JDK's own {@code ReadLock} and {@code WriteLock} objects of this lock are never handed
 * out.
 *
 * <p><b>Cost</b>: an uncontended acquire costs the JDK's plus a queue check (one field read when no
 * thread is queued) and a branch; a write unlock costs the JDK's plus a branch; a read unlock costs
 * the JDK's. No clock is read and nothing is allocated on those paths.
 */
public class ProfiledReentrantReadWriteLock extends ReentrantReadWriteLock {
  private static final long serialVersionUID = 1L;

  private final ProfiledReadLock readLock;
  private final ProfiledWriteLock writeLock;

  /** Twin of {@link ReentrantReadWriteLock#ReentrantReadWriteLock()}, created at {@code site}. */
  public ProfiledReentrantReadWriteLock(String site) {
    this(false, site);
  }

  /**
   * Twin of {@link ReentrantReadWriteLock#ReentrantReadWriteLock(boolean)}, created at {@code
   * site}.
   */
  public ProfiledReentrantReadWriteLock(boolean fair, String site) {
    super(fair);
    this.readLock = new ProfiledReadLock(this, site);
    this.writeLock = new ProfiledWriteLock(this, fair, site);
  }

  @Override
  public ReentrantReadWriteLock.ReadLock readLock() {
    return readLock;
  }

  @Override
  public ReentrantReadWriteLock.WriteLock writeLock() {
    return writeLock;
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

  // The nested locks call these, not the overridable public methods, so that a subclass's
  // overrides do not run inside lock().

  private boolean queued() {
    return super.hasQueuedThreads();
  }

  private Thread writer() {
    return super.getOwner();
  }

  private boolean writeHeldByCurrentThread() {
    return super.isWriteLockedByCurrentThread();
  }

  private boolean readHeldByCurrentThread() {
    return super.getReadHoldCount() > 0;
  }

  /**
   * The read lock of a {@link ProfiledReentrantReadWriteLock}: the JDK's, plus wait recording at
   * kind {@code ReentrantReadWriteLock.read}. See the outer class for what is measured.
   */
  public static final class ProfiledReadLock extends ReentrantReadWriteLock.ReadLock {
    private static final long serialVersionUID = 1L;

    private final ProfiledReentrantReadWriteLock lock;
    private final Probe probe;

    private ProfiledReadLock(ProfiledReentrantReadWriteLock lock, String site) {
      super(lock);
      this.lock = lock;
      this.probe = new Probe("ReentrantReadWriteLock.read", site);
    }

    @Override
    public void lock() {
      if (!tryFirst()) {
        if (reentering()) {
          super.lock();
        } else {
          lockAfterWait();
        }
      }
    }

    @Override
    public void lockInterruptibly() throws InterruptedException {
      if (Thread.currentThread().isInterrupted()) {
        super.lockInterruptibly(); // throws, as for any interrupted caller: nothing to time
      } else if (!tryFirst()) {
        if (reentering()) {
          super.lockInterruptibly();
        } else {
          lockInterruptiblyAfterWait();
        }
      }
    }

    @Override
    public boolean tryLock(long timeout, TimeUnit unit) throws InterruptedException {
      if (timeout <= 0 || unit == null || Thread.currentThread().isInterrupted()) {
        return super.tryLock(timeout, unit); // never waits: fails, throws or tries once
      }
      if (tryFirst()) {
        return true;
      }
      return reentering() ? super.tryLock(timeout, unit) : tryLockAfterWait(timeout, unit);
    }

    /**
     * A first attempt that never passes a queued thread. With none queued, the JDK's read
     * acquisition, fair or not, is exactly {@code tryLock()}.
     */
    private boolean tryFirst() {
      return !lock.queued() && super.tryLock();
    }

    /**
     * Whether the caller already holds this lock, for reading or writing: then the JDK lets it in
     * past queued threads, without waiting. Only asked after a failed first attempt.
     */
    private boolean reentering() {
      return lock.writeHeldByCurrentThread() || lock.readHeldByCurrentThread();
    }

    private void lockAfterWait() {
      Parks.Acquire wait = probe.arrive(lock.writeLock.probe, lock.writer());
      try {
        super.lock();
      } finally {
        probe.acquired(wait, false);
      }
    }

    private void lockInterruptiblyAfterWait() throws InterruptedException {
      Parks.Acquire wait = probe.arrive(lock.writeLock.probe, lock.writer());
      try {
        super.lockInterruptibly();
      } finally {
        probe.acquired(wait, false);
      }
    }

    private boolean tryLockAfterWait(long timeout, TimeUnit unit) throws InterruptedException {
      Parks.Acquire wait = probe.arrive(lock.writeLock.probe, lock.writer());
      try {
        return super.tryLock(timeout, unit);
      } finally {
        probe.acquired(wait, false);
      }
    }
  }

  /**
   * The write lock of a {@link ProfiledReentrantReadWriteLock}: the JDK's, plus wait and hold
   * recording at kind {@code ReentrantReadWriteLock.write}. See the outer class for what is
   * measured.
   */
  public static final class ProfiledWriteLock extends ReentrantReadWriteLock.WriteLock {
    private static final long serialVersionUID = 1L;

    private final ProfiledReentrantReadWriteLock lock;
    private final boolean fair;
    private final Probe probe;

    private ProfiledWriteLock(ProfiledReentrantReadWriteLock lock, boolean fair, String site) {
      super(lock);
      this.lock = lock;
      this.fair = fair;
      this.probe = new Probe("ReentrantReadWriteLock.write", site);
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
      return new ProfiledCondition(
          super.newCondition(), probe, "ReentrantReadWriteLock.condition") {
        @Override
        boolean heldByCurrentThread() {
          return ProfiledWriteLock.super.isHeldByCurrentThread();
        }
      };
    }

    /**
     * The JDK's first attempt, without waiting: as in {@link ProfiledReentrantLock}, a fair lock's
     * first attempt does not pass queued threads, re-entry never queues.
     */
    private boolean tryFirst() {
      return (!fair || !lock.queued() || super.isHeldByCurrentThread()) && super.tryLock();
    }

    private void lockAfterWait() {
      Parks.Acquire wait = probe.arrive(probe, lock.writer());
      boolean acquired = false;
      try {
        super.lock();
        acquired = true;
      } finally {
        probe.acquired(wait, acquired);
      }
    }

    private void lockInterruptiblyAfterWait() throws InterruptedException {
      Parks.Acquire wait = probe.arrive(probe, lock.writer());
      boolean acquired = false;
      try {
        super.lockInterruptibly();
        acquired = true;
      } finally {
        probe.acquired(wait, acquired);
      }
    }

    private boolean tryLockAfterWait(long timeout, TimeUnit unit) throws InterruptedException {
      Parks.Acquire wait = probe.arrive(probe, lock.writer());
      boolean acquired = false;
      try {
        acquired = super.tryLock(timeout, unit);
        return acquired;
      } finally {
        probe.acquired(wait, acquired);
      }
    }
  }
}

package dev.gil4j.profiler.locks;

import dev.gil4j.profiler.ContentionRecorder;
import dev.gil4j.profiler.jfr.LockWaitEvent;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Semaphore} that records its contention: the drop-in gil4j's agent constructs where an
 * application class says {@code new Semaphore(…)}, with the creation site as one more argument.
 * Each constructor of {@code Semaphore} has a twin here taking a trailing {@code String site}.
 *
 * <p><b>What it measures</b>, at {@link ContentionRecorder#site ContentionRecorder.site}{@code
 * ("Semaphore", site)}: each {@code acquire}, {@code acquireUninterruptibly} or timed {@code
 * tryAcquire} (of one or several permits) whose first attempt fails is timed from then until it
 * returns or throws (acquired, timed out, interrupted), with a {@link LockWaitEvent} that has no
 * owner (permits have none). Not recorded: calls that fail or return before waiting (an interrupted
 * caller, a negative permit count, a timeout of zero or less), untimed {@code tryAcquire}, and
 * holds (a permit is not held by a thread).
 *
 * <p><b>Guarantees</b>: those of {@code Semaphore}, to which every operation is delegated: same
 * blocking, fairness (a fair semaphore's first attempt never passes queued threads, whereas {@code
 * tryAcquire()} barges), interruption, timeouts and exceptions. Under gil4j's GIL a recorded wait
 * includes re-taking the GIL after the permits were granted.
 *
 * <p><b>Cost</b>: an uncontended acquire costs the JDK's plus a branch (for a fair semaphore, plus
 * the queue check the JDK's own makes); {@code release} is the JDK's. No clock is read and nothing
 * is allocated on those paths.
 */
public class ProfiledSemaphore extends Semaphore {
  private static final long serialVersionUID = 1L;

  private final boolean fair;
  private final Probe probe;

  /** Twin of {@link Semaphore#Semaphore(int)}: a non-fair semaphore created at {@code site}. */
  public ProfiledSemaphore(int permits, String site) {
    super(permits);
    this.fair = false;
    this.probe = new Probe("Semaphore", site);
  }

  /** Twin of {@link Semaphore#Semaphore(int, boolean)}, created at {@code site}. */
  public ProfiledSemaphore(int permits, boolean fair, String site) {
    super(permits, fair);
    this.fair = fair;
    this.probe = new Probe("Semaphore", site);
  }

  @Override
  public void acquire() throws InterruptedException {
    if (Thread.currentThread().isInterrupted()) {
      super.acquire(); // throws, as for any interrupted caller: nothing to time
    } else if (!tryFirst(1)) {
      acquireAfterWait(1);
    }
  }

  @Override
  public void acquire(int permits) throws InterruptedException {
    if (permits < 0 || Thread.currentThread().isInterrupted()) {
      super.acquire(permits); // throws, as the JDK's does before waiting
    } else if (!tryFirst(permits)) {
      acquireAfterWait(permits);
    }
  }

  @Override
  public void acquireUninterruptibly() {
    if (!tryFirst(1)) {
      acquireUninterruptiblyAfterWait(1);
    }
  }

  @Override
  public void acquireUninterruptibly(int permits) {
    if (permits < 0) {
      super.acquireUninterruptibly(permits); // throws, as the JDK's does
    } else if (!tryFirst(permits)) {
      acquireUninterruptiblyAfterWait(permits);
    }
  }

  @Override
  public boolean tryAcquire(long timeout, TimeUnit unit) throws InterruptedException {
    if (timeout <= 0 || unit == null || Thread.currentThread().isInterrupted()) {
      return super.tryAcquire(timeout, unit); // never waits: fails, throws or tries once
    }
    return tryFirst(1) || tryAcquireAfterWait(1, timeout, unit);
  }

  @Override
  public boolean tryAcquire(int permits, long timeout, TimeUnit unit) throws InterruptedException {
    if (permits < 0 || timeout <= 0 || unit == null || Thread.currentThread().isInterrupted()) {
      return super.tryAcquire(permits, timeout, unit); // never waits: fails, throws or tries once
    }
    return tryFirst(permits) || tryAcquireAfterWait(permits, timeout, unit);
  }

  /**
   * The JDK's first attempt, without waiting. {@code tryAcquire} barges even on a fair semaphore; a
   * fair semaphore's own first attempt takes permits only when no thread is queued, as here.
   */
  private boolean tryFirst(int permits) {
    return (!fair || !super.hasQueuedThreads()) && super.tryAcquire(permits);
  }

  private void acquireAfterWait(int permits) throws InterruptedException {
    Parks.Acquire wait = probe.arrive(null, null);
    try {
      super.acquire(permits);
    } finally {
      probe.acquired(wait, false);
    }
  }

  private void acquireUninterruptiblyAfterWait(int permits) {
    Parks.Acquire wait = probe.arrive(null, null);
    try {
      super.acquireUninterruptibly(permits);
    } finally {
      probe.acquired(wait, false);
    }
  }

  private boolean tryAcquireAfterWait(int permits, long timeout, TimeUnit unit)
      throws InterruptedException {
    Parks.Acquire wait = probe.arrive(null, null);
    try {
      return super.tryAcquire(permits, timeout, unit);
    } finally {
      probe.acquired(wait, false);
    }
  }
}

package dev.gil4j.profiler.locks;

import dev.gil4j.profiler.ContentionRecorder;
import dev.gil4j.profiler.jfr.JfrEvents;
import dev.gil4j.profiler.jfr.LockWaitEvent;
import java.io.Serializable;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What one swapped-in synchronizer reports to: its {@link ContentionRecorder} site, its {@link
 * LockWaitEvent}s and, for an exclusive lock, the clock of the current hold. Only contended paths
 * call it.
 *
 * <p>Design: the recorder site is looked up on first contention, not at construction, so that an
 * application creating many locks pays no map lookup per lock; racing threads resolve the same
 * {@code Site}, whose fields are final. The hold clock is one field, {@code holdStart}: 0 while the
 * current hold is not measured, else the {@link System#nanoTime} it is measured from. The owner
 * sets it when it acquired after waiting; otherwise the first waiter to arrive sets it, so a hold
 * that began on the uncontended path is measured from the moment someone started waiting for it.
 * The owner reads and clears it at its outermost release.
 *
 * <p>A {@link LockWaitEvent} is committed in {@link #waited}, {@link #holding} or {@link #acquired}
 * only, each called straight from a drop-in's slow path ({@code lockAfterWait}, {@code
 * awaitHeld}…), itself called straight from the public method the application called: so the
 * application's frame is always {@link LockWaitEvent#OWN_FRAMES} frames below the commit, and JFR
 * can leave gil4j's out.
 */
final class Probe implements Serializable {
  private static final AtomicBoolean REPORTED = new AtomicBoolean();

  private static final long serialVersionUID = 1L;
  private static final VarHandle HOLD_START;

  static {
    try {
      HOLD_START = MethodHandles.lookup().findVarHandle(Probe.class, "holdStart", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final String kind;
  private final String name;
  private transient ContentionRecorder.Site site;
  private transient volatile long holdStart;

  // Guarded by the exclusive lock this probe measures: the wait its owner finished to hold it, at
  // pendingAt's site (this probe's, or a condition's), recorded once the owner lets go.
  private transient Probe pendingAt;
  private transient long pendingWait;

  Probe(String kind, String name) {
    this.kind = kind;
    this.name = Objects.requireNonNull(name, "site: the creation site of a swapped-in lock");
  }

  String name() {
    return name;
  }

  /**
   * Starts the JFR event of a wait; call before blocking. Null until JFR has started: loading an
   * event class starts JFR's machinery, 0.2-0.6 s at the first contention, and each event is an
   * allocation.
   */
  static LockWaitEvent beginWait() {
    if (!JfrEvents.started()) {
      return null;
    }
    try {
      LockWaitEvent event = new LockWaitEvent();
      event.begin();
      return event;
    } catch (Throwable t) {
      reportOnce(t);
      return null;
    }
  }

  /** A failure of gil4j's own recording is told once, and the lock goes on working. */
  private static void reportOnce(Throwable t) {
    if (REPORTED.compareAndSet(false, true)) {
      System.err.println("gil4j: internal error (lock profiling), continuing: " + t);
    }
  }

  /**
   * A thread starts to wait, at {@code now}, for a lock held exclusively by {@code owner}: that
   * hold, if not measured yet, is measured from here on. Without an owner there is no hold to
   * measure (the lock is free, or shared), and a stamp would wrongly start the next one early.
   */
  void contended(long now, Thread owner) {
    if (owner != null && holdStart == 0) {
      // Only the first waiter of a hold stamps it; the owner's own stamp and earlier waiters' win.
      HOLD_START.compareAndSet(this, 0L, now);
    }
  }

  /** A wait that began at {@code start} ends now: records it and commits its event. */
  void waited(long start, LockWaitEvent event) {
    recordWait(System.nanoTime() - start);
    if (ready(event, null)) {
      try {
        event.commit();
      } catch (Throwable t) {
        reportOnce(t);
      }
    }
  }

  /**
   * The calling thread holds this exclusive lock again after waiting in one of its conditions,
   * {@code at}, since {@code start}: commits the wait's event, measures the hold from now, and
   * keeps the wait to record when the thread lets go, as {@link #acquired} does.
   */
  void holding(Probe at, long start, LockWaitEvent event) {
    long now = System.nanoTime();
    heldAfterWait(at, now - start, now);
    if (at.ready(event, null)) {
      try {
        event.commit();
      } catch (Throwable t) {
        reportOnce(t);
      }
    }
  }

  private void recordWait(long nanos) {
    try {
      site().recordWait(nanos);
    } catch (Throwable t) {
      reportOnce(t);
    }
  }

  /**
   * Ends {@code event}, if any, and readies it for a recording that wants it.
   *
   * @return whether {@code event} is to be committed, by the caller: see the class's design note
   */
  private boolean ready(LockWaitEvent event, Thread owner) {
    if (event == null) {
      return false;
    }
    try {
      event.end();
      if (event.shouldCommit()) {
        event.lockClass = kind;
        event.site = name;
        event.owner = owner;
        return true;
      }
    } catch (Throwable t) {
      reportOnce(t);
    }
    return false;
  }

  /**
   * The first attempt of an acquire failed: from now until {@link #acquired}, the calling thread's
   * parks are this acquire's wait ({@link Parks}). Reads no clock.
   *
   * @param holdProbe the exclusive lock whose hold a park waits for, or null
   * @param owner that lock's owner now, named by the wait's event
   */
  Parks.Acquire arrive(Probe holdProbe, Thread owner) {
    return Parks.acquiring(this, holdProbe, owner);
  }

  /**
   * The acquire {@link #arrive} began has ended (acquired, failed, timed out or interrupted): if it
   * parked, records its wait, from its first park to the end of its last, and commits its event.
   * When the calling thread now holds this exclusive lock, the hold is measured from the end of the
   * wait, and the wait is recorded only when the thread lets go ({@link #letGo}): see {@link
   * ProfiledReentrantLock}'s cost note.
   *
   * @param holds whether the calling thread now holds this lock exclusively
   */
  void acquired(Parks.Acquire a, boolean holds) {
    long first = a.firstPark;
    LockWaitEvent event = a.event;
    Thread owner = a.owner;
    long lastParkEnd = a.lastParkEnd;
    a.clear();
    if (first == 0) {
      return;
    }
    // no park end without the park advice: the wait was timed from the failed first attempt
    long now = lastParkEnd != 0 ? lastParkEnd : System.nanoTime();
    if (holds) {
      heldAfterWait(this, now - first, now);
    } else {
      recordWait(now - first);
    }
    if (ready(event, owner)) {
      try {
        event.commit();
      } catch (Throwable t) {
        reportOnce(t);
      }
    }
  }

  /**
   * The caller holds the exclusive lock since {@code now}, after a wait of {@code wait} ns to
   * record at {@code at}'s site when it lets go: keeps the wait, and measures the hold from {@code
   * now}.
   */
  private void heldAfterWait(Probe at, long wait, long now) {
    pendingAt = at;
    pendingWait = wait;
    // release, not volatile: no fence on the contended path; the lock's release publishes it
    HOLD_START.setRelease(this, now);
  }

  /** Where the current hold's measurement began, or 0 if it is not measured. */
  long holdStart() {
    return holdStart;
  }

  /** The site of the wait the owner finished to hold the lock, if not recorded yet, or null. */
  Probe pendingAt() {
    return pendingAt;
  }

  /** The wait {@link #pendingAt} names, in nanoseconds. */
  long pendingWait() {
    return pendingWait;
  }

  /**
   * The owner's outermost release is under way, or an await releases the lock: the next hold starts
   * unmeasured, with no wait pending. Call while holding the lock, after reading {@link #holdStart}
   * and the pending wait, then {@link #letGo} once released.
   */
  void clearHold() {
    pendingAt = null;
    // release, not volatile: the lock's own release, which follows, orders it before the next hold
    HOLD_START.setRelease(this, 0L);
  }

  /**
   * Records a hold of {@code nanos}, and the wait that preceded it if {@code waitAt} is not null;
   * call after the release, so that recording does not lengthen the hold.
   */
  void letGo(long nanos, Probe waitAt, long wait) {
    try {
      site().recordHold(nanos);
    } catch (Throwable t) {
      reportOnce(t);
    }
    if (waitAt != null) {
      waitAt.recordWait(wait);
    }
  }

  private ContentionRecorder.Site site() {
    ContentionRecorder.Site s = site;
    if (s == null) {
      s = ContentionRecorder.site(kind, name);
      site = s;
    }
    return s;
  }
}

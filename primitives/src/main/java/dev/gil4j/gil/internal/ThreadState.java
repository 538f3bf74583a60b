package dev.gil4j.gil.internal;

import org.HdrHistogram.Histogram;

/**
 * What the GIL knows about one registered thread.
 *
 * <p>Design: every field but {@link #guard}, {@link #noSwitch}, {@link #loading}, {@link
 * #acquiring} and {@link #releasedInAcquire} is written only while the GIL's mutex is held, by the
 * thread itself or by the watchdog, and read under the same mutex; the mutex orders them. Those
 * five are written only by the thread itself; {@code guard} is volatile because the watchdog reads
 * it to skip a holder that is inside gil4j's own code (where it may briefly wait for the mutex).
 */
public final class ThreadState {
  final Thread thread;
  final String name;
  final long registeredAt;

  /** Its number in registration order, set once under the mutex. */
  long id;

  /** Depth of gil4j runtime code on this thread's stack: hooks do nothing while it is positive. */
  volatile int guard;

  /** Depth of static initializers and class loading: the GIL is not dropped on request inside. */
  int noSwitch;

  /** Depth of class loading: blocking points keep the GIL inside. */
  int loading;

  /** Depth of lock acquisitions that may block: a wait inside keeps the GIL released to the end. */
  int acquiring;

  /** The GIL was released inside the current lock acquisition: re-take it when that ends. */
  boolean releasedInAcquire;

  /** policy=ticks with several tokens: checkpoints left before this holder releases. */
  int ticks;

  boolean holding;

  /**
   * Not holding but owed the GIL: a new thread, or one the safety net revoked. It takes the GIL at
   * its next checkpoint or after its next blocking call; until then the breaker stays set.
   */
  boolean retake;

  boolean dropRequested;
  boolean alive = true;
  long heldSince;

  /** When this thread last dropped the GIL on request, until its next wait for it begins. */
  long droppedAt;

  long endedAt;

  long heldNanos;
  long waitNanos;
  long takes;
  long contendedTakes;
  long forcedDrops;
  long revocations;
  Histogram waits;

  /** The kernel's id for this thread (Linux), or 0: the safety net asks the kernel about it. */
  int tid;

  /** The watchdog's observations while a drop request to this holder is pending. */
  long windowStart;

  long windowCpu;
  int windowPolls;

  ThreadState(Thread thread, long now) {
    this.thread = thread;
    String n = thread.getName();
    this.name = n.isEmpty() ? "#" + thread.getId() : n;
    this.registeredAt = now;
  }

  /** The thread this state belongs to. */
  public Thread thread() {
    return thread;
  }
}

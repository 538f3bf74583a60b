package dev.gil4j.gil.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.Condition;
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
  /** {@link #tid} of a thread registered by its parent that has not run any hook yet. */
  static final int NOT_RUN = -1;

  /** {@link #nativeCall}: not in a native call that may release the GIL. */
  static final int OUTSIDE = 0;

  /** {@link #nativeCall}: holding the GIL inside a native call that may release it. */
  static final int IN_NATIVE = 1;

  /** {@link #nativeCall}: the GIL was released while the thread slept in that native call. */
  static final int RELEASED = 2;

  private static final VarHandle NATIVE_CALL;

  static {
    try {
      NATIVE_CALL =
          MethodHandles.lookup().findVarHandle(ThreadState.class, "nativeCall", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

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

  /**
   * Waiting in a lock acquisition with the GIL released, from its first park until it returns:
   * written by the thread itself, read by the GIL holder that unparks it (GilCore#unparked).
   */
  volatile boolean parkedInAcquire;

  /** policy=ticks with several tokens: checkpoints left before this holder releases. */
  int ticks;

  /**
   * The monitor this thread owns while it re-takes the GIL after blocking at its entry or in its
   * {@code Object.wait} (GilCore#afterBlockingOwning), null otherwise; and, while it waits for the
   * GIL, its slot in GilCore's list of the monitors such threads own. Written by the thread itself.
   */
  Object owning;

  int owningSlot = -1;

  /** Written under the GIL's mutex; read without it by a waiter spinning for a hand-off. */
  volatile boolean holding;

  /**
   * Waiting in GilCore's queue of threads that wait for the GIL, oldest first; its neighbours
   * there. Guarded by GilCore's mutex.
   */
  boolean queued;

  /**
   * What this thread waits on for the GIL: a condition of GilCore's mutex, made at its first wait.
   */
  Condition turn;

  /** Signalled on {@link #turn} and not yet awake. */
  boolean signalled;

  /** The next thread in GilCore's list of droppers waiting for a successor to run. */
  ThreadState nextDropper;

  ThreadState queuedBefore;
  ThreadState queuedAfter;

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

  /**
   * The kernel's id for this thread (Linux), 0 if unknown, {@link #NOT_RUN} until the thread runs:
   * the safety net asks the kernel about it.
   */
  int tid = NOT_RUN;

  /**
   * Where the thread is with respect to a native call of a library ({@link #OUTSIDE}, {@link
   * #IN_NATIVE}, {@link #RELEASED}). Written by the thread on entry; on exit the thread and the
   * watchdog race with a compare-and-set: either the thread leaves still holding the GIL, or the
   * watchdog released it while the thread slept and the thread re-takes it.
   */
  volatile int nativeCall;

  /** The native method of the current call, as {@code NativeMethods} numbers it. */
  int nativeMethod;

  /** Native calls entered, so that the watchdog knows a CPU-time sample is of the same call. */
  int nativeCalls;

  /** The watchdog's CPU-time sample of a native call, where the kernel cannot say "asleep". */
  int sampledCall;

  long sampledAt;
  long sampledCpu;

  /** Its CPU time when the safety net released it: advancing since, it runs without the GIL. */
  long releasedCpu;

  /** When the safety net released it, or when it last showed CPU progress since. */
  long owedSince;

  /**
   * Owing a re-take, but blocked for a whole stall window: its debt no longer sets the breaker (see
   * {@code GilCore#coverOwing}); {@link #dormantCpu} is its CPU time when it became so.
   */
  boolean dormant;

  long dormantCpu;

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

  boolean casNativeCall(int expected, int value) {
    return NATIVE_CALL.compareAndSet(this, expected, value);
  }

  /** The thread this state belongs to. */
  public Thread thread() {
    return thread;
  }
}

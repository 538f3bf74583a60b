package dev.gil4j.multiprocessing;

import java.io.IOException;

/**
 * A reentrant lock shared by a process and its children: Python's {@code multiprocessing.RLock}.
 *
 * <p><b>Guarantees.</b> Owned by one thread of one process at a time; the owner re-acquires at
 * once, and releases once per acquire; no fairness. {@link #acquire} blocks, with gil4j's GIL
 * released, until it is free or the timeout passes. Not interruptible: an interrupt is kept and set
 * again on return. Shared with children as {@link Lock} is. When a process that holds it dies, the
 * lock is released (CPython's stays held forever): the creating process's thread that held it on
 * the dead thread's behalf lets go when the connection ends.
 *
 * <p><b>Errors</b>: {@link #release} by a thread that does not own it — {@link
 * IllegalStateException} "attempt to release recursive lock not owned by thread" (CPython's {@code
 * AssertionError}). In a child, the creating process gone — {@link IOException}.
 */
public final class RLock extends SharedPrimitive implements SharedLock {
  private static final long serialVersionUID = 1L;

  private final transient dev.gil4j.threading.RLock local;

  /**
   * In a child: per thread, how many levels it holds. Only the outermost acquire and release travel
   * to the owner, whose serving thread holds one level on this thread's behalf; the others are
   * counted here, as CPython's recursive {@code SemLock} counts them in the process.
   */
  private final transient ThreadLocal<int[]> depth;

  /** An unlocked reentrant lock, owned by this process. */
  public RLock() {
    super("RLock");
    local = new dev.gil4j.threading.RLock();
    depth = null;
  }

  RLock(Handle h) {
    super(h);
    local = null;
    depth = ThreadLocal.withInitial(() -> new int[1]);
  }

  /** Waits until this thread owns the lock; returns {@code true}. */
  @Override
  public boolean acquire() throws IOException {
    return acquire(true, -1);
  }

  /** Takes the lock; if {@code blocking} is false, only if that needs no wait. */
  @Override
  public boolean acquire(boolean blocking) throws IOException {
    return acquire(blocking, -1);
  }

  /**
   * Takes the lock, waiting at most {@code timeout} seconds ({@code -1}: no limit; other negatives:
   * not at all) when {@code blocking}. Returns whether this thread owns it.
   */
  @Override
  public boolean acquire(boolean blocking, double timeout) throws IOException {
    double t = timeoutFor(blocking, timeout);
    if (depth == null) {
      return call(Shared.ACQUIRE, blocking, t, 1).value() != 0;
    }
    int[] mine = depth.get();
    if (mine[0] > 0) {
      mine[0]++;
      return true;
    }
    boolean got = call(Shared.ACQUIRE, blocking, t, 1).value() != 0;
    if (got) {
      mine[0] = 1;
    }
    return got;
  }

  /**
   * Releases one level of ownership.
   *
   * @throws IllegalStateException "attempt to release recursive lock not owned by thread"
   */
  @Override
  public void release() throws IOException {
    if (depth != null) {
      int[] mine = depth.get();
      if (mine[0] > 1) {
        mine[0]--;
        return;
      }
      // the last level, or none: the owner releases, or refuses with its message
      call(Shared.RELEASE, false, -1, 1);
      mine[0] = 0;
      return;
    }
    call(Shared.RELEASE, false, -1, 1);
  }

  /** The threading lock that holds the state, in the owner. */
  dev.gil4j.threading.RLock local() {
    return local;
  }

  @Override
  Shared.Result serve(byte op, boolean blocking, double timeout, int n) {
    switch (op) {
      case Shared.ACQUIRE -> {
        return SemaphoreOps.acquire(local, blocking, timeout);
      }
      case Shared.RELEASE -> {
        try {
          local.release();
        } catch (IllegalMonitorStateException e) {
          throw new IllegalStateException("attempt to release recursive lock not owned by thread");
        }
        return new Shared.Result(0, 0);
      }
      default -> throw new IllegalStateException("not an RLock operation: " + op);
    }
  }

  @Override
  void undo(byte op, long value, int n) {
    if (op == Shared.ACQUIRE && value != 0) {
      local.release();
    }
  }
}

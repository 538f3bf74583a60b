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
public final class RLock extends SharedPrimitive {
  private static final long serialVersionUID = 1L;

  private final transient dev.gil4j.threading.RLock local;

  /** An unlocked reentrant lock, owned by this process. */
  public RLock() {
    super("RLock");
    local = new dev.gil4j.threading.RLock();
  }

  RLock(Handle h) {
    super(h);
    local = null;
  }

  /** Waits until this thread owns the lock; returns {@code true}. */
  public boolean acquire() throws IOException {
    return acquire(true, -1);
  }

  /** Takes the lock; if {@code blocking} is false, only if that needs no wait. */
  public boolean acquire(boolean blocking) throws IOException {
    return acquire(blocking, -1);
  }

  /**
   * Takes the lock, waiting at most {@code timeout} seconds ({@code -1}: no limit; other negatives:
   * not at all) when {@code blocking}. Returns whether this thread owns it.
   */
  public boolean acquire(boolean blocking, double timeout) throws IOException {
    return call(Shared.ACQUIRE, blocking, timeoutFor(blocking, timeout), 1).value() != 0;
  }

  /**
   * Releases one level of ownership.
   *
   * @throws IllegalStateException "attempt to release recursive lock not owned by thread"
   */
  public void release() throws IOException {
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
        if (local.acquire(false)) {
          return new Shared.Result(1, 0);
        }
        if (!blocking) {
          return new Shared.Result(0, 0);
        }
        long start = System.nanoTime();
        boolean got = timeout < 0 && timeout != -1 ? false : local.acquire(true, timeout);
        return new Shared.Result(got ? 1 : 0, System.nanoTime() - start);
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

package dev.gil4j.multiprocessing;

import java.io.IOException;

/**
 * A lock shared by a process and its children: Python's {@code multiprocessing.Lock}.
 *
 * <p><b>Guarantees.</b> Not reentrant, not owned: any thread of any process that has it may release
 * it, as in CPython (a semaphore of value 1). {@link #acquire} blocks, with gil4j's GIL released,
 * until it is free or the timeout passes; no fairness. Not interruptible: an interrupt is kept and
 * set again on return. Create it in a process and give it to children by capturing it in their
 * {@link Task}; its state stays in the creating process (see {@link Shared}). Waits are recorded at
 * the line that created it, in the process that waited and in the creating process. A lock held by
 * a process that dies stays locked, as in CPython.
 *
 * <p><b>Errors</b>, CPython's: {@link #release} of an unlocked lock — {@link
 * IllegalArgumentException} "semaphore or lock released too many times" (Python's {@code
 * ValueError}). In a child, the creating process gone — {@link IOException}.
 */
public final class Lock extends SharedPrimitive implements SharedLock {
  private static final long serialVersionUID = 1L;

  /** A threading lock, not a bounded semaphore, so that waits are recorded under kind Lock. */
  private final transient dev.gil4j.threading.Lock local;

  /** An unlocked lock, owned by this process. */
  public Lock() {
    super("Lock");
    local = new dev.gil4j.threading.Lock();
  }

  Lock(Handle h) {
    super(h);
    local = null;
  }

  /** Waits until the lock is free and takes it; returns {@code true}. */
  @Override
  public boolean acquire() throws IOException {
    return acquire(true, -1);
  }

  /** Takes the lock; if {@code blocking} is false, only if it is free now. */
  @Override
  public boolean acquire(boolean blocking) throws IOException {
    return acquire(blocking, -1);
  }

  /**
   * Takes the lock, waiting at most {@code timeout} seconds ({@code -1}: no limit; other negatives:
   * not at all) when {@code blocking}; a non-blocking call ignores the timeout, as CPython's does.
   * Returns whether it was taken.
   */
  @Override
  public boolean acquire(boolean blocking, double timeout) throws IOException {
    return call(Shared.ACQUIRE, blocking, timeoutFor(blocking, timeout), 1).value() != 0;
  }

  /**
   * Frees the lock.
   *
   * @throws IllegalArgumentException "semaphore or lock released too many times" if not locked
   */
  @Override
  public void release() throws IOException {
    call(Shared.RELEASE, false, -1, 1);
  }

  /** The threading lock that holds the state, in the owner. */
  dev.gil4j.threading.Lock local() {
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
          // threading's words are "release unlocked lock"; multiprocessing's are SemLock's
          throw new IllegalArgumentException("semaphore or lock released too many times");
        }
        return new Shared.Result(0, 0);
      }
      default -> throw new IllegalStateException("not a Lock operation: " + op);
    }
  }

  @Override
  void undo(byte op, long value, int n) {
    if (op == Shared.ACQUIRE && value != 0) {
      local.release();
    }
  }
}

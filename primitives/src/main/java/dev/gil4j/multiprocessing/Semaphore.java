package dev.gil4j.multiprocessing;

import java.io.IOException;

/**
 * A semaphore shared by a process and its children: Python's {@code multiprocessing.Semaphore}.
 *
 * <p><b>Guarantees.</b> {@link #acquire} takes one unit, blocking with gil4j's GIL released while
 * the value is 0, until the timeout passes; any thread of any process releases, without bound; no
 * fairness. Not interruptible: an interrupt is kept and set again on return. Shared with children
 * as {@link Lock} is; units taken by a process that dies are not given back, as in CPython.
 *
 * <p><b>Errors</b>: a negative initial value — {@link IllegalArgumentException} "semaphore initial
 * value must be >= 0". In a child, the creating process gone — {@link IOException}.
 */
public sealed class Semaphore extends SharedPrimitive permits BoundedSemaphore {
  private static final long serialVersionUID = 1L;

  private final transient dev.gil4j.threading.Semaphore local;

  /** A semaphore of value 1, owned by this process. */
  public Semaphore() {
    this(1);
  }

  /** A semaphore of value {@code value}, owned by this process. */
  public Semaphore(int value) {
    super("Semaphore");
    local = new dev.gil4j.threading.Semaphore(value);
  }

  Semaphore(String kind, dev.gil4j.threading.Semaphore local) {
    super(kind);
    this.local = local;
  }

  Semaphore(Handle h) {
    super(h);
    local = null;
  }

  /** Waits for a unit and takes it; returns {@code true}. */
  public boolean acquire() throws IOException {
    return acquire(true, -1);
  }

  /** Takes a unit; if {@code blocking} is false, only if one is free now. */
  public boolean acquire(boolean blocking) throws IOException {
    return acquire(blocking, -1);
  }

  /**
   * Takes a unit, waiting at most {@code timeout} seconds ({@code -1}: no limit; other negatives:
   * not at all) when {@code blocking}; a non-blocking call ignores the timeout. Returns whether it
   * took one.
   */
  public boolean acquire(boolean blocking, double timeout) throws IOException {
    return call(Shared.ACQUIRE, blocking, timeoutFor(blocking, timeout), 1).value() != 0;
  }

  /** Gives a unit back, waking a waiter in any process. */
  public void release() throws IOException {
    call(Shared.RELEASE, false, -1, 1);
  }

  @Override
  final Shared.Result serve(byte op, boolean blocking, double timeout, int n) {
    return SemaphoreOps.serve(local, op, blocking, timeout, n);
  }

  @Override
  final void undo(byte op, long value, int n) {
    SemaphoreOps.undo(local, op, value);
  }
}

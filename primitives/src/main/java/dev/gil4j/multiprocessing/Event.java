package dev.gil4j.multiprocessing;

import java.io.IOException;

/**
 * A flag shared by a process and its children: Python's {@code multiprocessing.Event}.
 *
 * <p><b>Guarantees.</b> {@link #set} wakes every thread of every process waiting in {@link #await};
 * {@code await} blocks, with gil4j's GIL released, while the flag is clear, until the timeout
 * passes. Not interruptible: an interrupt is kept and set again on return. Shared with children as
 * {@link Lock} is. In a child, the creating process gone — {@link IOException}.
 */
public final class Event extends SharedPrimitive {
  private static final long serialVersionUID = 1L;

  private final transient dev.gil4j.threading.Event local;

  /** An event whose flag is clear, owned by this process. */
  public Event() {
    super("Event");
    local = new dev.gil4j.threading.Event();
  }

  Event(Handle h) {
    super(h);
    local = null;
  }

  /** Whether the flag is set. Python: {@code is_set()}. */
  public boolean isSet() throws IOException {
    return call(Shared.IS_SET, false, 0, 0).value() != 0;
  }

  /** Sets the flag, waking every waiter. */
  public void set() throws IOException {
    call(Shared.SET, false, 0, 0);
  }

  /** Clears the flag. */
  public void clear() throws IOException {
    call(Shared.CLEAR, false, 0, 0);
  }

  /** Waits until the flag is set; returns {@code true}. Python: {@code wait()}. */
  public boolean await() throws IOException {
    return await(-1);
  }

  /**
   * Waits until the flag is set or {@code timeout} seconds have passed ({@code -1}: no limit; other
   * negatives: not at all); returns the flag as the wait ended.
   */
  public boolean await(double timeout) throws IOException {
    return call(Shared.WAIT, true, timeoutFor(true, timeout), 0).value() != 0;
  }

  @Override
  Shared.Result serve(byte op, boolean blocking, double timeout, int n) {
    switch (op) {
      case Shared.IS_SET -> {
        return new Shared.Result(local.isSet() ? 1 : 0, 0);
      }
      case Shared.SET -> local.set();
      case Shared.CLEAR -> local.clear();
      case Shared.WAIT -> {
        if (local.isSet()) {
          return new Shared.Result(1, 0);
        }
        long start = System.nanoTime();
        boolean set = local.await(timeout);
        return new Shared.Result(set ? 1 : 0, System.nanoTime() - start);
      }
      default -> throw new IllegalStateException("not an Event operation: " + op);
    }
    return new Shared.Result(0, 0);
  }
}

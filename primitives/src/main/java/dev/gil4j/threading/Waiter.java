package dev.gil4j.threading;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * One thread's wait in a {@link Condition} or an {@link Event}: CPython's per-wait "waiter lock",
 * as a node that is signalled or cancelled exactly once.
 *
 * <p>Design: a notifier and a timing-out waiter race for the node with one compare-and-set, so a
 * notification is never spent on a waiter that already gave up (CPython can lose one there; here
 * the notifier moves on to the next waiter). No spurious wake-ups reach the caller: the waiter
 * parks until its own state changes.
 */
final class Waiter {
  private static final int WAITING = 0;
  private static final int SIGNALLED = 1;
  private static final int CANCELLED = 2;
  private static final VarHandle STATE;

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(Waiter.class, "state", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final Thread thread = Thread.currentThread();
  private volatile int state;

  /** Wakes the waiter; false if it had already been woken or had given up. */
  boolean signal() {
    if (STATE.compareAndSet(this, WAITING, SIGNALLED)) {
      LockSupport.unpark(thread);
      return true;
    }
    return false;
  }

  /** Gives up waiting; false if a signal came first. */
  boolean cancel() {
    return STATE.compareAndSet(this, WAITING, CANCELLED);
  }

  /**
   * Parks the calling thread (the one that created this waiter) until signalled or until {@code
   * nanos} have passed ({@link Timeouts#FOREVER}: no limit). Uninterruptible: an interrupt is kept
   * and re-asserted on return. Returns whether it was signalled.
   */
  boolean await(long nanos) {
    boolean interrupted = false;
    long deadline = nanos > 0 ? System.nanoTime() + nanos : 0;
    while (state == WAITING) {
      if (nanos < 0) {
        LockSupport.park(this);
      } else {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        LockSupport.parkNanos(this, left);
      }
      // Cleared so that the next park blocks again instead of returning at once.
      if (Thread.interrupted()) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    return !cancel();
  }
}

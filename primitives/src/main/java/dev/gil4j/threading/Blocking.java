package dev.gil4j.threading;

import dev.gil4j.profiler.locks.Parks;
import dev.gil4j.runtime.Hooks;
import java.util.concurrent.locks.AbstractQueuedSynchronizer;

/**
 * The slow path every primitive shares: CPython's {@code acquire_timed} after its non-blocking try
 * failed. The GIL (when the agent installed one) is released for the whole wait and re-taken before
 * returning; every wait is uninterruptible, keeping an interrupt for the caller to see afterwards.
 *
 * <p>gil4j's primitives record their own waits, so the park hook leaves theirs alone ({@link
 * Parks#quiet}).
 *
 * <p>Design: callers try without blocking first and come here only when that failed, so an
 * uncontended operation never touches the GIL. Waiting is built on {@code java.util.concurrent} and
 * {@code LockSupport}, never on monitors, so that a virtual thread unmounts while it waits.
 */
final class Blocking {
  private Blocking() {}

  /** Acquires {@code sync} exclusively with {@code arg}; false if {@code nanos} passed first. */
  static boolean exclusive(AbstractQueuedSynchronizer sync, int arg, long nanos) {
    boolean released = Hooks.beforeBlocking();
    Parks.quiet();
    try {
      if (nanos == Timeouts.FOREVER) {
        sync.acquire(arg);
        return true;
      }
      return timed(sync, arg, nanos, false);
    } finally {
      Parks.loud();
      if (released) {
        Hooks.afterBlocking();
      }
    }
  }

  /** Acquires {@code sync} in shared mode with {@code arg}; false if {@code nanos} passed first. */
  static boolean shared(AbstractQueuedSynchronizer sync, int arg, long nanos) {
    boolean released = Hooks.beforeBlocking();
    Parks.quiet();
    try {
      if (nanos == Timeouts.FOREVER) {
        sync.acquireShared(arg);
        return true;
      }
      return timed(sync, arg, nanos, true);
    } finally {
      Parks.loud();
      if (released) {
        Hooks.afterBlocking();
      }
    }
  }

  /** Waits for {@code waiter} to be signalled; false if {@code nanos} passed first. */
  static boolean park(Waiter waiter, long nanos) {
    boolean released = Hooks.beforeBlocking();
    try {
      return waiter.await(nanos);
    } finally {
      if (released) {
        Hooks.afterBlocking();
      }
    }
  }

  /** The JDK's timed acquires are interruptible; this one retries until the deadline instead. */
  private static boolean timed(
      AbstractQueuedSynchronizer sync, int arg, long nanos, boolean shared) {
    long deadline = System.nanoTime() + nanos;
    // Cleared first, or the JDK's acquire would throw at once.
    boolean interrupted = Thread.interrupted();
    try {
      while (true) {
        try {
          return shared ? sync.tryAcquireSharedNanos(arg, nanos) : sync.tryAcquireNanos(arg, nanos);
        } catch (InterruptedException e) {
          interrupted = true;
          nanos = deadline - System.nanoTime();
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}

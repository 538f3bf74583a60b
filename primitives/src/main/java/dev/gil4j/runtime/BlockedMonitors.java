package dev.gil4j.runtime;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The monitors that threads are blocked entering, with a GIL installed: so that a GIL holder
 * leaving a monitor yields its CPU only when the JVM wakes a thread blocked on that monitor, as a
 * {@code java.util.concurrent} lock's release yields only when it unparks a waiter. Yielding at
 * every exit while any thread was blocked anywhere handed monitors over at 9 acquisitions in 10
 * (the nested {@code synchronized} shape of {@code Locks}, 4 threads), twice as often as the same
 * program's {@code ReentrantLock}s or CPython's locks.
 *
 * <p>Design: a blocked thread lists its monitor in the first free one of {@value #SLOTS} slots; a
 * thread that finds none is counted as unlisted, and while any is, every monitor may have a thread
 * blocked on it. Several threads blocked on one monitor list it once each, and an entry removes any
 * one of them: the same reference either way. Only contended entries and exits come here: the
 * exit's fast path is one read of {@link #any}.
 *
 * <p>Cost: an arrival and an entry scan up to the highest slot ever used, one compare-and-set each;
 * an exit scans the same slots with plain volatile reads. Allocates nothing.
 */
final class BlockedMonitors {
  private static final int SLOTS = 64;

  private static final AtomicReferenceArray<Object> listed = new AtomicReferenceArray<>(SLOTS);

  /** Threads blocked at a monitor entry: listed or not. */
  private static final AtomicInteger blocked = new AtomicInteger();

  private static final AtomicInteger unlisted = new AtomicInteger();

  /** One past the highest slot ever used. */
  private static final AtomicInteger used = new AtomicInteger();

  private BlockedMonitors() {}

  /** Whether any thread is blocked entering any monitor. */
  static boolean any() {
    return blocked.get() > 0;
  }

  /** The calling thread is about to block entering {@code monitor}. */
  static void arrive(Object monitor) {
    blocked.incrementAndGet();
    for (int i = 0; i < SLOTS; i++) {
      if (listed.get(i) == null && listed.compareAndSet(i, null, monitor)) {
        int u;
        while ((u = used.get()) <= i && !used.compareAndSet(u, i + 1)) {
          // another thread raised it: read again
        }
        return;
      }
    }
    unlisted.incrementAndGet();
  }

  /** The calling thread, counted by {@link #arrive}, has entered {@code monitor}. */
  static void entered(Object monitor) {
    int n = used.get();
    for (int i = 0; i < n; i++) {
      if (listed.get(i) == monitor && listed.compareAndSet(i, monitor, null)) {
        blocked.decrementAndGet();
        return;
      }
    }
    unlisted.decrementAndGet();
    blocked.decrementAndGet();
  }

  /** Whether a thread may be blocked entering {@code monitor}. */
  static boolean waitedFor(Object monitor) {
    if (unlisted.get() > 0) {
      return true;
    }
    int n = used.get();
    for (int i = 0; i < n; i++) {
      if (listed.get(i) == monitor) {
        return true;
      }
    }
    return false;
  }
}

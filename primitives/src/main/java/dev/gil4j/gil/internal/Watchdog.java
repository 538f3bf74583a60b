package dev.gil4j.gil.internal;

import java.util.concurrent.locks.LockSupport;

/**
 * The safety net's eyes: while some thread waits for the GIL, looks at the holders every poll and
 * asks the GIL to revoke a holder that is not running (see {@code GilCore#inspectHolders}).
 *
 * <p>Runs on its own daemon thread, which never registers and so never takes the GIL.
 */
final class Watchdog implements Runnable {
  /** How long the watchdog sleeps when nobody waits for the GIL; a new waiter wakes it sooner. */
  private static final long IDLE_NANOS = 50_000_000L;

  private final GilCore gil;
  private final long pollNanos;
  private volatile Thread thread;

  Watchdog(GilCore gil, long pollNanos) {
    this.gil = gil;
    this.pollNanos = pollNanos;
  }

  void start() {
    Thread t = new Thread(this, "gil4j-watchdog");
    t.setDaemon(true);
    thread = t;
    t.start();
  }

  /** Called when the first waiter arrives, so that a blocked holder is seen within one poll. */
  void wake() {
    Thread t = thread;
    if (t != null) {
      LockSupport.unpark(t);
    }
  }

  @Override
  public void run() {
    while (true) {
      boolean waiting = gil.hasWaiters() || gil.hasOwing();
      LockSupport.parkNanos(this, waiting ? pollNanos : IDLE_NANOS);
      try {
        if (gil.hasWaiters() || gil.hasOwing()) {
          gil.inspectHolders();
        }
      } catch (Throwable t) {
        gil.failOpen("watchdog failed", t);
        return;
      }
    }
  }
}

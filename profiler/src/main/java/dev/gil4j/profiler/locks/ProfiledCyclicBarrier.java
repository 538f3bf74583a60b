package dev.gil4j.profiler.locks;

import dev.gil4j.profiler.ContentionRecorder;
import dev.gil4j.profiler.jfr.LockWaitEvent;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@link CyclicBarrier} that records its waits: the drop-in gil4j's agent constructs where an
 * application class says {@code new CyclicBarrier(…)}, with the creation site as one more argument.
 * Each constructor of {@code CyclicBarrier} has a twin here taking a trailing {@code String site}.
 *
 * <p><b>What it measures</b>, at {@link ContentionRecorder#site ContentionRecorder.site}{@code
 * ("CyclicBarrier", site)}: each {@code await} is timed until it returns or throws (tripped,
 * broken, timed out, interrupted), with a {@link LockWaitEvent} that has no owner; except the
 * arrival that trips the barrier (arrival index 0), which waits for no one and runs the barrier
 * action, and calls that fail before arriving (an interrupted caller, a null unit, a timeout of
 * zero or less). An arrival at a barrier already broken is recorded, with the moment it took to
 * find out.
 *
 * <p><b>Guarantees</b>: those of {@code CyclicBarrier}, to which every operation is delegated: same
 * blocking, barrier action, breakage, reset, interruption, timeouts and exceptions.
 *
 * <p><b>Cost</b>: every arrival but the tripping one waits by nature, so each is timed: two {@link
 * System#nanoTime} calls, a histogram record and a JFR event (allocated, and committed only if a
 * recording wants it).
 */
public class ProfiledCyclicBarrier extends CyclicBarrier {
  private static final int TRIPPED = 0;

  private final Probe probe;

  /**
   * Twin of {@link CyclicBarrier#CyclicBarrier(int, Runnable)}: the last of {@code parties}
   * arrivals runs {@code barrierAction} (may be null); created at {@code site}.
   */
  public ProfiledCyclicBarrier(int parties, Runnable barrierAction, String site) {
    super(parties, barrierAction);
    this.probe = new Probe("CyclicBarrier", site);
  }

  /** Twin of {@link CyclicBarrier#CyclicBarrier(int)}, created at {@code site}. */
  public ProfiledCyclicBarrier(int parties, String site) {
    super(parties);
    this.probe = new Probe("CyclicBarrier", site);
  }

  @Override
  public int await() throws InterruptedException, BrokenBarrierException {
    if (Thread.currentThread().isInterrupted()) {
      return super.await(); // breaks the barrier and throws, as for any interrupted caller
    }
    return awaitWaiting();
  }

  private int awaitWaiting() throws InterruptedException, BrokenBarrierException {
    long start = System.nanoTime();
    LockWaitEvent event = Probe.beginWait();
    Parks.quiet();
    int index = -1;
    try {
      index = super.await();
      return index;
    } finally {
      Parks.loud();
      if (index != TRIPPED) {
        probe.waited(start, event);
      }
    }
  }

  @Override
  public int await(long timeout, TimeUnit unit)
      throws InterruptedException, BrokenBarrierException, TimeoutException {
    if (timeout <= 0 || unit == null || Thread.currentThread().isInterrupted()) {
      return super.await(timeout, unit); // trips, or fails at once
    }
    return awaitWaiting(timeout, unit);
  }

  private int awaitWaiting(long timeout, TimeUnit unit)
      throws InterruptedException, BrokenBarrierException, TimeoutException {
    long start = System.nanoTime();
    LockWaitEvent event = Probe.beginWait();
    Parks.quiet();
    int index = -1;
    try {
      index = super.await(timeout, unit);
      return index;
    } finally {
      Parks.loud();
      if (index != TRIPPED) {
        probe.waited(start, event);
      }
    }
  }
}

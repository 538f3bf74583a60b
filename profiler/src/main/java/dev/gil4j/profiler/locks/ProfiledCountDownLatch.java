package dev.gil4j.profiler.locks;

import dev.gil4j.profiler.ContentionRecorder;
import dev.gil4j.profiler.jfr.LockWaitEvent;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A {@link CountDownLatch} that records its waits: the drop-in gil4j's agent constructs where an
 * application class says {@code new CountDownLatch(count)}, with the creation site as one more
 * argument ({@link #ProfiledCountDownLatch(int, String)}).
 *
 * <p><b>What it measures</b>, at {@link ContentionRecorder#site ContentionRecorder.site}{@code
 * ("CountDownLatch", site)}: each {@code await} that finds the count above zero is timed until it
 * returns or throws (opened, timed out, interrupted), with a {@link LockWaitEvent} that has no
 * owner. Not recorded: an {@code await} on an open latch, and calls that fail or return before
 * waiting (an interrupted caller, a timeout of zero or less).
 *
 * <p><b>Guarantees</b>: those of {@code CountDownLatch}, to which every operation is delegated:
 * same blocking, interruption, timeouts and exceptions.
 *
 * <p><b>Cost</b>: {@code await} on an open latch costs the JDK's plus a read of the count; {@code
 * countDown} is the JDK's. No clock is read and nothing is allocated on those paths.
 */
public class ProfiledCountDownLatch extends CountDownLatch {
  private final Probe probe;

  /** Twin of {@link CountDownLatch#CountDownLatch(int)}, created at {@code site}. */
  public ProfiledCountDownLatch(int count, String site) {
    super(count);
    this.probe = new Probe("CountDownLatch", site);
  }

  @Override
  public void await() throws InterruptedException {
    if (super.getCount() == 0 || Thread.currentThread().isInterrupted()) {
      super.await(); // returns or throws at once
    } else {
      awaitWaiting();
    }
  }

  private void awaitWaiting() throws InterruptedException {
    long start = System.nanoTime();
    LockWaitEvent event = Probe.beginWait();
    Parks.quiet();
    try {
      super.await();
    } finally {
      Parks.loud();
      probe.waited(start, event);
    }
  }

  @Override
  public boolean await(long timeout, TimeUnit unit) throws InterruptedException {
    if (super.getCount() == 0
        || timeout <= 0
        || unit == null
        || Thread.currentThread().isInterrupted()) {
      return super.await(timeout, unit); // returns or throws at once
    }
    return awaitWaiting(timeout, unit);
  }

  private boolean awaitWaiting(long timeout, TimeUnit unit) throws InterruptedException {
    long start = System.nanoTime();
    LockWaitEvent event = Probe.beginWait();
    Parks.quiet();
    try {
      return super.await(timeout, unit);
    } finally {
      Parks.loud();
      probe.waited(start, event);
    }
  }
}

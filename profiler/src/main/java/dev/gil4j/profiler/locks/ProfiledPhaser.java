package dev.gil4j.profiler.locks;

import dev.gil4j.profiler.ContentionRecorder;
import dev.gil4j.profiler.jfr.LockWaitEvent;
import java.util.concurrent.Phaser;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@link Phaser} that records its waits: the drop-in gil4j's agent constructs where an
 * application class says {@code new Phaser(…)}, with the creation site as one more argument. Each
 * constructor of {@code Phaser} has a twin here taking a trailing {@code String site}; a parent may
 * be any {@code Phaser}, profiled or not.
 *
 * <p><b>What it measures</b>, at {@link ContentionRecorder#site ContentionRecorder.site}{@code
 * ("Phaser", site)}: each {@code arriveAndAwaitAdvance}, {@code awaitAdvance} and {@code
 * awaitAdvanceInterruptibly} that may wait is timed until it returns or throws (advanced,
 * terminated, timed out, interrupted), with a {@link LockWaitEvent} that has no owner. Not
 * recorded: waits for a phase already over, on a terminated phaser, calls that fail before waiting
 * (an interrupted caller, a null unit, a timeout of zero or less), and the last arrival at a root
 * phaser, which advances it without waiting (judged by a look at the unarrived count just before
 * arriving: a party arriving at the same moment can make one arrival be recorded with a near-zero
 * wait). In a tree, an arrival that completes a child phaser waits at its parent: it is recorded at
 * the child's site, and also at the parent's if the parent is profiled.
 *
 * <p><b>Guarantees</b>: those of {@code Phaser}, to which every operation is delegated: same
 * phases, registration, tiering, termination, {@code onAdvance}, interruption, timeouts and
 * exceptions.
 *
 * <p><b>Cost</b>: {@code arrive}, {@code register} and the other non-waiting operations are the
 * JDK's. A wait that returns at once costs the JDK's plus a read of the phase (and, for {@code
 * arriveAndAwaitAdvance} on a root phaser, of the counts); a timed wait adds two {@link
 * System#nanoTime} calls, a histogram record and a JFR event (allocated, and committed only if a
 * recording wants it).
 */
public class ProfiledPhaser extends Phaser {
  private final Probe probe;

  /** Twin of {@link Phaser#Phaser()}, created at {@code site}. */
  public ProfiledPhaser(String site) {
    super();
    this.probe = new Probe("Phaser", site);
  }

  /** Twin of {@link Phaser#Phaser(int)}, created at {@code site}. */
  public ProfiledPhaser(int parties, String site) {
    super(parties);
    this.probe = new Probe("Phaser", site);
  }

  /** Twin of {@link Phaser#Phaser(Phaser)}, created at {@code site}. */
  public ProfiledPhaser(Phaser parent, String site) {
    super(parent);
    this.probe = new Probe("Phaser", site);
  }

  /** Twin of {@link Phaser#Phaser(Phaser, int)}, created at {@code site}. */
  public ProfiledPhaser(Phaser parent, int parties, String site) {
    super(parent, parties);
    this.probe = new Probe("Phaser", site);
  }

  @Override
  public int arriveAndAwaitAdvance() {
    if (super.getPhase() < 0 || (super.getParent() == null && super.getUnarrivedParties() <= 1)) {
      return super.arriveAndAwaitAdvance(); // terminated, last to arrive, or misused: no wait
    }
    return arriveAndAwaitWaiting();
  }

  private int arriveAndAwaitWaiting() {
    long start = System.nanoTime();
    LockWaitEvent event = Probe.beginWait();
    Parks.quiet();
    try {
      return super.arriveAndAwaitAdvance();
    } finally {
      Parks.loud();
      probe.waited(start, event);
    }
  }

  @Override
  public int awaitAdvance(int phase) {
    if (phase < 0 || super.getPhase() != phase) {
      return super.awaitAdvance(phase); // returns at once
    }
    return awaitAdvanceWaiting(phase);
  }

  private int awaitAdvanceWaiting(int phase) {
    long start = System.nanoTime();
    LockWaitEvent event = Probe.beginWait();
    Parks.quiet();
    try {
      return super.awaitAdvance(phase);
    } finally {
      Parks.loud();
      probe.waited(start, event);
    }
  }

  @Override
  public int awaitAdvanceInterruptibly(int phase) throws InterruptedException {
    if (phase < 0 || super.getPhase() != phase || Thread.currentThread().isInterrupted()) {
      return super.awaitAdvanceInterruptibly(phase); // returns or throws at once
    }
    return awaitAdvanceInterruptiblyWaiting(phase);
  }

  private int awaitAdvanceInterruptiblyWaiting(int phase) throws InterruptedException {
    long start = System.nanoTime();
    LockWaitEvent event = Probe.beginWait();
    Parks.quiet();
    try {
      return super.awaitAdvanceInterruptibly(phase);
    } finally {
      Parks.loud();
      probe.waited(start, event);
    }
  }

  @Override
  public int awaitAdvanceInterruptibly(int phase, long timeout, TimeUnit unit)
      throws InterruptedException, TimeoutException {
    if (phase < 0
        || super.getPhase() != phase
        || timeout <= 0
        || unit == null
        || Thread.currentThread().isInterrupted()) {
      return super.awaitAdvanceInterruptibly(phase, timeout, unit); // returns or throws at once
    }
    return awaitAdvanceInterruptiblyWaiting(phase, timeout, unit);
  }

  private int awaitAdvanceInterruptiblyWaiting(int phase, long timeout, TimeUnit unit)
      throws InterruptedException, TimeoutException {
    long start = System.nanoTime();
    LockWaitEvent event = Probe.beginWait();
    Parks.quiet();
    try {
      return super.awaitAdvanceInterruptibly(phase, timeout, unit);
    } finally {
      Parks.loud();
      probe.waited(start, event);
    }
  }
}

package dev.gil4j.profiler.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;

/**
 * A thread waited for a {@code java.util.concurrent} lock or synchronizer that the application
 * created and gil4j swapped in: which class, created where, held by whom when the wait began. The
 * event's duration is the wait; its stack trace is the waiter's, from the application's call that
 * waited ({@code lock()}, {@code await()}…) down: gil4j's own frames are left out ({@link
 * OwnFrames}).
 *
 * <p>Committed only on the contended path, once per wait, whatever its outcome (acquired, timed
 * out, interrupted). The default threshold, 1 ms, keeps the stack-walking cost to waits that matter
 * (a fifth of the GIL's default switch interval) when a recording does not name this event; every
 * wait, however short, still goes into the wait histogram of {@code ContentionRecorder}.
 */
@Name("gil4j.LockWait")
@Category("gil4j")
@Label("Lock Wait")
@Description(
    "A thread waited for a java.util.concurrent lock or synchronizer the application created:"
        + " its class, creation site and owner thread")
@StackTrace(true)
@Threshold("1 ms")
public final class LockWaitEvent extends Event {
  /**
   * gil4j's frames above the application's at every commit: the {@code Probe} method that commits,
   * the drop-in's slow path, and the drop-in's public method the application called.
   */
  static final int OWN_FRAMES = 3;

  /** The classes of those frames. */
  static final String[] OWN_CLASSES = {
    "dev.gil4j.profiler.locks.Probe",
    "dev.gil4j.profiler.locks.ProfiledReentrantLock",
    "dev.gil4j.profiler.locks.ProfiledReentrantReadWriteLock$ProfiledReadLock",
    "dev.gil4j.profiler.locks.ProfiledReentrantReadWriteLock$ProfiledWriteLock",
    "dev.gil4j.profiler.locks.ProfiledSemaphore",
    "dev.gil4j.profiler.locks.ProfiledCondition",
    "dev.gil4j.profiler.locks.ProfiledCountDownLatch",
    "dev.gil4j.profiler.locks.ProfiledCyclicBarrier",
    "dev.gil4j.profiler.locks.ProfiledPhaser"
  };

  /** The JDK class waited for, and which side of it: {@code ReentrantReadWriteLock.write}. */
  @Label("Lock Class")
  @Description(
      "The JDK class waited for, e.g. ReentrantLock, ReentrantReadWriteLock.read,"
          + " ReentrantReadWriteLock.write, Semaphore, CountDownLatch, CyclicBarrier, Phaser,"
          + " ReentrantLock.condition")
  public String lockClass;

  /** Where the application created it: {@code com.acme.Cache.<init>(Cache.java:42)}. */
  @Label("Site")
  @Description("Where the application created the lock or synchronizer")
  public String site;

  /**
   * The thread holding the lock when the wait began, or null where the JDK exposes none. JFR on JDK
   * 17 cannot name a thread that ended before the wait did; JDK 25 can.
   */
  @Label("Owner")
  @Description(
      "The thread that held the lock exclusively when the wait began; empty for shared holds,"
          + " permits, latches, barriers, phasers and conditions")
  public Thread owner;
}

package dev.gil4j.samples;

import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A running application to attach a profiler to: threads that contend on a {@code ReentrantLock}
 * and a monitor, round after round, until TIME.
 *
 * <p>Each round constructs a new {@code ReentrantLock} and a new monitor, as a request handler
 * would, and starts THREADS threads that each take both OPS times, holding each across a sleep of
 * HOLD, and also take a {@code ReentrantLock} constructed once at start, shared by every round,
 * around a short counter update. Every thread counts what it did; the three counters must add up,
 * round by round and at the end, or the program ends with exit status 1. The threads of a round end
 * with it, so a profiler attached at any time sees threads start and end.
 *
 * <p>It prints {@code LockContention: pid N, …} when it starts, so that a profiler can be pointed
 * at it: {@code java -jar agent/target/gil4j-agent.jar profile N}. <b>What a profiler must
 * show:</b> waits of about HOLD × (THREADS − 1) at the round's lock and monitor, with the round's
 * construction site ({@code LockContention.round}), and short waits at the shared lock. <b>Under
 * {@code -javaagent:gil4j-agent.jar}</b> the sleeps release the GIL, so the waits look the same.
 *
 * <p>Usage: {@code LockContention [time] [threads] [ops] [hold]} or the same as {@code --name
 * value}; defaults 2 s, 4 threads, 50 operations per thread and round, 1 ms. Prints {@code rounds},
 * {@code ops_per_s} and {@code wall_ms}.
 */
public final class LockContention {
  private static final String USAGE =
      "LockContention [time (1ms..3600s, default 2s)] [threads (per round, 2..64, default 4)] [ops"
          + " (per thread and round, 1..100000, default 50)] [hold (0ms..1s, default 1ms)], or"
          + " --time D --threads N --ops N --hold D";

  private LockContention() {}

  /** One round's counts: each field is guarded by the lock or monitor it counts. */
  private static final class Counts {
    long locked;
    long monitored;
  }

  private static final ReentrantLock SHARED = new ReentrantLock();
  private static long shared;

  public static void main(String[] argv) throws InterruptedException {
    Args args = Args.parse("LockContention", USAGE, argv, "time", "threads", "ops", "hold");
    Duration time =
        args.duration("time", Duration.ofSeconds(2), Duration.ofMillis(1), Duration.ofHours(1));
    int threads = args.intValue("threads", 4, 2, 64);
    int ops = args.intValue("ops", 50, 1, 100_000);
    Duration hold =
        args.duration("hold", Duration.ofMillis(1), Duration.ZERO, Duration.ofSeconds(1));
    System.out.printf(
        "LockContention: pid %d, %d threads a round for %s s%n",
        ProcessHandle.current().pid(), threads, Metrics.format(time.toNanos() / 1e9));
    System.out.flush();
    long start = System.nanoTime();
    long deadline = start + time.toNanos();
    long rounds = 0;
    do {
      round(threads, ops, hold.toNanos(), time);
      rounds++;
    } while (System.nanoTime() - deadline < 0);
    long end = System.nanoTime();
    long expected = rounds * threads * ops;
    if (shared != expected) {
      System.err.printf("LockContention: WRONG shared count %d, expected %d%n", shared, expected);
      System.exit(1);
    }
    System.out.printf(
        "LockContention: %d rounds, %,d operations on each lock in %.1f ms, counts ok%n",
        rounds, expected, Metrics.millis(start, end));
    Metrics.print("rounds", rounds, "count");
    Metrics.print("ops_per_s", Metrics.perSecond(expected, start, end), "1/s");
    Metrics.print("wall_ms", Metrics.millis(start, end), "ms");
  }

  private static void round(int threads, int ops, long holdNanos, Duration time)
      throws InterruptedException {
    ReentrantLock lock = new ReentrantLock();
    Object monitor = new Object();
    Counts counts = new Counts();
    Workers workers = new Workers("LockContention");
    for (int t = 0; t < threads; t++) {
      workers.start(
          "contender-" + t,
          () -> {
            for (int i = 0; i < ops; i++) {
              lock.lock();
              try {
                counts.locked++;
                sleep(holdNanos);
              } finally {
                lock.unlock();
              }
              synchronized (monitor) {
                counts.monitored++;
                sleep(holdNanos);
              }
              SHARED.lock();
              try {
                shared++;
              } finally {
                SHARED.unlock();
              }
            }
          });
    }
    workers.joinAll(time.plusSeconds(60));
    long expected = (long) threads * ops;
    if (counts.locked != expected || counts.monitored != expected) {
      System.err.printf(
          "LockContention: WRONG round counts: lock %d, monitor %d, expected %d each%n",
          counts.locked, counts.monitored, expected);
      System.exit(1);
    }
  }

  private static void sleep(long nanos) throws InterruptedException {
    if (nanos > 0) {
      Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
    }
  }
}

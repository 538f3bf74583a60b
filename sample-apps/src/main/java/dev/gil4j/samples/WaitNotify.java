package dev.gil4j.samples;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * Java's own monitors under a GIL: a {@code synchronized}/{@code wait}/{@code notify} ping-pong
 * between two threads, then a counter incremented by several threads in a contended {@code
 * synchronized} method.
 *
 * <p>The ping-pong: a shared sequence number, guarded by a monitor; the ping thread moves it from
 * even to odd, the pong thread from odd to even, each waiting for its turn with {@code wait} and
 * waking the other with {@code notify}. It runs until ROUNDS round trips or TIME. Both threads
 * count their moves, and the counts and the sequence number must agree. The counter: THREADS
 * threads each call a {@code synchronized} increment up to INCREMENTS times (or until TIME); the
 * counter must equal the sum of the calls, or updates were lost. A mismatch in either ends the
 * program with exit status 1.
 *
 * <p><b>Without gil4j</b>, every ping-pong round trip is two thread wake-ups (tens of µs), and the
 * counter's monitor is contended all the time, the threads running on different cores. <b>Under
 * {@code -javaagent:gil4j-agent.jar}</b>, {@code wait} releases the GIL and the woken thread must
 * take it back, so each round trip adds GIL hand-offs; the counter threads run one at a time, and
 * the monitor is contended only when the GIL changed hands inside the {@code synchronized} method —
 * the new holder then blocks on the monitor and must give the GIL back (or have it revoked) for the
 * program to go on.
 *
 * <p>Usage: {@code WaitNotify [rounds] [time] [threads] [increments]} or the same as {@code --name
 * value}; defaults 100,000 round trips, 1 s per phase, 2 counter threads, 10,000,000 increments
 * each. Prints {@code round_trips_per_s}, {@code round_trips} and {@code counter_increments_per_s}.
 */
public final class WaitNotify {
  private static final String USAGE =
      "WaitNotify [rounds (at most, 1..100000000, default 100000)] [time (per phase, 1ms..60s,"
          + " default 1s)] [threads (counter threads, 1..256, default 2)] [increments (per"
          + " thread, at most, 1..1000000000, default 10000000)], or --rounds N --time D"
          + " --threads N --increments N";

  /** The counter threads look at the clock once per this many increments. */
  private static final int CLOCK_EVERY = 4096;

  private WaitNotify() {}

  /** The ping-pong's shared state; every field is guarded by this object's monitor. */
  private static final class PingPong {
    private long sequence;
    private boolean over;
    private long pings;
    private long pongs;

    synchronized void ping(long rounds, long deadline) throws InterruptedException {
      while (true) {
        while (sequence % 2 != 0) {
          wait();
        }
        if (pings == rounds || (pings > 0 && System.nanoTime() - deadline > 0)) {
          over = true;
          notify();
          return;
        }
        sequence++;
        pings++;
        notify();
      }
    }

    synchronized void pong() throws InterruptedException {
      while (true) {
        while (sequence % 2 == 0 && !over) {
          wait();
        }
        if (sequence % 2 == 0) {
          return;
        }
        sequence++;
        pongs++;
        notify();
      }
    }
  }

  /** A counter whose increments contend for its monitor. */
  private static final class Counter {
    private long value;

    synchronized void increment() {
      value++;
    }

    synchronized long value() {
      return value;
    }
  }

  public static void main(String[] argv) throws InterruptedException {
    Args args = Args.parse("WaitNotify", USAGE, argv, "rounds", "time", "threads", "increments");
    long rounds = args.longValue("rounds", 100_000, 1, 100_000_000);
    Duration time =
        args.duration("time", Duration.ofSeconds(1), Duration.ofMillis(1), Duration.ofSeconds(60));
    int threads = args.intValue("threads", 2, 1, 256);
    long increments = args.longValue("increments", 10_000_000, 1, 1_000_000_000);
    Duration joinTimeout = time.plusSeconds(30);

    PingPong pingPong = new PingPong();
    Workers players = new Workers("WaitNotify");
    long start = System.nanoTime();
    long deadline = start + time.toNanos();
    players.start("pong", pingPong::pong);
    players.start("ping", () -> pingPong.ping(rounds, deadline));
    players.joinAll(joinTimeout);
    long end = System.nanoTime();
    double roundTripsPerSecond = Metrics.perSecond(pingPong.pongs, start, end);
    System.out.printf(
        "WaitNotify: ping-pong: %,d round trips in %.1f ms, %.0f round trips/s%n",
        pingPong.pongs, Metrics.millis(start, end), roundTripsPerSecond);
    if (pingPong.pings != pingPong.pongs || pingPong.sequence != 2 * pingPong.pongs) {
      System.err.printf(
          "WaitNotify: WRONG ping-pong: %d pings, %d pongs, sequence %d%n",
          pingPong.pings, pingPong.pongs, pingPong.sequence);
      System.exit(1);
    }

    Counter counter = new Counter();
    long[] calls = new long[threads];
    Workers incrementers = new Workers("WaitNotify");
    // a start gate, so that the threads contend from the first increment on
    CountDownLatch gate = new CountDownLatch(1);
    long[] counterDeadline = new long[1];
    for (int t = 0; t < threads; t++) {
      int me = t;
      incrementers.start(
          "incrementer-" + t,
          () -> {
            gate.await();
            long done = 0;
            while (done < increments) {
              counter.increment();
              done++;
              if (done % CLOCK_EVERY == 0 && System.nanoTime() - counterDeadline[0] > 0) {
                break;
              }
            }
            calls[me] = done;
          });
    }
    start = System.nanoTime();
    counterDeadline[0] = start + time.toNanos();
    gate.countDown();
    incrementers.joinAll(joinTimeout);
    end = System.nanoTime();
    long expected = 0;
    for (long n : calls) {
      expected += n;
    }
    double incrementsPerSecond = Metrics.perSecond(expected, start, end);
    System.out.printf(
        "WaitNotify: counter: %d thread(s), %,d synchronized increments in %.1f ms, %.0f/s%n",
        threads, expected, Metrics.millis(start, end), incrementsPerSecond);
    if (counter.value() != expected) {
      System.err.printf(
          "WaitNotify: WRONG counter %d after %d increments%n", counter.value(), expected);
      System.exit(1);
    }
    System.out.println("WaitNotify: ping-pong counts and counter ok");
    Metrics.print("round_trips_per_s", roundTripsPerSecond, "1/s");
    Metrics.print("round_trips", pingPong.pongs, "count");
    Metrics.print("counter_increments_per_s", incrementsPerSecond, "1/s");
  }
}

package dev.gil4j.samples;

import java.time.Duration;
import java.util.Arrays;

/**
 * How soon a thread that wakes gets the GIL back from a thread running one long loop of pure
 * arithmetic — no call, no field read, the kind of loop C2 unrolls and vectorizes.
 *
 * <p>A worker runs a linear congruential generator, {@code x = x * M + C}, with a {@code long}
 * counter, for about DURATION (calibrated first). Beside it a sleeper sleeps 10 ms again and again
 * and measures how late it runs each time: the time from the start of a sleep to its return, less
 * the 10 ms.
 *
 * <p><b>Without gil4j</b> the two run on two cores and the sleeper is late by a fraction of a
 * millisecond. <b>Under {@code -javaagent:gil4j-agent.jar}</b> a woken sleeper must take the GIL
 * back: it asks the worker to drop it after one switch interval, and the worker does at its next
 * checkpoint, so a sleeper is late by about one interval (5 ms by default) — as in CPython, whose
 * pure-Python loop hands over every interval. gil4j cuts the loop into chunks of bounded length
 * with a checkpoint between them (strip mining), so that C2 still vectorizes each chunk; a loop
 * without a checkpoint would keep the GIL to its end and the sleeper would be late by DURATION.
 *
 * <p>Usage: {@code LongLoop [duration]} or {@code --duration D}; default 3 s. Prints {@code
 * late_p50_ms}, {@code late_p90_ms}, {@code late_max_ms}, {@code sleeps}, {@code loop_ms} and
 * {@code longest_gap_ms}, the longest time during the loop in which the sleeper did not run (about
 * 10 ms plus one interval under gil4j; the whole loop when the loop keeps the GIL).
 */
public final class LongLoop {
  private static final String USAGE =
      "LongLoop [duration (100ms..60s, default 3s)], or --duration D";
  private static final long SLEEP_MS = 10;

  private LongLoop() {}

  /** The loop under test: local arithmetic only, counted by a long. */
  static long lcg(long seed, long multiplier, long increment, long steps) {
    long x = seed;
    for (long i = 0; i < steps; i++) {
      x = x * multiplier + increment;
    }
    return x;
  }

  /** Sleeps until {@code stop} is set, recording how late each sleep returns. */
  private static final class Sleeper {
    private final long[] lateNanos = new long[100_000];
    private final long[] wokeAt = new long[100_000];
    private int sleeps;
    private volatile boolean stop;

    void run() throws InterruptedException {
      while (!stop && sleeps < lateNanos.length) {
        long start = System.nanoTime();
        Thread.sleep(SLEEP_MS);
        long now = System.nanoTime();
        wokeAt[sleeps] = now;
        lateNanos[sleeps++] = now - start - SLEEP_MS * 1_000_000;
      }
    }

    /**
     * The longest stretch of {@code [from, to]} in which this thread did not run: between the
     * loop's start, its wake-ups and the loop's end. Catches what lateness alone misses, a sleeper
     * that could not even start sleeping while the loop ran.
     */
    double longestGapMs(long from, long to) {
      long longest = 0;
      long last = from;
      for (int i = 0; i < sleeps; i++) {
        if (wokeAt[i] > from && wokeAt[i] < to) {
          longest = Math.max(longest, wokeAt[i] - last);
          last = wokeAt[i];
        }
      }
      return Math.max(longest, to - last) / 1e6;
    }

    double percentileMs(double fraction) {
      long[] sorted = Arrays.copyOf(lateNanos, sleeps);
      Arrays.sort(sorted);
      return sorted[Math.min(sleeps - 1, (int) (fraction * sleeps))] / 1e6;
    }
  }

  public static void main(String[] argv) throws InterruptedException {
    Args args = Args.parse("LongLoop", USAGE, argv, "duration");
    Duration duration =
        args.duration(
            "duration", Duration.ofSeconds(3), Duration.ofMillis(100), Duration.ofSeconds(60));
    long multiplier = 6364136223846793005L;
    long increment = 1442695040888963407L;

    // Calibration: the same loop, long enough for C2 to compile it, until one run takes 50 ms.
    long steps = 1 << 20;
    long sink = 0;
    while (true) {
      long start = System.nanoTime();
      sink += lcg(sink, multiplier, increment, steps);
      long took = System.nanoTime() - start;
      if (took >= 50_000_000) {
        steps = (long) (steps * (duration.toNanos() / (double) took));
        break;
      }
      steps *= 2;
    }

    Sleeper sleeper = new Sleeper();
    long[] result = new long[1];
    long[] loopNanos = new long[1];
    long[] loopStart = new long[1];
    long seed = sink;
    long total = steps;
    // Made before the sleeper starts: creating a lambda loads a class, and main holds the GIL
    // through class loading (seconds on a busy machine), which the sleeper would count as lateness.
    Workers.Body loop =
        () -> {
          long start = System.nanoTime();
          loopStart[0] = start;
          result[0] = lcg(seed, multiplier, increment, total);
          loopNanos[0] = System.nanoTime() - start;
          sleeper.stop = true;
        };
    Workers.Body sleep = sleeper::run;
    Workers workers = new Workers("LongLoop");
    workers.start("sleeper", sleep);
    workers.start("loop", loop);
    workers.joinAll(duration.multipliedBy(3).plusSeconds(30));

    System.out.printf(
        "LongLoop: a %.0f ms pure loop (%,d steps, result %x) beside a thread sleeping %d ms"
            + " %d times: late p50 %.3f ms, p90 %.3f ms, max %.3f ms%n",
        loopNanos[0] / 1e6,
        total,
        result[0],
        SLEEP_MS,
        sleeper.sleeps,
        sleeper.percentileMs(0.5),
        sleeper.percentileMs(0.9),
        sleeper.percentileMs(1.0));
    Metrics.print("loop_ms", loopNanos[0] / 1e6, "ms");
    Metrics.print("sleeps", sleeper.sleeps, "count");
    Metrics.print("late_p50_ms", sleeper.percentileMs(0.5), "ms");
    Metrics.print("late_p90_ms", sleeper.percentileMs(0.9), "ms");
    Metrics.print("late_max_ms", sleeper.percentileMs(1.0), "ms");
    Metrics.print(
        "longest_gap_ms", sleeper.longestGapMs(loopStart[0], loopStart[0] + loopNanos[0]), "ms");
  }
}

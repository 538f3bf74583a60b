package dev.gil4j.benchmarks;

import java.util.Arrays;
import java.util.Locale;

/**
 * What a forced GIL switch costs two CPU-bound threads: the gap from the last instruction the
 * holder ran before the switch to the first its successor ran after it — the Java twin of {@code
 * switch_gap.py}. Each thread runs short chunks of work (200 generator steps, each a method call,
 * so that it passes checkpoints) and reads the clock after each; a gap of over {@value #GAP_NANOS}
 * ns between two readings is a stretch the thread did not run. A hand-off is a gap of one thread
 * that the other thread's gap spans the start of and that the other thread's ends inside: its cost
 * is from the one's stop to the other's resumption, and includes everything between — the drop, the
 * wake-up, the take.
 *
 * <p>The threads run {@code --warm-up} untimed first (the JIT compiles the work and the GIL's own
 * hand-off path), then {@code --seconds}. Prints {@code gil4j-metric} lines: {@code
 * switch_gap_switches_per_s}, {@code switch_gap_median_us}, {@code switch_gap_p90_us}, and {@code
 * switch_gap_lost_pct}, the hand-offs' gaps as a share of the time measured. Without a GIL the
 * threads run side by side and no gap is a hand-off.
 *
 * <p>Usage: {@code SwitchGap [--seconds S] [--warm-up S]}; defaults 2 and 1.
 */
public final class SwitchGap {
  static final long GAP_NANOS = 20_000;
  private static final int CHUNK = 200;
  private static final int MAX_GAPS = 1 << 16;

  private SwitchGap() {}

  /** One thread's work and its gaps, as pairs {@code (stopped, resumed)} in nanoTime. */
  private static final class Spinner {
    long state = 1;
    final long[] gaps = new long[2 * MAX_GAPS];
    int count;

    void step() {
      state = state * 6364136223846793005L + 1442695040888963407L;
    }

    void run(long until, boolean record) {
      long last = System.nanoTime();
      while (last - until < 0) {
        for (int i = 0; i < CHUNK; i++) {
          step();
        }
        long now = System.nanoTime();
        if (record && now - last > GAP_NANOS && count < MAX_GAPS) {
          gaps[2 * count] = last;
          gaps[2 * count + 1] = now;
          count++;
        }
        last = now;
      }
    }
  }

  public static void main(String[] argv) throws InterruptedException {
    double seconds = 2;
    double warmUp = 1;
    for (int i = 0; i < argv.length; i++) {
      String next = i + 1 < argv.length ? argv[i + 1] : null;
      switch (argv[i]) {
        case "--seconds" -> seconds = positive(argv[i], next);
        case "--warm-up" -> warmUp = positive(argv[i], next);
        default -> usage("unknown argument '" + argv[i] + "'");
      }
      i++;
    }
    Spinner[] spinners = {new Spinner(), new Spinner()};
    runAll(spinners, warmUp, false);
    for (Spinner s : spinners) {
      s.count = 0;
    }
    long measured = runAll(spinners, seconds, true);
    long[] costs = handOffs(spinners[0], spinners[1]);
    long lost = 0;
    for (long c : costs) {
      lost += c;
    }
    Arrays.sort(costs);
    System.out.printf(
        Locale.ROOT,
        "SwitchGap: %d hand-offs in %.2f s, %d and %d gaps in all, check %x%n",
        costs.length,
        measured / 1e9,
        spinners[0].count,
        spinners[1].count,
        spinners[0].state ^ spinners[1].state);
    metric("switch_gap_switches_per_s", costs.length / (measured / 1e9), "1/s");
    if (costs.length > 0) {
      metric("switch_gap_median_us", costs[costs.length / 2] / 1e3, "us");
      metric("switch_gap_p90_us", costs[(int) (costs.length * 0.9)] / 1e3, "us");
    }
    metric("switch_gap_lost_pct", 100.0 * lost / measured, "%");
  }

  /** Runs both spinners for {@code seconds} on threads of their own; returns the nanos it took. */
  private static long runAll(Spinner[] spinners, double seconds, boolean record)
      throws InterruptedException {
    long start = System.nanoTime();
    long until = start + (long) (seconds * 1e9);
    Thread[] threads = new Thread[spinners.length];
    for (int i = 0; i < spinners.length; i++) {
      Spinner s = spinners[i];
      threads[i] = new Thread(() -> s.run(until, record), "spin-" + i);
      threads[i].start();
    }
    for (Thread t : threads) {
      t.join();
    }
    return System.nanoTime() - start;
  }

  /** The cost of every hand-off from either spinner to the other. */
  private static long[] handOffs(Spinner a, Spinner b) {
    long[] ab = handOffs(a, b, new long[a.count]);
    long[] ba = handOffs(b, a, new long[b.count]);
    long[] all = Arrays.copyOf(ab, ab.length + ba.length);
    System.arraycopy(ba, 0, all, ab.length, ba.length);
    return all;
  }

  /**
   * The hand-offs from {@code from} to {@code to}: a gap of {@code from} whose stop falls inside a
   * gap of {@code to} that ends before {@code from} resumes. Both gap lists are in time order.
   */
  private static long[] handOffs(Spinner from, Spinner to, long[] into) {
    int n = 0;
    int j = 0;
    for (int i = 0; i < from.count; i++) {
      long stopped = from.gaps[2 * i];
      long resumed = from.gaps[2 * i + 1];
      while (j < to.count && to.gaps[2 * j + 1] <= stopped) {
        j++;
      }
      if (j < to.count && to.gaps[2 * j] < stopped && to.gaps[2 * j + 1] < resumed) {
        into[n++] = to.gaps[2 * j + 1] - stopped;
      }
    }
    return Arrays.copyOf(into, n);
  }

  private static double positive(String name, String value) {
    try {
      double v = Double.parseDouble(value == null ? "" : value);
      if (v > 0 && v <= 600) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    usage(name + " takes seconds between 0 and 600, not '" + value + "'");
    return 0;
  }

  private static void usage(String problem) {
    System.err.println("SwitchGap: " + problem + "; usage: SwitchGap [--seconds S] [--warm-up S]");
    System.exit(2);
  }

  private static void metric(String name, double value, String unit) {
    System.out.printf(Locale.ROOT, "gil4j-metric %s %.3f %s%n", name, value, unit);
  }
}

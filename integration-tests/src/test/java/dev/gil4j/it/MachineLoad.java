package dev.gil4j.it;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.DoubleFunction;
import java.util.function.DoubleUnaryOperator;

/**
 * How busy other processes keep this machine's CPUs, so that a timing test can tell a noisy machine
 * from a wrong GIL.
 *
 * <p>Some of gil4j's behaviours need a free core to show at all: the convoy needs the CPU-bound
 * thread to wake and take the GIL while the I/O thread waits for its reply, and a hand-off once per
 * switch interval needs the thread that gave the GIL up to wake promptly. With another process
 * holding one of two cores, CPython itself shows a 4x convoy instead of 20x, and gil4j's runs come
 * out as multiples of the kernel's 4 ms scheduler tick. Such a test samples the load just before
 * each measurement — nothing of the test runs then — and a bound missed only on a busy machine
 * aborts the test (reported as skipped, with the load) instead of failing it.
 */
final class MachineLoad {
  /** Other processes using more than this fraction of all CPUs make a machine too busy. */
  static final double BUSY = 0.25;

  private static final Path STAT = Path.of("/proc/stat");
  private static final Duration WINDOW = Duration.ofMillis(500);

  private MachineLoad() {}

  /**
   * The fraction (0 to 1) of all CPU time that was busy over the next half second; 0 if unknown.
   */
  static double busy() {
    if (!Files.isReadable(STAT)) {
      return 0;
    }
    long[] before = cpuTimes();
    try {
      Thread.sleep(WINDOW.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
    long[] after = cpuTimes();
    long total = after[0] - before[0];
    long idle = after[1] - before[1];
    return total <= 0 ? 0 : (double) (total - idle) / total;
  }

  /**
   * Fails with {@code message} if the quietest of the measurements ran on a quiet machine;
   * otherwise aborts the test as not measurable here.
   *
   * @param leastBusy the least {@link #busy()} seen before any of the measurements
   */
  static void failUnlessBusy(double leastBusy, String message) {
    assumeTrue(
        leastBusy < BUSY,
        () ->
            String.format(
                "not measurable here: other processes kept %.0f%% of the CPUs busy. %s",
                leastBusy * 100, message));
    fail(message);
  }

  /**
   * Measures up to {@code attempts} times, the load sampled just before each, until a figure
   * reaches {@code bound}; if none does, fails with {@code failure} of the highest figure unless
   * the machine was busy before every measurement ({@link #failUnlessBusy}). Noise only ever hides
   * a behaviour, so the best run counts.
   *
   * @param measure one measurement, given the load sampled before it
   */
  static void reaches(
      int attempts, double bound, DoubleUnaryOperator measure, DoubleFunction<String> failure) {
    expect(attempts, true, bound, measure, failure);
  }

  /**
   * As {@link #reaches}, for a figure that must stay below {@code bound}: the lowest one counts.
   */
  static void staysBelow(
      int attempts, double bound, DoubleUnaryOperator measure, DoubleFunction<String> failure) {
    expect(attempts, false, bound, measure, failure);
  }

  private static void expect(
      int attempts,
      boolean up,
      double bound,
      DoubleUnaryOperator measure,
      DoubleFunction<String> failure) {
    double leastBusy = 1;
    double best = up ? 0 : Double.MAX_VALUE;
    for (int run = 0; run < attempts && !(up ? best >= bound : best < bound); run++) {
      double busy = busy();
      leastBusy = Math.min(leastBusy, busy);
      double figure = measure.applyAsDouble(busy);
      best = up ? Math.max(best, figure) : Math.min(best, figure);
    }
    if (!(up ? best >= bound : best < bound)) {
      failUnlessBusy(leastBusy, failure.apply(best));
    }
  }

  /** {total, idle} jiffies of all CPUs, from the first line of /proc/stat. */
  private static long[] cpuTimes() {
    try {
      String[] fields = Files.readAllLines(STAT).get(0).trim().split("\\s+");
      long total = 0;
      // user nice system idle iowait irq softirq steal; guest time is already in user and nice.
      for (int i = 1; i <= 8 && i < fields.length; i++) {
        total += Long.parseLong(fields[i]);
      }
      long idle = Long.parseLong(fields[4]) + Long.parseLong(fields[5]);
      return new long[] {total, idle};
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

package dev.gil4j.samples;

import java.math.BigDecimal;
import java.math.MathContext;

/**
 * Prints the machine-readable result lines that gil4j's tools read from a sample's stdout, one
 * metric a line: {@code gil4j-metric <name> <value> <unit>}, for example {@code gil4j-metric
 * wall_ms 812.4 ms}. Values use a dot as decimal separator whatever the locale.
 */
final class Metrics {
  private Metrics() {}

  /** Prints one metric line; {@code value} must be finite. */
  static void print(String name, double value, String unit) {
    System.out.println("gil4j-metric " + name + " " + format(value) + " " + unit);
  }

  /**
   * {@code value} as a whole number if it is one (a count stays exact), else rounded to six
   * significant digits without trailing zeros: 12608394, 812.4, 26111.3, 0.000183.
   */
  static String format(double value) {
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      return Long.toString((long) value);
    }
    return new BigDecimal(value).round(new MathContext(6)).stripTrailingZeros().toPlainString();
  }

  /** Milliseconds between two {@link System#nanoTime()} readings. */
  static double millis(long startNanos, long endNanos) {
    return (endNanos - startNanos) / 1e6;
  }

  /** Events per second for {@code count} events between two {@link System#nanoTime()} readings. */
  static double perSecond(long count, long startNanos, long endNanos) {
    return count * 1e9 / Math.max(1, endNanos - startNanos);
  }
}

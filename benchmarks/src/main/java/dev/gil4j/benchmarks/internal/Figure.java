package dev.gil4j.benchmarks.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The best (lowest) of some measurements, and how far their median lies above it. On a machine
 * shared with other work, interference only ever adds time, so the best iteration estimates what
 * the code costs, and the median's distance from it says how disturbed the run was.
 *
 * @param best the lowest value
 * @param median the median value
 */
public record Figure(double best, double median) {
  /** The figure of {@code values}; null if there are none. */
  public static Figure of(List<Double> values) {
    if (values == null || values.isEmpty()) {
      return null;
    }
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(null);
    return new Figure(sorted.get(0), median(sorted));
  }

  /** The median of {@code values}, sorted or not; NaN if there are none. */
  public static double median(List<Double> values) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(null);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  /** How far the median lies above the best, as a fraction of the best. */
  public double noise() {
    return median / best - 1;
  }

  /** The best figure followed by the noise, for a table cell: {@code 5.3 +0.4%}. */
  public String withNoise() {
    double pct = noise() * 100;
    return number(best) + String.format(Locale.ROOT, pct < 10 ? " +%.1f%%" : " +%.0f%%", pct);
  }

  /** A figure for a table: one decimal below 100, none above. */
  public static String number(double v) {
    return String.format(Locale.ROOT, v < 100 ? "%.1f" : "%.0f", v);
  }

  /** {@code a / b} as {@code 1.23x}, or a dash if either is missing. */
  public static String ratio(Double a, Double b) {
    return a == null || b == null || a.isNaN() || b.isNaN()
        ? "—"
        : String.format(Locale.ROOT, "%.2fx", a / b);
  }
}

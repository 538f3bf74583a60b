package dev.gil4j.lab.fit;

import java.util.Locale;

/** Number formatting shared by the fit's {@code format()} methods. */
final class Numbers {
  private Numbers() {}

  /** Three significant digits, whole numbers for large values, {@code inf} for infinity. */
  static String format(double v) {
    if (Double.isNaN(v)) {
      return "?";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "inf" : "-inf";
    }
    if (Math.abs(v) >= 999.5 && Math.abs(v) < 1e9) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    return String.format(Locale.ROOT, "%.3g", v);
  }

  static String percent(double ratio) {
    return String.format(Locale.ROOT, "%+.1f%%", ratio * 100);
  }
}

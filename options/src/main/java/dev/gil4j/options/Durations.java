package dev.gil4j.options;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one duration grammar of gil4j's options and commands: a decimal number and a unit, {@code
 * ns}, {@code us}, {@code ms}, {@code s}, {@code m} or {@code h} ({@code 5ms}, {@code 0.005s},
 * {@code 90s}, {@code 1h}).
 */
public final class Durations {
  private Durations() {}

  /**
   * The grammar, compiled at the first {@link #parse}: {@link #format} runs at every agent start
   * (the start-up line), where a regular expression costs milliseconds.
   */
  private static final class Form {
    static final Pattern FORM = Pattern.compile("([0-9]+(?:\\.[0-9]+)?|\\.[0-9]+)(ns|us|ms|s|m|h)");

    private Form() {}
  }

  /**
   * The duration {@code text} stands for, in nanoseconds, if it is one from {@code minNanos} to
   * {@code maxNanos}.
   *
   * @throws IllegalArgumentException with the message {@link #accepted accepted(min, max)}
   */
  public static long parse(String text, long minNanos, long maxNanos) {
    Matcher m = Form.FORM.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (m.matches()) {
      double scale =
          switch (m.group(2)) {
            case "ns" -> 1;
            case "us" -> 1e3;
            case "ms" -> 1e6;
            case "s" -> 1e9;
            case "m" -> 60e9;
            default -> 3600e9;
          };
      double nanos = Double.parseDouble(m.group(1)) * scale;
      if (nanos >= minNanos && nanos <= maxNanos) {
        return Math.round(nanos);
      }
    }
    throw new IllegalArgumentException(accepted(minNanos, maxNanos));
  }

  /**
   * What {@link #parse} accepts, as an error message says it: {@code a duration from 1us to 10s}.
   */
  public static String accepted(long minNanos, long maxNanos) {
    return "a duration from " + format(minNanos) + " to " + format(maxNanos);
  }

  /** A whole number of the largest unit that divides {@code nanos}: {@code 5ms}, {@code 1500us}. */
  public static String format(long nanos) {
    long[] scales = {3_600_000_000_000L, 60_000_000_000L, 1_000_000_000L, 1_000_000L, 1_000L};
    String[] units = {"h", "m", "s", "ms", "us"};
    for (int i = 0; i < scales.length; i++) {
      if (nanos != 0 && nanos % scales[i] == 0) {
        return nanos / scales[i] + units[i];
      }
    }
    return nanos + "ns";
  }
}

package dev.gil4j.profiler.jfr;

import java.util.Locale;
import java.util.Set;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.MetadataDefinition;
import jdk.jfr.Name;
import jdk.jfr.SettingControl;
import jdk.jfr.Timespan;

/**
 * The {@code heldThreshold} setting of {@code gil4j.GilDrop}: a drop is written only when the hold
 * it ended lasted at least this long. A timespan as JFR writes its own thresholds ({@code 0 ns},
 * {@code 500 us}, {@code 1 ms}, {@code 2 s}; the space is optional); when several recordings set
 * it, the shortest wins, so each gets at least the drops it asked for.
 *
 * <p>Design: {@code GilDrop} is an instant event whose interesting length, the hold, ended before
 * the event began, so JFR's own {@code threshold} (on the event's duration) cannot filter it. A
 * thread that hands the GIL over at every blocking point drops it tens of thousands of times a
 * second, each after a hold of microseconds; without this setting every one was written. The
 * current value is mirrored in {@link #nanos}, so that a drop under it is skipped before an event
 * is allocated.
 */
@MetadataDefinition
@Name("dev.gil4j.HeldThreshold")
@Label("Held Threshold")
@Description("Write a GIL drop only when the hold it ended lasted at least this long")
@Timespan
public final class HeldThresholdSetting extends SettingControl {
  /** The value a recording gets when it does not name this setting. */
  static final String DEFAULT = "10 ms";

  private static volatile long current = parse(DEFAULT);

  private String value = DEFAULT;
  private long valueNanos = parse(DEFAULT);

  /** JFR creates the one instance when it registers {@code gil4j.GilDrop}. */
  public HeldThresholdSetting() {}

  /** The threshold in force, ns: the shortest hold a drop may end and still be written. */
  static long nanos() {
    return current;
  }

  /** This setting's value, ns. */
  long thresholdNanos() {
    return valueNanos;
  }

  @Override
  public String combine(Set<String> values) {
    String shortest = null;
    long min = Long.MAX_VALUE;
    for (String v : values) {
      long n = parse(v);
      if (n >= 0 && (shortest == null || n < min)) {
        shortest = v;
        min = n;
      }
    }
    return shortest == null ? DEFAULT : shortest;
  }

  @Override
  public void setValue(String text) {
    long n = parse(text);
    if (n >= 0) {
      value = text;
      valueNanos = n;
      current = n;
    }
  }

  @Override
  public String getValue() {
    return value;
  }

  /** Nanoseconds, or -1 if {@code text} is not a timespan. */
  static long parse(String text) {
    if (text == null) {
      return -1;
    }
    String t = text.trim().toLowerCase(Locale.ROOT);
    int unit = 0;
    while (unit < t.length() && Character.isDigit(t.charAt(unit))) {
      unit++;
    }
    if (unit == 0 || unit > 18) {
      return -1;
    }
    long n = Long.parseLong(t.substring(0, unit));
    long scale =
        switch (t.substring(unit).trim()) {
          case "ns", "" -> 1L;
          case "us" -> 1_000L;
          case "ms" -> 1_000_000L;
          case "s" -> 1_000_000_000L;
          case "m" -> 60_000_000_000L;
          case "h" -> 3_600_000_000_000L;
          case "d" -> 86_400_000_000_000L;
          default -> -1L;
        };
    if (scale < 0) {
      return -1;
    }
    return n > Long.MAX_VALUE / scale ? Long.MAX_VALUE : n * scale;
  }
}

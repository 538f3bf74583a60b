package dev.gil4j.testkit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The exit report the agent prints on stderr (every line prefixed {@code gil4j:}), with its figures
 * by name. Durations are in milliseconds.
 *
 * <ul>
 *   <li>{@code gil4j: GIL report (policy=cpython switch=5.00ms tokens=1) after 1.234 s} gives
 *       {@link #policy()} and the values {@code switch}, {@code tokens} and {@code after} (s);
 *   <li>{@code gil4j: hand-offs 412 (333.9/s), drop requests 200, forced drops 198, revocations 0}
 *       gives {@code hand-offs}, {@code hand-offs/s}, {@code drop requests}, {@code forced drops}
 *       and {@code revocations};
 *   <li>{@code gil4j: GIL wait n=400 p50=5.01ms p99=5.60ms max=7.00ms} gives {@code GIL wait n},
 *       {@code GIL wait p50}, {@code GIL wait p99} and {@code GIL wait max}.
 * </ul>
 *
 * Per-thread rows and revocation stacks are kept in {@link #lines()} only.
 */
public record GilReport(List<String> lines, String policy, Map<String, Double> values) {
  private static final String PREFIX = "gil4j:";
  private static final Pattern HEADER = Pattern.compile("^GIL report \\((.*)\\) after (\\S+) s$");
  private static final Pattern SETTINGS = Pattern.compile("^([A-Za-z][A-Za-z -]*?) (\\S+=\\S+.*)$");
  private static final Pattern COUNT =
      Pattern.compile(
          "^([A-Za-z][A-Za-z -]*?) (\\d+(?:\\.\\d+)?)(?: \\((\\d+(?:\\.\\d+)?)/s\\))?$");
  private static final Pattern DURATION = Pattern.compile("^(\\d+(?:\\.\\d+)?)(ns|us|ms|s)$");

  /** The report in these stderr lines: from its header line to the last {@code gil4j:} line. */
  public static GilReport parse(List<String> stderrLines) {
    List<String> lines = new ArrayList<>();
    String policy = null;
    Map<String, Double> values = new LinkedHashMap<>();
    for (String line : stderrLines) {
      if (!line.startsWith(PREFIX)) {
        continue;
      }
      String text = line.substring(PREFIX.length()).strip();
      Matcher header = HEADER.matcher(text);
      if (header.matches()) {
        lines.clear();
        values.clear();
        Map<String, String> settings = pairs(header.group(1));
        policy = settings.remove("policy");
        settings.forEach((k, v) -> put(values, k, v));
        put(values, "after", header.group(2));
      } else if (policy == null) {
        continue;
      } else {
        parseFigures(text, values);
      }
      lines.add(line);
    }
    return new GilReport(List.copyOf(lines), policy, Map.copyOf(values));
  }

  private static void parseFigures(String text, Map<String, Double> values) {
    Matcher settings = SETTINGS.matcher(text);
    if (settings.matches()) {
      pairs(settings.group(2)).forEach((k, v) -> put(values, settings.group(1) + " " + k, v));
      return;
    }
    Map<String, Double> counts = new LinkedHashMap<>();
    for (String part : text.split(", ")) {
      Matcher count = COUNT.matcher(part);
      if (!count.matches()) {
        return; // a per-thread row or a stack frame
      }
      counts.put(count.group(1), number(count.group(2)));
      if (count.group(3) != null) {
        counts.put(count.group(1) + "/s", number(count.group(3)));
      }
    }
    values.putAll(counts);
  }

  private static Map<String, String> pairs(String text) {
    Map<String, String> pairs = new LinkedHashMap<>();
    for (String token : text.trim().split("\\s+")) {
      int eq = token.indexOf('=');
      if (eq > 0) {
        pairs.put(token.substring(0, eq), token.substring(eq + 1));
      }
    }
    return pairs;
  }

  /** Puts the figure unless the text is no number (a setting such as {@code report=stderr}). */
  private static void put(Map<String, Double> values, String key, String text) {
    try {
      values.put(key, number(text));
    } catch (NumberFormatException e) {
      // Not a figure: nothing to compare.
    }
  }

  /** A plain number, or a duration such as {@code 870ns}, {@code 12.3us}, {@code 5.02ms}, in ms. */
  private static double number(String text) {
    Matcher d = DURATION.matcher(text);
    if (!d.matches()) {
      return Double.parseDouble(text);
    }
    double value = Double.parseDouble(d.group(1));
    return switch (d.group(2)) {
      case "ns" -> value / 1e6;
      case "us" -> value / 1e3;
      case "ms" -> value;
      default -> value * 1e3;
    };
  }

  /** Whether the stderr lines held a report at all. */
  public boolean present() {
    return policy != null;
  }

  /** The figure {@code key}; fails, listing the figures there are, when the report lacks it. */
  public double value(String key) {
    Double v = values.get(key);
    if (v == null) {
      throw new AssertionError(
          "the exit report has no figure '"
              + key
              + "'; it has "
              + values
              + "\n"
              + String.join("\n", lines));
    }
    return v;
  }
}

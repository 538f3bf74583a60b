package dev.gil4j.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a finished child JVM did: its exit status, what it printed, how long it ran, and the two
 * kinds of structured output gil4j's tests read from it — the application's {@code gil4j-metric
 * <name> <value> <unit>} lines on stdout and the agent's exit report on stderr.
 *
 * <p>Accessors that look for something the child did not print fail with an {@link AssertionError}
 * that shows the command and the tails of both streams, so that a failing test says what the child
 * actually did.
 */
public record ChildRun(
    String command,
    int exitCode,
    String stdout,
    String stderr,
    Duration wall,
    Path stdoutLog,
    Path stderrLog) {

  private static final Pattern METRIC =
      Pattern.compile("^gil4j-metric\\s+(\\S+)\\s+(\\S+)(?:\\s+(\\S+))?\\s*$");

  /** Fails unless the child exited with status 0. */
  public ChildRun assertSucceeded() {
    assertEquals(0, exitCode, () -> "child JVM failed\n" + describe());
    return this;
  }

  /** Every line the child wrote to stderr. */
  public List<String> stderrLines() {
    return stderr.lines().toList();
  }

  /** The stderr lines the agent wrote: those starting with {@code gil4j:}. */
  public List<String> gil4jLines() {
    return stderr.lines().filter(l -> l.startsWith("gil4j:")).toList();
  }

  /** Every {@code gil4j-metric} value the child printed on stdout, by name, in order. */
  public Map<String, List<Double>> metrics() {
    Map<String, List<Double>> metrics = new LinkedHashMap<>();
    for (String line : stdout.lines().toList()) {
      Matcher m = METRIC.matcher(line.strip());
      if (m.matches()) {
        double value;
        try {
          value = Double.parseDouble(m.group(2));
        } catch (NumberFormatException e) {
          throw new AssertionError("metric line with a bad value: " + line + "\n" + describe());
        }
        metrics.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(value);
      }
    }
    return metrics;
  }

  /** The value of the metric {@code name}, which the child must have printed exactly once. */
  public double metric(String name) {
    List<Double> values = metrics().get(name);
    if (values == null || values.size() != 1) {
      throw new AssertionError(
          String.format(
              "expected the metric %s once, got %s; metrics printed: %s%n%s",
              name, values == null ? "none" : values.size() + " times", metrics(), describe()));
    }
    return values.get(0);
  }

  /** The agent's exit report, parsed; it must be on stderr. */
  public GilReport report() {
    GilReport report = GilReport.parse(stderrLines());
    if (!report.present()) {
      throw new AssertionError("no gil4j exit report on stderr\n" + describe());
    }
    return report;
  }

  /** The command, exit status, wall time, log files and the tails of stderr and stdout. */
  public String describe() {
    return String.format(
        "command: %s%nexit status %d after %d ms; logs: %s, %s%n"
            + "--- stderr (tail) ---%n%s%n--- stdout (tail) ---%n%s",
        command,
        exitCode,
        wall.toMillis(),
        stdoutLog,
        stderrLog,
        tail(stderr, 40),
        tail(stdout, 20));
  }

  static String tail(String text, int lines) {
    List<String> all = text.lines().toList();
    return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
  }
}

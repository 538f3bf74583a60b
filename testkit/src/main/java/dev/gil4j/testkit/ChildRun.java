package dev.gil4j.testkit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a finished child did: its exit status, what it printed, how long it ran, and the two kinds
 * of structured output gil4j's tests read from it — the application's {@code gil4j-metric <name>
 * <value> <unit>} lines on stdout and the agent's exit report on stderr.
 *
 * <p>Accessors that look for something the child did not print fail with an {@link AssertionError}
 * that shows the command and the tails of both streams, so that a failing test says what the child
 * actually did.
 *
 * @param command the command line, its words joined by spaces
 * @param exitCode the exit status; -1 if it hung and was killed
 * @param stdout what it printed on stdout
 * @param stderr what it printed on stderr
 * @param wall from its start to its end (to the timeout, if it hung)
 * @param stdoutLog the file its stdout went to
 * @param stderrLog the file its stderr went to
 * @param hung whether it outlived its timeout and was killed
 * @param threadsLog where its threads were dumped before it was killed; null if it was not
 */
public record ChildRun(
    String command,
    int exitCode,
    String stdout,
    String stderr,
    Duration wall,
    Path stdoutLog,
    Path stderrLog,
    boolean hung,
    Path threadsLog) {

  private static final Pattern METRIC =
      Pattern.compile("^gil4j-metric\\s+(\\S+)\\s+(\\S+)(?:\\s+(\\S+))?\\s*$");

  /** Fails unless the child exited with status 0. */
  public ChildRun assertSucceeded() {
    if (exitCode != 0) {
      throw new AssertionError(
          "child JVM failed: exit status " + exitCode + ", expected 0\n" + describe());
    }
    return this;
  }

  /** Whether it ran to its end and exited with status 0. */
  public boolean succeeded() {
    return !hung && exitCode == 0;
  }

  /**
   * What went wrong, in a few words for a table cell: {@code timeout}, {@code exit 1}, or empty.
   */
  public String failure() {
    if (hung) {
      return "timeout";
    }
    return exitCode == 0 ? "" : "exit " + exitCode;
  }

  /** Every line the child wrote to stdout. */
  public List<String> stdoutLines() {
    return stdout.lines().toList();
  }

  /** Every line the child wrote to stderr. */
  public List<String> stderrLines() {
    return stderr.lines().toList();
  }

  /** The stderr lines the agent wrote: those starting with {@code gil4j:}. */
  public List<String> gil4jLines() {
    return stderr.lines().filter(l -> l.startsWith("gil4j:")).toList();
  }

  /**
   * Every {@code gil4j-metric} value the child printed on stdout, by name, in order; a metric line
   * whose value is not a number fails.
   */
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

  /**
   * The last value of each {@code gil4j-metric} the child printed, by name, for a table: a line
   * whose value is not a number is no figure and is passed over (its log keeps it).
   */
  public Map<String, Double> figures() {
    Map<String, Double> figures = new LinkedHashMap<>();
    for (String line : stdout.lines().toList()) {
      Matcher m = METRIC.matcher(line.strip());
      if (m.matches()) {
        try {
          figures.put(m.group(1), Double.parseDouble(m.group(2)));
        } catch (NumberFormatException e) {
          // not a figure: the application's own output that looks like one
        }
      }
    }
    return figures;
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
        "command: %s%nexit status %d after %d ms%s; logs: %s, %s%n"
            + "--- stderr (tail) ---%n%s%n--- stdout (tail) ---%n%s",
        command,
        exitCode,
        wall.toMillis(),
        hung ? " (hung, killed; threads in " + threadsLog + ")" : "",
        stdoutLog,
        stderrLog,
        tail(stderr, 40),
        tail(stdout, 20));
  }

  /** The last {@code lines} lines of {@code text}. */
  public static String tail(String text, int lines) {
    List<String> all = text.lines().toList();
    return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
  }
}

package dev.gil4j.lab;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One child JVM run to its end or to a hard timeout, with what it printed kept in files and its
 * {@code gil4j-metric <name> <value> <unit>} lines read back.
 *
 * <p><b>Guarantees.</b> {@link #await} never waits longer than the timeout (plus the time a thread
 * dump takes): a child still running then is a hang, so {@code jcmd <pid> Thread.print} of it and
 * of every process it started is written to the dump file, and all of them are killed. Its stdin is
 * empty, its stdout and stderr go to the files given. A child that ends with a status other than 0,
 * or not at all, comes back as a {@link Result} that says so, never as an exception.
 *
 * <p><b>Example use.</b>
 *
 * <pre>{@code
 * ChildJava java = new ChildJava(ChildJava.thisJava(), Duration.ofSeconds(60));
 * ChildJava.Result r = java.run(List.of("-cp", cp, "Main"), logs.resolve("main"));
 * double wallMs = r.ok() ? r.metrics().get("wall_ms").value() : Double.NaN;
 * }</pre>
 */
final class ChildJava {
  private static final String METRIC_PREFIX = "gil4j-metric ";
  private static final long DUMP_TIMEOUT_SECONDS = 30;

  private final Path java;
  private final Duration timeout;

  ChildJava(Path java, Duration timeout) {
    this.java = java;
    this.timeout = timeout;
  }

  /** The java launcher of the JVM this runs in. */
  static Path thisJava() {
    return Path.of(System.getProperty("java.home"), "bin", "java");
  }

  /** One figure a child printed as {@code gil4j-metric <name> <value> <unit>}. */
  record Metric(String name, double value, String unit) {}

  /**
   * How a child ended.
   *
   * @param exit its exit status; -1 if it hung
   * @param hung whether it outlived the timeout and was killed
   * @param wallMs from start to end, or to the timeout
   * @param stdout the file its stdout went to
   * @param stderr the file its stderr went to
   * @param dump where the threads of a hung child were dumped; null if it did not hang
   * @param metrics the figures it printed, by name, the first of each name
   */
  record Result(
      int exit,
      boolean hung,
      double wallMs,
      Path stdout,
      Path stderr,
      Path dump,
      Map<String, Metric> metrics) {

    /** Whether it ended by itself with status 0. */
    boolean ok() {
      return !hung && exit == 0;
    }

    /** What went wrong, in a few words and a file to read; null if nothing did. */
    String problem() throws IOException {
      if (hung) {
        return "no end after " + Math.round(wallMs / 1000) + " s; threads dumped to " + dump;
      }
      return exit == 0 ? null : "exit status " + exit + lastLine(stderr) + " (log " + stderr + ")";
    }
  }

  /**
   * Runs {@code java <arguments>} to its end or the timeout; its output goes to {@code base.out},
   * {@code base.err}, a hung child's threads to {@code base.threads.txt}.
   */
  Result run(List<String> arguments, Path base) throws IOException, InterruptedException {
    Path out = sibling(base, ".out");
    Path err = sibling(base, ".err");
    return await(start(arguments, out, err), out, err, sibling(base, ".threads.txt"));
  }

  /** Starts {@code java <arguments>} with its stdout and stderr going to these files. */
  Process start(List<String> arguments, Path out, Path err) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(java.toString());
    command.addAll(arguments);
    return new ProcessBuilder(command)
        .redirectOutput(out.toFile())
        .redirectError(err.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(nullDevice()))
        .start();
  }

  /**
   * Waits for a child just {@link #start}ed, at most the timeout; if it has not ended by then,
   * dumps its threads to {@code dump} and kills it.
   */
  Result await(Process p, Path out, Path err, Path dump) throws IOException, InterruptedException {
    long began = System.nanoTime();
    boolean ended;
    try {
      ended = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      kill(p);
      throw e;
    }
    // before the dump, which can take seconds: how long the child ran, not how long it took to stop
    double wallMs = (System.nanoTime() - began) / 1e6;
    if (!ended) {
      dumpThreads(p, dump);
      kill(p);
    }
    return new Result(
        ended ? p.exitValue() : -1,
        !ended,
        wallMs,
        out,
        err,
        ended ? null : dump,
        metrics(lines(out)));
  }

  /** The {@code gil4j-metric} lines among {@code lines}, by name, the first of each name. */
  static Map<String, Metric> metrics(List<String> lines) {
    Map<String, Metric> metrics = new LinkedHashMap<>();
    for (String line : lines) {
      if (!line.startsWith(METRIC_PREFIX)) {
        continue;
      }
      String[] f = line.trim().split("\\s+");
      if (f.length == 4 && !metrics.containsKey(f[1])) {
        try {
          metrics.put(f[1], new Metric(f[1], Double.parseDouble(f[2]), f[3]));
        } catch (NumberFormatException e) {
          // a line that only looks like a metric: the application's own output, not a figure
        }
      }
    }
    return Collections.unmodifiableMap(metrics);
  }

  /** Kills a child and every process it started, and waits a little for them to go. */
  static void kill(Process p) {
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
    try {
      p.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** jcmd's thread dump of a hung child and of its own children, into {@code to}. */
  private void dumpThreads(Process p, Path to) throws IOException, InterruptedException {
    Path jcmd = java.resolveSibling("jcmd");
    List<ProcessHandle> all = new ArrayList<>();
    all.add(p.toHandle());
    p.descendants().forEach(all::add);
    Files.writeString(to, "");
    for (ProcessHandle h : all) {
      Files.writeString(to, "=== jcmd " + h.pid() + " Thread.print\n", StandardOpenOption.APPEND);
      try {
        Process d =
            new ProcessBuilder(jcmd.toString(), Long.toString(h.pid()), "Thread.print")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(to.toFile()))
                .start();
        if (!d.waitFor(DUMP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
          d.destroyForcibly();
        }
      } catch (IOException e) {
        Files.writeString(to, "could not run " + jcmd + ": " + e + "\n", StandardOpenOption.APPEND);
      }
    }
  }

  /** The last line of {@code err} that is not the agent's, as {@code ": line"}; else empty. */
  static String lastLine(Path err) throws IOException {
    List<String> lines = lines(err);
    for (int i = lines.size() - 1; i >= 0; i--) {
      String line = lines.get(i).trim();
      if (!line.isEmpty() && !line.startsWith("gil4j:")) {
        return ": " + (line.length() > 200 ? line.substring(0, 200) + "…" : line);
      }
    }
    return "";
  }

  /**
   * The lines of a child's output, decoded leniently: one killed mid-line may leave half a
   * character.
   */
  static List<String> lines(Path file) throws IOException {
    return new String(Files.readAllBytes(file), StandardCharsets.UTF_8).lines().toList();
  }

  private static Path sibling(Path base, String suffix) {
    return base.resolveSibling(base.getFileName() + suffix);
  }

  static File nullDevice() {
    return new File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
  }
}

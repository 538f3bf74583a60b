package dev.gil4j.benchmarks.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A child process run to completion under a hard time limit: its output goes to files (never to a
 * pipe nobody drains), and a child still alive at the limit has its threads dumped, if it is a JVM,
 * before it is killed — and so has every process it started that is still alive, first.
 *
 * @param command the command line
 * @param stdout what the child printed on stdout
 * @param stderr what the child printed on stderr
 * @param exitCode the exit status, or -1 if the child was killed at its limit
 */
public record Child(List<String> command, Path stdout, Path stderr, int exitCode) {
  private static final Pattern METRIC =
      Pattern.compile("^gil4j-metric (\\S+) (\\S+)(?: \\S+)?$", Pattern.MULTILINE);

  /** Runs {@code command}, writing its output to {@code log}{@code .out} and {@code .err}. */
  public static Child run(List<String> command, Path log, Duration limit)
      throws IOException, InterruptedException {
    Path out = Path.of(log + ".out");
    Path err = Path.of(log + ".err");
    Files.createDirectories(log.toAbsolutePath().getParent());
    Process p =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    p.getOutputStream().close();
    if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
      // Its own children first: killed first, the child could no longer be asked about them.
      p.descendants()
          .filter(ProcessHandle::isAlive)
          .forEach(d -> dumpAndKill(d, Path.of(log + "." + d.pid() + ".dump"), limit));
      dumpAndKill(p.toHandle(), Path.of(log + ".dump"), limit);
      p.waitFor();
      return new Child(command, out, err, -1);
    }
    return new Child(command, out, err, p.exitValue());
  }

  /**
   * Writes a thread dump of {@code process} (if it is a JVM: with the {@code jcmd} beside its
   * {@code java}) to {@code dump}, says so on stderr, and kills the process.
   */
  public static void dumpAndKill(ProcessHandle process, Path dump, Duration limit) {
    String what = process.info().command().orElse("pid " + process.pid());
    Optional<Path> jcmd =
        process
            .info()
            .command()
            .map(Path::of)
            // /usr/bin holds a jcmd too, so only a java's neighbour is asked: not a sleep's
            .filter(command -> command.getFileName().toString().equals("java"))
            .map(java -> java.resolveSibling("jcmd"))
            .filter(Files::isExecutable);
    String where = "no thread dump (not a JVM)";
    if (jcmd.isPresent()) {
      try {
        Process d =
            new ProcessBuilder(jcmd.get().toString(), Long.toString(process.pid()), "Thread.print")
                .redirectErrorStream(true)
                .redirectOutput(dump.toFile())
                .start();
        if (d.waitFor(30, TimeUnit.SECONDS)) {
          where = "thread dump in " + dump;
        } else {
          d.destroyForcibly();
          where = "jcmd hung; no thread dump";
        }
      } catch (IOException e) {
        where = "no thread dump (" + e.getMessage() + ")";
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    process.destroyForcibly();
    System.err.printf(
        "  !! %s (pid %d) still running after %ds: killed; %s%n",
        what, process.pid(), limit.toSeconds(), where);
  }

  /** Whether the child ran to the end and exited with status 0. */
  public boolean succeeded() {
    return exitCode == 0;
  }

  /** The {@code gil4j-metric NAME VALUE [UNIT]} lines the child printed on stdout, by name. */
  public Map<String, Double> metrics() throws IOException {
    Map<String, Double> metrics = new HashMap<>();
    Matcher m = METRIC.matcher(Files.readString(stdout));
    while (m.find()) {
      try {
        metrics.put(m.group(1), Double.parseDouble(m.group(2)));
      } catch (NumberFormatException e) {
        // A value that is not a number is not a figure for the table; the log keeps it.
      }
    }
    return metrics;
  }

  /** The lines of {@code file} that start with {@code prefix}. */
  public static List<String> linesStartingWith(Path file, String prefix) throws IOException {
    List<String> lines = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      if (line.startsWith(prefix)) {
        lines.add(line);
      }
    }
    return lines;
  }

  /** What went wrong, in a few words, for a table cell; empty if nothing did. */
  public String failure() {
    if (exitCode == -1) {
      return "timeout";
    }
    return exitCode == 0 ? "" : "exit " + exitCode;
  }
}

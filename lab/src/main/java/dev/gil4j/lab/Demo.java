package dev.gil4j.lab;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code java -jar gil4j-agent.jar demo}: gil4j's story in under a minute, told by the bundled
 * sample apps in child JVMs — CPU-bound threads gain nothing under the GIL while processes do,
 * threads that block overlap, and an I/O thread convoys behind a CPU-bound one — as a table beside
 * CPython's own figures, with {@code report.html} and every run's results and recording in the
 * output directory.
 */
public final class Demo {
  static final String USAGE =
      String.join(
          System.lineSeparator(),
          "usage: java -jar gil4j-agent.jar demo [--out DIR]",
          "  runs the sample apps with and without the GIL (under a minute on 2 cores) and tells"
              + " the story;",
          "  --out DIR   where report.html and each experiment's results go (default gil4j-demo)");

  /**
   * CPython 3.11's figures for the same experiments on a 2-core machine, from gil4j's reference
   * scripts (shared/reference/cpython); {@code fidelity} measures them again on this machine.
   */
  private static final String CPYTHON_CPU = "0.95x threads, 2.7x processes";

  private static final String CPYTHON_SLEEP = "3.96x";
  private static final String CPYTHON_CONVOY = "20.8x";

  private static final Duration TIMEOUT = Duration.ofMinutes(2);

  private Demo() {}

  /** Runs the demo; returns the exit status: 0, 1 if an experiment failed, 2 for bad usage. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    Path dir = Path.of("gil4j-demo");
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--help") || args[i].equals("-h")) {
        out.println(USAGE);
        return 0;
      } else if (args[i].equals("--out") && i + 1 < args.length) {
        dir = Path.of(args[++i]);
      } else if (args[i].startsWith("--out=")) {
        dir = Path.of(args[i].substring("--out=".length()));
      } else {
        err.println("gil4j demo: unknown argument '" + args[i] + "'; accepted: --out DIR");
        return 2;
      }
    }
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      err.println("gil4j demo: bad --out '" + dir + "': a file, not a directory");
      return 2;
    }
    try {
      Path jar = Bundled.agentJar();
      String classPath = Bundled.sampleClassPath(jar);
      return tell(dir, jar, classPath, out, err);
    } catch (IllegalArgumentException | IOException e) {
      err.println("gil4j demo: " + e.getMessage());
      return 1;
    }
  }

  private static int tell(Path dir, Path jar, String classPath, PrintStream out, PrintStream err)
      throws IOException {
    List<Results> all = new ArrayList<>();
    Results cpu =
        experiment(
            dir.resolve("cpu"),
            jar,
            err,
            List.of(1, 2),
            "nogil,gil,procs",
            null,
            2,
            List.of(
                "-cp",
                classPath,
                "dev.gil4j.samples.CpuBound",
                "--threads",
                ScaleOptions.THREADS,
                "--work",
                "400000000",
                "--workers",
                ScaleOptions.WORKERS));
    all.add(cpu);
    Results sleep =
        cpu.complete()
            ? experiment(
                dir.resolve("sleep"),
                jar,
                err,
                List.of(4),
                "nogil,gil",
                "throughput_x",
                1,
                List.of(
                    "-cp",
                    classPath,
                    "dev.gil4j.samples.Blocking",
                    "--mode",
                    "sleep",
                    "--threads",
                    ScaleOptions.THREADS,
                    "--ops",
                    "40"))
            : null;
    Results convoy =
        sleep != null && sleep.complete()
            ? experiment(
                dir.resolve("convoy"),
                jar,
                err,
                List.of(1),
                "nogil,gil",
                "slowdown_x:lower",
                1,
                List.of(
                    "-cp",
                    classPath,
                    "dev.gil4j.samples.Convoy",
                    "--count",
                    "1500",
                    "--time",
                    "1s"))
            : null;
    if (sleep != null) {
      all.add(sleep);
    }
    if (convoy != null) {
      all.add(convoy);
    }

    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"experiment", "no GIL", "GIL (5 ms)", "processes", "CPython 3.11"});
    rows.add(
        new String[] {
          "CPU-bound work, 2 workers vs 1: speedup",
          Results.ratio(speedup(cpu, "nogil", 2)),
          Results.ratio(speedup(cpu, "gil", 2)),
          Results.ratio(speedup(cpu, "procs", 2)),
          CPYTHON_CPU
        });
    rows.add(
        new String[] {
          "4 threads sleeping: overlap",
          Results.ratio(median(sleep, "nogil", 4)),
          Results.ratio(median(sleep, "gil", 4)),
          "-",
          CPYTHON_SLEEP
        });
    rows.add(
        new String[] {
          "I/O thread beside a CPU thread: slowdown",
          Results.ratio(median(convoy, "nogil", 1)),
          Results.ratio(median(convoy, "gil", 1)),
          "-",
          CPYTHON_CONVOY
        });
    out.print(TextTable.render(rows, 1));
    out.println();
    for (String line : story(cpu, sleep, convoy)) {
      out.println(line);
    }
    Path html = dir.resolve("report.html");
    Results.write(html, ScaleReport.html("gil4j demo", rows, all));
    out.println();
    out.println("report: " + html + "; each experiment's results and recordings: " + dir);
    boolean failed = all.stream().flatMap(r -> r.points().stream()).anyMatch(p -> p.okRuns() == 0);
    return failed || convoy == null ? 1 : 0;
  }

  private static Results experiment(
      Path dir,
      Path jar,
      PrintStream err,
      List<Integer> threads,
      String modes,
      String metric,
      int repeat,
      List<String> application)
      throws IOException {
    List<String> args = new ArrayList<>();
    if (metric != null) {
      args.addAll(List.of("--metric", metric));
    }
    args.addAll(
        List.of(
            "--threads",
            threads.stream().map(String::valueOf).reduce((a, b) -> a + "," + b).orElseThrow(),
            "--modes",
            modes,
            "--repeat",
            Integer.toString(repeat),
            "--timeout",
            TIMEOUT.toSeconds() + "s",
            "--out",
            dir.toString(),
            "--"));
    args.addAll(application);
    ScaleOptions options = ScaleOptions.parse(args.toArray(String[]::new));
    return ScaleCommand.execute(options, jar, err, r -> {});
  }

  /** The sentences the figures support, and a plain word where this run did not show it. */
  static List<String> story(Results cpu, Results sleep, Results convoy) {
    List<String> lines = new ArrayList<>();
    double free = speedup(cpu, "nogil", 2);
    double gil = speedup(cpu, "gil", 2);
    double procs = speedup(cpu, "procs", 2);
    lines.add(
        gil < 1.25 && procs > 1.25
            ? String.format(
                Locale.ROOT,
                "- CPU-bound threads gain nothing under the GIL (%.2fx with 2), processes do (%.2fx):"
                    + " each has a GIL of its own.",
                gil,
                procs)
            : String.format(
                Locale.ROOT,
                "- CPU-bound: threads under the GIL %.2fx, processes %.2fx, no GIL %.2fx; this run"
                    + " did not show the GIL's serialisation clearly (a busy machine?).",
                gil,
                procs,
                free));
    double overlap = median(sleep, "gil", 4);
    lines.add(
        overlap > 2
            ? String.format(
                Locale.ROOT,
                "- Threads that block overlap under the GIL too (%.2fx with 4 sleeping threads):"
                    + " the GIL is released around every blocking call.",
                overlap)
            : String.format(
                Locale.ROOT, "- Sleeping threads overlapped only %.2fx under the GIL.", overlap));
    double convoyed = median(convoy, "gil", 1);
    double alone = median(convoy, "nogil", 1);
    lines.add(
        convoyed > 3 * Math.max(1, alone)
            ? String.format(
                Locale.ROOT,
                "- The convoy: an I/O thread beside a CPU-bound one does its round trips %.1fx"
                    + " slower under the GIL (%.1fx without): after each blocking call it waits up"
                    + " to a switch interval to get the GIL back.",
                convoyed,
                alone)
            : String.format(
                Locale.ROOT,
                "- The convoy did not show this time: %.1fx slower under the GIL, %.1fx without.",
                convoyed,
                alone));
    return lines;
  }

  private static double speedup(Results r, String mode, int threads) {
    Point p = point(r, mode, threads);
    return p == null ? Double.NaN : r.speedup(p);
  }

  private static double median(Results r, String mode, int threads) {
    Point p = point(r, mode, threads);
    return p == null ? Double.NaN : p.median();
  }

  private static Point point(Results r, String mode, int threads) {
    if (r == null) {
      return null;
    }
    return r.points().stream()
        .filter(p -> p.mode().name().equals(mode) && p.threads() == threads)
        .findFirst()
        .orElse(null);
  }
}

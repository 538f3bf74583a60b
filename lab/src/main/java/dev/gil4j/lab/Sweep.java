package dev.gil4j.lab;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs every configuration of a sweep, each run in a fresh child JVM under the agent with its
 * mode's options, writing a summary of its own at exit ({@code summary=FILE}) and, with {@code
 * --jfr}, a JFR recording; reads back the figure the application printed and the GIL's use from the
 * summary. The measured runs carry no recording by default: JFR's threads and the compilation of
 * its code compete for the cores during a short run's measured work (measured: a 240 ms two-thread
 * CPU-bound run took 360 ms with a recording).
 *
 * <p>The measured runs go round-robin — every configuration's first run, then every second run — so
 * that a slow drift of the machine spreads over all configurations instead of biasing the last
 * ones. A run that fails or hangs is kept with what went wrong (exit status, or a thread dump taken
 * before it was killed) and the sweep goes on. {@link #stop} ends the sweep from another thread
 * (Ctrl-C): the running child is killed and not counted, and every finished run is kept.
 */
final class Sweep {
  private static final int SIGINT_EXIT = 130;
  private static final int SIGTERM_EXIT = 143;

  private final ScaleOptions options;
  private final Path agentJar;
  private final Progress progress;
  private final List<Run> runs = new ArrayList<>();
  private final Object lock = new Object();
  private Process child;
  private boolean stopping;
  private Metric metric;

  /**
   * The compared figure: its name, its unit, and which way is better.
   *
   * @param lowerIsBetter whether smaller values are better: times, unless the user said otherwise
   */
  record Metric(String name, String unit, boolean lowerIsBetter) {
    static Metric of(String name, String unit, Boolean lowerIsBetter) {
      boolean time =
          unit.equals("ns")
              || unit.equals("us")
              || unit.equals("µs")
              || unit.equals("ms")
              || unit.equals("s");
      return new Metric(name, unit, lowerIsBetter != null ? lowerIsBetter : time);
    }
  }

  Sweep(ScaleOptions options, Path agentJar, PrintStream err) {
    this.options = options;
    this.agentJar = agentJar;
    this.progress =
        new Progress(
            err,
            options.modes().size()
                * options.threads().size()
                * (options.repeat() + options.warmup()));
  }

  /**
   * Runs the sweep; after every measured run, hands the points so far to {@code afterEachRun}.
   * Returns false when {@link #stop} ended it early.
   */
  boolean run(Consumer<List<Point>> afterEachRun) throws IOException {
    Files.createDirectories(options.out().resolve("logs"));
    if (options.jfr()) {
      Files.createDirectories(options.out().resolve("recordings"));
    }
    for (int repeat = 1; repeat <= options.repeat(); repeat++) {
      for (Mode mode : options.modes()) {
        for (int n : options.threads()) {
          if (repeat == 1) {
            for (int w = 1; w <= options.warmup(); w++) {
              if (launch(mode, n, -w) == null) {
                return false;
              }
            }
          }
          Run run = launch(mode, n, repeat);
          if (run == null) {
            return false;
          }
          synchronized (lock) {
            runs.add(run);
          }
          afterEachRun.accept(points());
        }
      }
    }
    progress.done();
    return true;
  }

  /** Ends the sweep: kills the running child, whose run is not counted. */
  void stop() {
    synchronized (lock) {
      stopping = true;
      if (child != null) {
        ChildJava.kill(child);
      }
    }
  }

  /** The configurations with their finished runs, in the order of the sweep's options. */
  List<Point> points() {
    Map<String, List<Run>> byConfiguration = new LinkedHashMap<>();
    for (Mode mode : options.modes()) {
      for (int n : options.threads()) {
        byConfiguration.put(mode.name() + "/" + n, new ArrayList<>());
      }
    }
    synchronized (lock) {
      for (Run r : runs) {
        byConfiguration.get(r.mode().name() + "/" + r.threads()).add(r);
      }
    }
    List<Point> points = new ArrayList<>();
    for (Mode mode : options.modes()) {
      for (int n : options.threads()) {
        List<Run> done = byConfiguration.get(mode.name() + "/" + n);
        if (!done.isEmpty()) {
          points.add(new Point(mode, n, List.copyOf(done)));
        }
      }
    }
    return points;
  }

  /** The compared figure, once the first run has told which it is; null before. */
  Metric metric() {
    return metric;
  }

  /**
   * One run in a child JVM; {@code repeat} below 1 marks a warm-up run. Returns null when the sweep
   * was stopped during it.
   */
  private Run launch(Mode mode, int n, int repeat) throws IOException {
    String id = mode.fileName() + "-t" + n + (repeat > 0 ? "-r" + repeat : "-warmup" + (-repeat));
    Path logs = options.out().resolve("logs");
    Path out = logs.resolve(id + ".out");
    Path err = logs.resolve(id + ".err");
    Path recordings = options.out().resolve("recordings");
    deleteOutputs(logs, id + ".summary", ".json");
    String recording = "";
    if (options.jfr()) {
      deleteOutputs(recordings, id, ".jfr");
      recording = ",jfr=" + recordings.resolve(id + ".jfr").toAbsolutePath();
    }
    List<String> arguments = new ArrayList<>();
    arguments.add(
        "-javaagent:"
            + agentJar
            + "="
            + ScaleOptions.combined(mode, options.agent())
            + recording
            + ",summary="
            + logs.resolve(id + ".summary.json").toAbsolutePath()
            + ",report="
            + logs.resolve(id + ".report.txt").toAbsolutePath());
    arguments.addAll(options.applicationFor(mode, n));
    progress.starting(mode.name() + " threads=" + n + (repeat > 0 ? " run " + repeat : " warm-up"));

    ChildJava java = new ChildJava(options.java(), options.timeout());
    Process p;
    synchronized (lock) {
      if (stopping) {
        return null;
      }
      p = java.start(arguments, out, err);
      child = p;
    }
    ChildJava.Result r;
    try {
      r = java.await(p, out, err, logs.resolve(id + ".threads.txt"));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stop();
      return null;
    }
    double wallMs = r.wallMs();
    if (!r.hung() && (r.exit() == SIGINT_EXIT || r.exit() == SIGTERM_EXIT)) {
      awaitStop();
    }
    synchronized (lock) {
      child = null;
      if (stopping) {
        return null;
      }
    }
    progress.finished(wallMs);
    if (repeat < 1) {
      return new Run(mode, n, repeat, Run.Status.OK, 0, Double.NaN, wallMs, null, out, null, null);
    }
    if (r.hung()) {
      return failed(
          mode,
          n,
          repeat,
          Run.Status.TIMED_OUT,
          -1,
          wallMs,
          out,
          r.dump(),
          "no end after " + options.timeout().toSeconds() + " s; threads dumped to " + r.dump());
    }
    if (r.exit() != 0) {
      return failed(
          mode,
          n,
          repeat,
          Run.Status.FAILED,
          r.exit(),
          wallMs,
          out,
          null,
          "exit status " + r.exit() + ChildJava.lastLine(err));
    }
    Map<String, Metric> printed = new LinkedHashMap<>();
    for (ChildJava.Metric m : r.metrics().values()) {
      printed.put(m.name(), Metric.of(m.name(), m.unit(), options.lowerIsBetter()));
    }
    if (metric == null) {
      metric = choose(printed);
    }
    double value;
    if (metric.name().equals(RUN_WALL)) {
      value = wallMs;
    } else if (r.metrics().containsKey(metric.name())) {
      value = r.metrics().get(metric.name()).value();
    } else {
      return failed(
          mode,
          n,
          repeat,
          Run.Status.NO_METRIC,
          0,
          wallMs,
          out,
          null,
          "printed no 'gil4j-metric "
              + metric.name()
              + "' line"
              + (printed.isEmpty()
                  ? ""
                  : " (printed: " + String.join(", ", printed.keySet()) + ")"));
    }
    Path summary = logs.resolve(id + ".summary.json");
    GilShares gil = null;
    String problem = null;
    if (!Files.isRegularFile(summary)) {
      problem =
          "the agent wrote no summary to "
              + summary
              + ": the JVM ended without running its shutdown hooks (Runtime.halt, a crash), or"
              + " see its stderr in "
              + err;
    } else {
      try {
        gil = GilShares.read(outputsOf(logs, id + ".summary", ".json"));
      } catch (IOException | RuntimeException e) {
        problem = "its summary could not be read: " + e.getMessage();
      }
    }
    if (problem != null) {
      return failed(mode, n, repeat, Run.Status.NO_SUMMARY, 0, wallMs, out, null, problem);
    }
    return new Run(mode, n, repeat, Run.Status.OK, 0, value, wallMs, gil, out, null, null);
  }

  /**
   * A child killed by the Ctrl-C meant for {@code scale} (the terminal signals the whole process
   * group) may end before {@link #stop} is called: give the stop a moment to arrive, so that the
   * run is not counted as failed.
   */
  private void awaitStop() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    synchronized (lock) {
      while (!stopping && System.nanoTime() < deadline) {
        try {
          lock.wait(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /** The name of the figure used when the application prints none: the child's wall time. */
  static final String RUN_WALL = "run_wall_ms";

  private Metric choose(Map<String, Metric> printed) {
    if (options.metric() != null) {
      return printed.getOrDefault(
          options.metric(), Metric.of(options.metric(), "?", options.lowerIsBetter()));
    }
    if (printed.containsKey("wall_ms")) {
      return printed.get("wall_ms");
    }
    return printed.isEmpty() ? Metric.of(RUN_WALL, "ms", null) : printed.values().iterator().next();
  }

  private static Run failed(
      Mode mode,
      int n,
      int repeat,
      Run.Status status,
      int exit,
      double wallMs,
      Path log,
      Path dump,
      String problem) {
    return new Run(mode, n, repeat, status, exit, Double.NaN, wallMs, null, log, dump, problem);
  }

  /**
   * A run's file {@code name + extension} and, in mode procs, its children's ({@code
   * name-<pid>extension}, as multiprocessing names them).
   */
  private static List<Path> outputsOf(Path dir, String name, String extension) throws IOException {
    List<Path> files = new ArrayList<>();
    if (Files.isDirectory(dir)) {
      try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, name + "{,-*}" + extension)) {
        s.forEach(files::add);
      }
    }
    return files;
  }

  /** Deletes what an earlier sweep into the same directory left of this run's files. */
  private static void deleteOutputs(Path dir, String name, String extension) throws IOException {
    for (Path f : outputsOf(dir, name, extension)) {
      Files.delete(f);
    }
  }
}

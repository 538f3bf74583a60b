package dev.gil4j.benchmarks;

import dev.gil4j.benchmarks.internal.Figure;
import dev.gil4j.benchmarks.internal.Jmh;
import dev.gil4j.benchmarks.internal.Machine;
import dev.gil4j.benchmarks.internal.Run;
import dev.gil4j.benchmarks.internal.TextTable;
import dev.gil4j.testkit.ChildRun;
import dev.gil4j.testkit.Jdk;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;

/**
 * The {@code overhead} suite: what recording lock contention costs a lock-heavy application ({@link
 * LockHeavy}: four threads, one {@code ReentrantLock}, two monitors and a {@code Semaphore}, fixed
 * and checked work), at three critical-section lengths (some 20 ns, 1 µs and 50 µs), each profiler
 * in a JVM of its own, side by side:
 *
 * <ol>
 *   <li>no agent, the baseline;
 *   <li>no agent again, the control: the ratio of a profiler that costs nothing, so that each
 *       section shows how far two identical runs of it move apart (on JDK 25 at ~20 ns, 0.88–1.09
 *       over 15 rounds of an idle machine, where gil4j's own read 0.83–1.04);
 *   <li>gil4j, {@code gil=off}: profiling only, at its defaults (profiled drop-ins swapped in,
 *       waits that park and the holds they waited for in per-site histograms, the report on stderr
 *       at exit);
 *   <li>JFR's own lock events alone ({@code jdk.JavaMonitorEnter}, {@code jdk.JavaMonitorWait},
 *       {@code jdk.ThreadPark}) at threshold 0 with stack traces ({@code jdk-lock-events.jfc}, in
 *       this jar);
 *   <li>async-profiler's lock mode, {@code -agentpath:libasyncProfiler.so=start,event=lock,lock=0},
 *       writing JFR, with the library from Maven Central's {@code tools.profiler:async-profiler}
 *       (shaded into this jar); where it cannot load, the row says why.
 * </ol>
 *
 * <p>A round runs each configuration once, in an order rotated from round to round, so that a slow
 * patch of the machine does not always hit the same one; each configuration's run is set against
 * the no-agent run of the same round, and the figure is the median of those paired ratios, with
 * their interquartile range: for the timed pass's throughput (elapsed) and for the process's CPU
 * time during it, which other processes on a busy machine do not inflate. A verdict on the 5% goal
 * needs that range narrower than the goal: rounds are added, up to a limit, until it is. Then a JMH
 * table ({@link SwappedLock}): an uncontended lock and unlock of the JDK's {@code ReentrantLock}
 * beside gil4j's profiled drop-in. Every JVM runs with a hard time limit. Run by {@link RunAll}.
 */
final class OverheadSuite {
  private static final double GOAL = 1.05;
  private static final Pattern WAITS = Pattern.compile("wait n=(\\d+)");
  private static final String JFC = "jdk-lock-events.jfc";

  /** One way to run the workload. */
  private enum Config {
    NONE("no agent"),
    CONTROL("no agent again (control)"),
    GIL4J("gil4j gil=off"),
    JFR("JFR lock events, 0 ms"),
    ASYNC("async-profiler lock, 0 ns");

    final String label;

    Config(String label) {
      this.label = label;
    }

    String fileName() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  /**
   * One critical-section length: LockHeavy's hold steps, operations per thread, and the most rounds
   * it gets. The 20 ns section's ratios spread widest (on JDK 25, interquartile ranges 0.1–0.2 wide
   * over seven rounds on an idle machine, 0.2–0.3 under load), and on JDK 25 the 1 µs section's
   * runs fall into a fast and a slow mode (the control's median once 1.06x over seven idle rounds),
   * so both get more.
   */
  private enum Workload {
    SHORT("~20 ns", 6, 4_000_000, 11),
    MEDIUM("~1 µs", 330, 200_000, 11),
    LONG("~50 µs", 16_500, 4_000, 7);

    final String label;
    final int holdSteps;
    final int ops;
    final int maxRounds;

    Workload(String label, int holdSteps, int ops, int maxRounds) {
      this.label = label;
      this.holdSteps = holdSteps;
      this.ops = ops;
      this.maxRounds = maxRounds;
    }
  }

  /** What a ratio compares: one of a run's figures. */
  private enum Metric {
    TIME,
    CPU,
    WORKER_CPU;

    /** The figure of {@code r}; NaN when the run did not print it. */
    double of(Result r) {
      return switch (this) {
        case TIME -> r.workloadMs();
        case CPU -> r.cpuMs();
        case WORKER_CPU -> r.workerCpuMs();
      };
    }
  }

  /** What one run measured. */
  private record Result(
      double workloadMs,
      double cpuMs,
      double workerCpuMs,
      double processMs,
      Map<String, Long> records) {}

  /**
   * Rounds per cell: at least this many, more (up to the workload's {@link Workload#maxRounds})
   * while the ratios spread wider than the goal.
   */
  private static final int MIN_ROUNDS = 5;

  private final Run run;
  private final Path out;
  private final Jmh jmh;
  private final Map<String, List<Result>> results = new LinkedHashMap<>();
  private final Map<String, String> failures = new LinkedHashMap<>();
  private final Map<String, Double> swapped = new LinkedHashMap<>();
  private final List<String> notes = new ArrayList<>();
  private Path jfc;
  private Path asyncProfiler;
  private String asyncProfilerMissing;

  OverheadSuite(Run run) throws IOException {
    this.run = run;
    this.out = run.out().resolve("overhead");
    this.jmh = new Jmh(out, run.quick());
  }

  /** Measures everything, then prints the tables on {@code o}. */
  void run(PrintStream o) throws IOException, InterruptedException {
    String loadBefore = Machine.loadAverage();
    jfc = extract(JFC, out.resolve(JFC));
    asyncProfiler = extractAsyncProfiler();
    int minRounds = run.quick() ? 2 : MIN_ROUNDS;
    for (Workload w : Workload.values()) {
      int maxRounds = run.quick() ? 2 : w.maxRounds;
      for (Jdk jdk : run.jdks()) {
        for (int r = 0; r < maxRounds; r++) {
          if (r >= minRounds && decided(jdk, w)) {
            break;
          }
          // Rotated, so that a slow patch of the machine does not always hit the same one.
          Config[] configs = Config.values();
          for (int i = 0; i < configs.length; i++) {
            runOnce(jdk, w, configs[(i + r) % configs.length], r, maxRounds);
          }
        }
      }
    }
    for (Jdk jdk : run.jdks()) {
      swappedLock(jdk);
    }
    jmh.close();

    o.println();
    Machine.printHeader(
        o, "gil4j benchmarks: what profiling costs a lock-heavy application", loadBefore);
    printOverheadTable(o);
    o.println();
    printSwappedTable(o);
    for (String note : notes) {
      o.println(note);
    }
  }

  private Path extract(String resource, Path to) throws IOException {
    try (InputStream in = OverheadSuite.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException(resource + " is missing from " + run.jar());
      }
      Files.createDirectories(to.getParent());
      Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
    }
    return to;
  }

  /** The library for this platform, from the async-profiler jar shaded into this one; or null. */
  private Path extractAsyncProfiler() throws IOException {
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch");
    String dir;
    if (os.contains("linux") && (arch.equals("amd64") || arch.equals("x86_64"))) {
      dir = "linux-x64";
    } else if (os.contains("linux") && arch.equals("aarch64")) {
      dir = "linux-arm64";
    } else if (os.contains("mac")) {
      dir = "macos";
    } else {
      asyncProfilerMissing = "no library for " + os + "/" + arch + " in the async-profiler jar";
      return null;
    }
    String resource = "/" + dir + "/libasyncProfiler.so";
    if (OverheadSuite.class.getResource(resource) == null) {
      asyncProfilerMissing = resource + " is missing from " + run.jar();
      return null;
    }
    return extract(resource, out.resolve("async-profiler").resolve("libasyncProfiler.so"));
  }

  private static String cell(Jdk jdk, Workload w, Config config) {
    return jdk.version() + "|" + w + "|" + config;
  }

  private void runOnce(Jdk jdk, Workload w, Config config, int r, int runs)
      throws IOException, InterruptedException {
    String cell = cell(jdk, w, config);
    System.err.printf(
        "JDK %s, %s, round %d (of at most %d): LockHeavy, %s ... ",
        jdk.version(), w.label, r + 1, runs, config.label);
    if (config == Config.ASYNC && asyncProfiler == null) {
      failures.put(cell, "did not load: " + asyncProfilerMissing);
      System.err.println("skipped (" + asyncProfilerMissing + ")");
      return;
    }
    String name =
        "lockheavy-"
            + jdk.version()
            + "-"
            + w.name().toLowerCase(Locale.ROOT)
            + "-"
            + config.fileName()
            + "-"
            + (r + 1);
    Path recording = out.resolve(name + ".jfr");
    Files.deleteIfExists(recording);
    List<String> cmd = new ArrayList<>(List.of(jdk.java().toString(), "-Xms512m", "-Xmx512m"));
    switch (config) {
      case NONE, CONTROL -> {}
      case JFR -> cmd.add("-XX:StartFlightRecording:settings=" + jfc + ",filename=" + recording);
      case ASYNC ->
          cmd.add("-agentpath:" + asyncProfiler + "=start,event=lock,lock=0,jfr,file=" + recording);
      case GIL4J -> cmd.add("-javaagent:" + run.agent() + "=gil=off");
    }
    cmd.addAll(List.of("-cp", run.jar().toString(), LockHeavy.class.getName()));
    cmd.addAll(
        List.of(
            "--threads",
            "4",
            "--locks",
            "1",
            "--hold-steps",
            String.valueOf(w.holdSteps),
            "--ops",
            String.valueOf(run.quick() ? w.ops / 4 : w.ops)));
    long start = System.nanoTime();
    ChildRun c = Run.child(cmd, out.resolve(name), Duration.ofSeconds(120));
    double processMs = (System.nanoTime() - start) / 1e6;
    Map<String, Double> m = c.figures();
    Double workload = m.get("workload_ms");
    Double cpu = m.get("workload_cpu_ms");
    double workerCpu = m.getOrDefault("workload_worker_cpu_ms", Double.NaN);
    if (!c.succeeded() || workload == null || cpu == null) {
      String why = c.succeeded() ? "printed no figure" : c.failure();
      if (config == Config.ASYNC) {
        why = "did not load: " + firstLine(c.stderrLog(), why);
      }
      failures.putIfAbsent(cell, why);
      notes.add(
          String.format(
              "JDK %s, %s, %s, round %d: %s; see %s",
              jdk.version(), w.label, config.label, r + 1, why, out.resolve(name) + ".*"));
      System.err.println("FAILED (" + why + ")");
      return;
    }
    Map<String, Long> records = new TreeMap<>();
    if (config == Config.GIL4J) {
      long waits = 0;
      Matcher found = WAITS.matcher(c.stderr());
      while (found.find()) {
        waits += Long.parseLong(found.group(1));
      }
      records.put("waits in gil4j's histograms", waits);
    }
    if (Files.exists(recording)) {
      records.putAll(countEvents(recording));
      Files.delete(recording);
    } else if (config == Config.JFR || config == Config.ASYNC) {
      records.put("(no recording written)", 0L);
    }
    List<Result> rs = results.computeIfAbsent(cell, k -> new ArrayList<>());
    while (rs.size() < r) {
      rs.add(null); // a failed round: no pair
    }
    rs.add(new Result(workload, cpu, workerCpu, processMs, records));
    System.err.printf(Locale.ROOT, "%.0f ms%n", workload);
  }

  /** The first line of {@code file} that says what went wrong, or {@code otherwise}. */
  private static String firstLine(Path file, String otherwise) throws IOException {
    for (String line : Files.readAllLines(file)) {
      String l = line.toLowerCase(Locale.ROOT);
      if (l.contains("error") || l.contains("could not") || l.contains("failed")) {
        return line.strip();
      }
    }
    return otherwise;
  }

  /**
   * Events in {@code recording} by type, lock events by name and gil4j's together; JFR's own
   * bookkeeping events (settings, metadata, system properties) are left out.
   */
  private static Map<String, Long> countEvents(Path recording) throws IOException {
    Map<String, Long> counts = new TreeMap<>();
    try (RecordingFile file = new RecordingFile(recording)) {
      while (file.hasMoreEvents()) {
        RecordedEvent e = file.readEvent();
        String type = e.getEventType().getName();
        if (type.startsWith("gil4j.")) {
          counts.merge("gil4j.* events", 1L, Long::sum);
        } else if (type.equals("jdk.ThreadPark")
            || type.equals("jdk.JavaMonitorEnter")
            || type.equals("jdk.JavaMonitorWait")) {
          counts.merge(type, 1L, Long::sum);
        } else {
          counts.merge("other events", 1L, Long::sum);
        }
      }
    } catch (IOException e) {
      counts.put("(unreadable: " + e.getMessage() + ")", 0L);
    }
    return counts;
  }

  private void swappedLock(Jdk jdk) {
    measureSwapped(jdk, "SwappedLock.reentrantLock", "jdk", List.of());
    measureSwapped(jdk, "SwappedLock.profiledReentrantLock", "profiled", List.of());
    measureSwapped(
        jdk,
        "SwappedLock.reentrantLock",
        "swapped",
        List.of(
            "-javaagent:" + run.agent() + "=gil=off", "-D" + SwappedLock.EXPECT_SWAPPED + "=true"));
  }

  private void measureSwapped(Jdk jdk, String benchmark, String column, List<String> jvmArgs) {
    System.err.printf("JDK %s: %s (%s) ... ", jdk.version(), benchmark, column);
    // A longer warm-up than the other suites': under the agent, on a busy machine, C2 was seen to
    // reach this loop only after a second, and until then it runs at 4x.
    ChainedOptionsBuilder options =
        jmh.options(jdk, benchmark).warmupIterations(run.quick() ? 2 : 6);
    if (!jvmArgs.isEmpty()) {
      options.jvmArgsAppend(jvmArgs.toArray(String[]::new));
    }
    Figure f = Figure.of(jmh.run(options.build()).cpu());
    if (f == null) {
      System.err.println("FAILED (see jmh.log)");
    } else {
      swapped.put(jdk.version() + "|" + column, f.best());
      swapped.put(jdk.version() + "|" + column + "|median", f.median());
      System.err.println(Figure.number(f.best()) + " ns/op (CPU)");
    }
  }

  /**
   * Ratios of {@code config}'s runs to the no-agent run of the same round, by {@code metric}, in
   * round order; pairs where either run lacks the figure are left out.
   */
  private List<Double> pairedRatios(Jdk jdk, Workload w, Config config, Metric metric) {
    List<Result> base = results.getOrDefault(cell(jdk, w, Config.NONE), List.of());
    List<Result> rs = results.getOrDefault(cell(jdk, w, config), List.of());
    List<Double> ratios = new ArrayList<>();
    for (int i = 0; i < Math.min(base.size(), rs.size()); i++) {
      Result b = base.get(i);
      Result c = rs.get(i);
      if (b != null && c != null) {
        double ratio = metric.of(c) / metric.of(b);
        if (!Double.isNaN(ratio)) {
          ratios.add(ratio);
        }
      }
    }
    return ratios;
  }

  /** Whether gil4j's verdict is in: its ratios' interquartile range is narrower than the goal. */
  private boolean decided(Jdk jdk, Workload w) {
    for (Metric metric : new Metric[] {Metric.TIME, Metric.CPU}) {
      Spread s = Spread.of(pairedRatios(jdk, w, Config.GIL4J, metric));
      if (s == null || s.high - s.low > 2 * (GOAL - 1)) {
        return false;
      }
    }
    return true;
  }

  /** The median of some ratios and their interquartile range. */
  private record Spread(double median, double low, double high, int n) {
    static Spread of(List<Double> values) {
      if (values.isEmpty()) {
        return null;
      }
      List<Double> v = values.stream().sorted().toList();
      return new Spread(Figure.median(v), quantile(v, 0.25), quantile(v, 0.75), v.size());
    }

    private static double quantile(List<Double> sorted, double q) {
      double at = q * (sorted.size() - 1);
      int i = (int) Math.floor(at);
      int j = Math.min(i + 1, sorted.size() - 1);
      return sorted.get(i) + (sorted.get(j) - sorted.get(i)) * (at - i);
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%.2fx (%.2f–%.2f)", median, low, high);
    }

    /** The verdict on "within 5% either way": met, missed, or not decided by these runs. */
    String verdict() {
      if (low >= 2 - GOAL && high <= GOAL) {
        return "met";
      }
      if (low > GOAL || high < 2 - GOAL) {
        return "missed";
      }
      return Math.abs(median - 1) <= GOAL - 1
          ? "met at the median, runs spread " + String.format(Locale.ROOT, "%.2f–%.2f", low, high)
          : "missed at the median, runs spread "
              + String.format(Locale.ROOT, "%.2f–%.2f", low, high);
    }
  }

  private void printOverheadTable(PrintStream o) {
    o.println(
        "4. What profiling costs LockHeavy (4 threads, one ReentrantLock, 2 monitors, a Semaphore),"
            + " per critical-section length: paired ratio to no agent in the same round, median"
            + " (interquartile range); 1.00x = no cost");
    TextTable t =
        new TextTable(
            3,
            "critical section",
            "configuration",
            "JDK",
            "rounds",
            "ops/s (no agent: median)",
            "time ratio",
            "CPU ratio",
            "workers' CPU ratio",
            "recorded (one run)");
    for (Workload w : Workload.values()) {
      for (Jdk jdk : run.jdks()) {
        List<Result> base = results.getOrDefault(cell(jdk, w, Config.NONE), List.of());
        List<Double> baseMs = base.stream().filter(r -> r != null).map(Result::workloadMs).toList();
        for (Config config : Config.values()) {
          String cell = cell(jdk, w, config);
          List<Result> rs = results.getOrDefault(cell, List.of());
          List<Result> ok = rs.stream().filter(r -> r != null).toList();
          if (ok.isEmpty()) {
            t.row(w.label, config.label, jdk.version(), "0", failures.getOrDefault(cell, "—"));
            continue;
          }
          double ms = Figure.median(ok.stream().map(Result::workloadMs).toList());
          double opsPerS = 4.0 * (run.quick() ? w.ops / 4 : w.ops) / (ms / 1e3);
          Spread time = Spread.of(pairedRatios(jdk, w, config, Metric.TIME));
          Spread cpu = Spread.of(pairedRatios(jdk, w, config, Metric.CPU));
          Spread workers = Spread.of(pairedRatios(jdk, w, config, Metric.WORKER_CPU));
          List<String> records = new ArrayList<>();
          ok.get(ok.size() / 2).records().forEach((type, n) -> records.add(type + " " + n));
          t.row(
              w.label,
              config.label,
              jdk.version(),
              String.valueOf(ok.size()),
              config == Config.NONE
                  ? Figure.number(opsPerS) + " (" + Figure.number(Figure.median(baseMs)) + " ms)"
                  : Figure.number(opsPerS),
              config == Config.NONE || time == null ? "—" : time.toString(),
              config == Config.NONE || cpu == null ? "—" : cpu.toString(),
              config == Config.NONE || workers == null ? "—" : workers.toString(),
              records.isEmpty() ? "—" : String.join(", ", records));
        }
      }
    }
    t.print(o);
    o.println(
        "time ratio = elapsed time of the timed pass (4 threads x the operations, after untimed"
            + " passes of a fifth of them for 2 s) against the no-agent run of the same round: 1.10x is 10%"
            + " less throughput; CPU ratio = the process's CPU time during it, a profiler's own"
            + " threads and the JIT compiler's included, in 10 ms ticks; workers' CPU ratio = the"
            + " CPU time of the four threads running the critical sections, by their own clocks."
            + " The bracket is the interquartile range of the rounds' ratios; the control's is"
            + " how far two runs without any agent move apart.");
    o.println(
        "JFR lock events: -XX:StartFlightRecording:settings="
            + JFC
            + " (only jdk.JavaMonitorEnter, jdk.JavaMonitorWait, jdk.ThreadPark, threshold 0 ms,"
            + " stack traces). async-profiler: -agentpath:libasyncProfiler.so=start,event=lock,"
            + "lock=0,jfr,file=… (tools.profiler:async-profiler from Maven Central). gil4j:"
            + " -javaagent:"
            + run.agent().getFileName()
            + "=gil=off (profile=on, report=stderr: the defaults).");
    for (Workload w : Workload.values()) {
      for (Jdk jdk : run.jdks()) {
        Spread time = Spread.of(pairedRatios(jdk, w, Config.GIL4J, Metric.TIME));
        Spread cpu = Spread.of(pairedRatios(jdk, w, Config.GIL4J, Metric.CPU));
        Spread workers = Spread.of(pairedRatios(jdk, w, Config.GIL4J, Metric.WORKER_CPU));
        Spread control = Spread.of(pairedRatios(jdk, w, Config.CONTROL, Metric.TIME));
        if (time == null || cpu == null) {
          o.printf("Goal, %s, JDK %s: not measured%n", w.label, jdk.version());
          continue;
        }
        o.printf(
            Locale.ROOT,
            "Goal: gil4j (gil=off) within 5%% of no agent, %s, JDK %s: throughput %s, %s; CPU %s,"
                + " %s; workers' CPU %s; the control's throughput %s%n",
            w.label,
            jdk.version(),
            time,
            time.verdict(),
            cpu,
            cpu.verdict(),
            workers == null ? "not measured" : workers + ", " + workers.verdict(),
            control == null ? "not measured" : control);
      }
    }
  }

  private void printSwappedTable(PrintStream o) {
    o.println(
        "5. An uncontended lock() + unlock(), ns (JMH, CPU time, best of "
            + jmh.iterations()
            + " iterations of 100 ms, +how far the median lies above it); ratio to the JDK's lock");
    TextTable t =
        new TextTable(
            1,
            "JDK",
            "ReentrantLock",
            "ProfiledReentrantLock",
            "ratio",
            "swapped in by the agent (gil=off)",
            "ratio");
    for (Jdk jdk : run.jdks()) {
      String v = jdk.version() + "|";
      Double base = swapped.get(v + "jdk");
      t.row(
          jdk.version(),
          swappedCell(v + "jdk"),
          swappedCell(v + "profiled"),
          Figure.ratio(swapped.get(v + "profiled"), base),
          swappedCell(v + "swapped"),
          Figure.ratio(swapped.get(v + "swapped"), base));
    }
    t.print(o);
    o.println(
        "ReentrantLock: new ReentrantLock() without the agent. ProfiledReentrantLock: gil4j's"
            + " drop-in, constructed directly, without the agent. swapped in: new ReentrantLock()"
            + " under -javaagent:…=gil=off, the fork failing unless the agent swapped it.");
  }

  private String swappedCell(String key) {
    Double best = swapped.get(key);
    Double median = swapped.get(key + "|median");
    return best == null ? "failed" : new Figure(best, median).withNoise();
  }
}

package dev.gil4j.benchmarks;

import dev.gil4j.benchmarks.internal.Child;
import dev.gil4j.benchmarks.internal.Figure;
import dev.gil4j.benchmarks.internal.Jdk;
import dev.gil4j.benchmarks.internal.Jmh;
import dev.gil4j.benchmarks.internal.Machine;
import dev.gil4j.benchmarks.internal.Run;
import dev.gil4j.benchmarks.internal.TextTable;
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
 * LockHeavy}, four threads, fixed and checked work), each profiler in a JVM of its own, several
 * runs of each, interleaved, side by side:
 *
 * <ol>
 *   <li>no agent, the baseline;
 *   <li>JFR's own lock events alone ({@code jdk.JavaMonitorEnter}, {@code jdk.JavaMonitorWait},
 *       {@code jdk.ThreadPark}) at threshold 0 with stack traces ({@code jdk-lock-events.jfc}, in
 *       this jar);
 *   <li>async-profiler's lock mode, {@code -agentpath:libasyncProfiler.so=start,event=lock,lock=0},
 *       writing JFR, with the library from Maven Central's {@code tools.profiler:async-profiler}
 *       (shaded into this jar); where it cannot load, the row says why;
 *   <li>gil4j, {@code gil=off}: profiling only, at its defaults (profiled drop-ins swapped in,
 *       every wait and hold in per-site histograms, the report on stderr at exit);
 *   <li>the same with {@code jfr=FILE}: gil4j's events and the JDK's blocking events over 1 ms, on
 *       top of JFR's default settings, written at exit.
 * </ol>
 *
 * <p>Each configuration's figure is the median of its runs, set against the median without an
 * agent: the timed pass of the workload (elapsed and process CPU time) and the whole process
 * (start-up and the recording's dump at exit included), with what each profiler recorded. Then a
 * JMH table ({@link SwappedLock}): an uncontended lock and unlock of the JDK's {@code
 * ReentrantLock} beside gil4j's profiled drop-in. Goals it reports against: gil4j within 5% of no
 * agent at its defaults, and no worse than JFR's own events. Every JVM runs with a hard time limit.
 * Run by {@link RunAll}.
 */
final class OverheadSuite {
  private static final double GOAL = 1.05;
  private static final Pattern WAITS = Pattern.compile("wait n=(\\d+)");
  private static final String JFC = "jdk-lock-events.jfc";

  /** One way to run the workload. */
  private enum Config {
    NONE("no agent"),
    JFR("JFR lock events, 0 ms"),
    ASYNC("async-profiler lock, 0 ns"),
    GIL4J("gil4j gil=off"),
    GIL4J_JFR("gil4j gil=off jfr=FILE");

    final String label;

    Config(String label) {
      this.label = label;
    }

    String fileName() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  /** What one run measured. */
  private record Result(
      double workloadMs, double cpuMs, double processMs, Map<String, Long> records) {}

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
    int runs = run.quick() ? 2 : 5;
    for (Jdk jdk : run.jdks()) {
      for (int r = 0; r < runs; r++) {
        // Rotated, so that a slow patch of the machine does not always hit the same configuration.
        Config[] configs = Config.values();
        for (int i = 0; i < configs.length; i++) {
          runOnce(jdk, configs[(i + r) % configs.length], r, runs);
        }
      }
      swappedLock(jdk);
    }
    jmh.close();

    o.println();
    Machine.printHeader(
        o, "gil4j benchmarks: what profiling costs a lock-heavy application", loadBefore);
    printOverheadTable(o, runs);
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

  private void runOnce(Jdk jdk, Config config, int r, int runs)
      throws IOException, InterruptedException {
    String cell = jdk.version() + "|" + config;
    System.err.printf(
        "JDK %s, run %d/%d: LockHeavy, %s ... ", jdk.version(), r + 1, runs, config.label);
    if (config == Config.ASYNC && asyncProfiler == null) {
      failures.put(cell, "did not load: " + asyncProfilerMissing);
      System.err.println("skipped (" + asyncProfilerMissing + ")");
      return;
    }
    String name = "lockheavy-" + jdk.version() + "-" + config.fileName() + "-" + (r + 1);
    Path recording = out.resolve(name + ".jfr");
    Files.deleteIfExists(recording);
    List<String> cmd = new ArrayList<>(List.of(jdk.java(), "-Xms512m", "-Xmx512m"));
    switch (config) {
      case NONE -> {}
      case JFR -> cmd.add("-XX:StartFlightRecording:settings=" + jfc + ",filename=" + recording);
      case ASYNC ->
          cmd.add("-agentpath:" + asyncProfiler + "=start,event=lock,lock=0,jfr,file=" + recording);
      case GIL4J -> cmd.add("-javaagent:" + run.agent() + "=gil=off");
      case GIL4J_JFR -> cmd.add("-javaagent:" + run.agent() + "=gil=off,jfr=" + recording);
    }
    cmd.addAll(List.of("-cp", run.jar().toString(), LockHeavy.class.getName()));
    cmd.addAll(List.of("--threads", "4", "--ops", run.quick() ? "1000000" : "4000000"));
    long start = System.nanoTime();
    Child c = Child.run(cmd, out.resolve(name), Duration.ofSeconds(120));
    double processMs = (System.nanoTime() - start) / 1e6;
    Map<String, Double> m = c.metrics();
    Double workload = m.get("workload_ms");
    Double cpu = m.get("workload_cpu_ms");
    if (!c.succeeded() || workload == null || cpu == null) {
      String why = c.succeeded() ? "printed no figure" : c.failure();
      if (config == Config.ASYNC) {
        why = "did not load: " + firstLine(c.stderr(), why);
      }
      failures.putIfAbsent(cell, why);
      notes.add(
          String.format(
              "JDK %s, %s, run %d: %s; see %s",
              jdk.version(), config.label, r + 1, why, out.resolve(name) + ".*"));
      System.err.println("FAILED (" + why + ")");
      return;
    }
    Map<String, Long> records = new TreeMap<>();
    if (config == Config.GIL4J || config == Config.GIL4J_JFR) {
      long waits = 0;
      Matcher w = WAITS.matcher(Files.readString(c.stderr()));
      while (w.find()) {
        waits += Long.parseLong(w.group(1));
      }
      records.put("waits in gil4j's histograms", waits);
    }
    if (Files.exists(recording)) {
      records.putAll(countEvents(recording));
      Files.delete(recording);
    } else if (config != Config.NONE && config != Config.GIL4J) {
      records.put("(no recording written)", 0L);
    }
    results
        .computeIfAbsent(cell, k -> new ArrayList<>())
        .add(new Result(workload, cpu, processMs, records));
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

  private void printOverheadTable(PrintStream o, int runs) {
    o.println(
        "4. What profiling costs LockHeavy (4 threads, 4 ReentrantLocks + 2 monitors + a Semaphore):"
            + " median of "
            + runs
            + " runs each, ratio to no agent on the same JDK; lower is better");
    TextTable t =
        new TextTable(
            2,
            "configuration",
            "JDK",
            "workload ms",
            "ratio",
            "best",
            "CPU ms",
            "ratio",
            "process ms",
            "ratio",
            "recorded (median run)");
    for (Jdk jdk : run.jdks()) {
      Medians base = medians(jdk, Config.NONE);
      for (Config config : Config.values()) {
        String cell = jdk.version() + "|" + config;
        Medians m = medians(jdk, config);
        if (m == null) {
          t.row(config.label, jdk.version(), failures.getOrDefault(cell, "—"));
          continue;
        }
        t.row(
            config.label,
            jdk.version(),
            Figure.number(m.workload) + " " + m.spread,
            base == null ? "—" : Figure.ratio(m.workload, base.workload),
            base == null ? "—" : Figure.ratio(m.best, base.best),
            Figure.number(m.cpu),
            base == null ? "—" : Figure.ratio(m.cpu, base.cpu),
            Figure.number(m.process),
            base == null ? "—" : Figure.ratio(m.process, base.process),
            m.records);
      }
    }
    t.print(o);
    o.println(
        "workload = the timed pass (4 x "
            + (run.quick() ? "1M" : "4M")
            + " critical sections, after an untimed pass of the same), elapsed, median, and in"
            + " brackets the fastest and slowest run; ratio = of the medians, best = of the fastest"
            + " runs (interference only adds time); CPU = process CPU time during it (a profiler's"
            + " own threads included); process = the whole JVM as the runner saw it, start-up and"
            + " the recording's dump at exit included.");
    o.println(
        "JFR lock events: -XX:StartFlightRecording:settings="
            + JFC
            + " (only jdk.JavaMonitorEnter, jdk.JavaMonitorWait, jdk.ThreadPark, threshold 0 ms,"
            + " stack traces). async-profiler: -agentpath:libasyncProfiler.so=start,event=lock,"
            + "lock=0,jfr,file=… (tools.profiler:async-profiler from Maven Central). gil4j:"
            + " -javaagent:"
            + run.agent().getFileName()
            + "=gil=off[,jfr=FILE] (profile=on, report=stderr: the defaults).");
    o.println(
        "recorded: events in the recording by type (gil4j.*: all of gil4j's; other: JFR's default"
            + " profile under jfr=FILE), and the waits gil4j's exit report counted in its"
            + " per-site histograms (every wait, however short).");
    for (Jdk jdk : run.jdks()) {
      Medians base = medians(jdk, Config.NONE);
      Medians gil4j = medians(jdk, Config.GIL4J);
      Medians jfr = medians(jdk, Config.JFR);
      if (base == null || gil4j == null) {
        o.printf("Goals, JDK %s: not measured%n", jdk.version());
        continue;
      }
      double ratio = gil4j.workload / base.workload;
      // A verdict on 5% needs runs that agree to better than that: say so when they do not.
      double spread = base.worst / base.best - 1;
      String caveat =
          spread > 2 * (GOAL - 1)
              ? String.format(
                  Locale.ROOT,
                  " — inconclusive: the runs without an agent alone spread %.0f%%",
                  spread * 100)
              : "";
      o.printf(
          Locale.ROOT,
          "Goal: gil4j (gil=off, defaults) within 5%% of no agent — JDK %s: %.2fx (best %.2fx), %s;"
              + " no worse than JFR's own lock events (%s): %s%s%n",
          jdk.version(),
          ratio,
          gil4j.best / base.best,
          ratio <= GOAL ? "met" : "missed",
          jfr == null ? "—" : String.format(Locale.ROOT, "%.2fx", jfr.workload / base.workload),
          jfr == null ? "not measured" : gil4j.workload <= jfr.workload ? "met" : "missed",
          caveat);
    }
  }

  /** The medians of one configuration's runs, and the records of its median run. */
  private record Medians(
      double workload,
      double best,
      double worst,
      String spread,
      double cpu,
      double process,
      String records) {}

  private Medians medians(Jdk jdk, Config config) {
    List<Result> rs = results.get(jdk.version() + "|" + config);
    if (rs == null || rs.isEmpty()) {
      return null;
    }
    List<Double> workloads = rs.stream().map(Result::workloadMs).toList();
    double workload = Figure.median(workloads);
    Result closest = rs.get(0);
    for (Result r : rs) {
      if (Math.abs(r.workloadMs() - workload) < Math.abs(closest.workloadMs() - workload)) {
        closest = r;
      }
    }
    List<String> records = new ArrayList<>();
    closest.records().forEach((type, n) -> records.add(type + " " + n));
    double best = workloads.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
    double worst = workloads.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
    return new Medians(
        workload,
        best,
        worst,
        "(" + Figure.number(best) + "–" + Figure.number(worst) + ")",
        Figure.median(rs.stream().map(Result::cpuMs).toList()),
        Figure.median(rs.stream().map(Result::processMs).toList()),
        records.isEmpty() ? "—" : String.join(", ", records));
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

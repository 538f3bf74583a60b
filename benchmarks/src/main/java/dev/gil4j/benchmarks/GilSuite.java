package dev.gil4j.benchmarks;

import dev.gil4j.benchmarks.internal.Figure;
import dev.gil4j.benchmarks.internal.Jmh;
import dev.gil4j.benchmarks.internal.Machine;
import dev.gil4j.benchmarks.internal.Run;
import dev.gil4j.benchmarks.internal.TextTable;
import dev.gil4j.testkit.Child;
import dev.gil4j.testkit.ChildRun;
import dev.gil4j.testkit.Jdk;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;

/**
 * The {@code gil} suite: what the GIL costs, measured on every given JDK, in two tables, each
 * figure set against a baseline measured in the same run:
 *
 * <ol>
 *   <li>what a checkpoint costs one thread: each loop of {@link LatencyBoundLoop}, {@link
 *       VectorizableLoops}, {@link CallingLoop} and {@link UncontendedMonitor} without the agent,
 *       under the agent ({@code gil=on}, default options), and as the naive volatile control
 *       without the agent;
 *   <li>GIL hand-off latency ({@link PingPong}) with no agent, {@code gil=off} and {@code gil=on},
 *       beside CPython's ({@code pingpong.py}) when a Python is given;
 *   <li>what a forced switch between two CPU-bound threads costs ({@link SwitchGap}) under {@code
 *       gil=on} at two switch intervals, beside CPython's ({@code switch_gap.py}).
 * </ol>
 *
 * <p>Before the tables it runs {@link WeavingCheck} on each JDK, which says whether the agent wove
 * checkpoints into this package at all; without them the gil4j column measures unchanged code.
 *
 * <p>Every forked JVM has a hard time limit: JMH's forks through {@link
 * dev.gil4j.benchmarks.internal.ForkWatch}, the others through {@link Child}; a JVM over its limit
 * has its threads dumped into the output directory and is killed, and its cell says so. JMH's own
 * output and every child's output are kept there too. Progress goes to stderr. Run by {@link
 * RunAll}.
 */
final class GilSuite {
  private static final String PACKAGE = GilSuite.class.getPackageName() + ".";
  private static final double GOAL = 1.05;
  private static final Pattern HAND_OFFS = Pattern.compile("hand-offs\\s+(\\d+)");

  /** One loop shape: its table label, its plain benchmark and its naive control. */
  private record Kernel(String label, String plain, String naive) {}

  private static final List<Kernel> KERNELS =
      List.of(
          new Kernel(
              "a  LCG chain, 4096 steps", "LatencyBoundLoop.lcg", "LatencyBoundLoop.lcgNaive"),
          new Kernel("b  s += a[i], 4096", "VectorizableLoops.sum", "VectorizableLoops.sumNaive"),
          new Kernel(
              "b  s += a[i] * b[i], 4096", "VectorizableLoops.dot", "VectorizableLoops.dotNaive"),
          new Kernel(
              "b  c[i] = a[i] + b[i], 4096", "VectorizableLoops.add", "VectorizableLoops.addNaive"),
          new Kernel(
              "b  same, int[16][256], nested",
              "VectorizableLoops.add2d",
              "VectorizableLoops.add2dNaive"),
          new Kernel("c  s += item.price(), 4096", "CallingLoop.total", "CallingLoop.totalNaive"),
          new Kernel(
              "d  synchronized, uncontended",
              "UncontendedMonitor.block",
              "UncontendedMonitor.blockNaive"));

  /** One way to hand over, in Java and in CPython. */
  private record Handover(String key, String label) {}

  private static final List<Handover> HANDOVERS =
      List.of(
          new Handover("wake", "wake: park/unpark | 2 Locks"),
          new Handover("monitor", "monitor: wait/notify | Condition"),
          new Handover("queue", "queue: SynchronousQueue | queue.Queue"));

  private static final List<String> PING_PONG_MODES = List.of("no agent", "gil=off", "gil=on");

  /** The switch intervals of {@link SwitchGap}, as gil4j's option and as CPython's seconds. */
  private static final List<String> SWITCH_INTERVALS = List.of("5ms", "1ms");

  private static final List<String> GAP_FIGURES =
      List.of(
          "switch_gap_switches_per_s",
          "switch_gap_median_us",
          "switch_gap_p90_us",
          "switch_gap_lost_pct");

  private final Run run;
  private final Path agent;
  private final Path jar;
  private final List<Jdk> jdks;
  private final Path out;
  private final Jmh jmh;

  /** CPU ns/op and wall-clock ns/op of every measured iteration, by JDK, mode and benchmark. */
  private final Map<String, List<Double>> cpu = new LinkedHashMap<>();

  private final Map<String, List<Double>> wall = new LinkedHashMap<>();
  private final Map<String, String> notes = new LinkedHashMap<>();
  private final Map<String, String> failures = new LinkedHashMap<>();
  private int jmhRunsDone;
  private int jmhRunsTotal;

  GilSuite(Run run) throws IOException {
    this.run = run;
    this.agent = run.agent();
    this.jar = run.jar();
    this.jdks = run.jdks();
    this.out = run.out().resolve("gil");
    this.jmh = new Jmh(out, run.quick());
  }

  /** Measures everything, then prints the tables on {@code o}. */
  void run(PrintStream o) throws IOException, InterruptedException {
    String loadBefore = Machine.loadAverage();
    Map<Jdk, String> woven = new LinkedHashMap<>();
    Map<Jdk, String> agentLine = new LinkedHashMap<>();
    for (Jdk jdk : jdks) {
      checkWeaving(jdk, woven, agentLine);
    }
    jmhRunsTotal = jdks.size() * KERNELS.size() * (2 * run.forks() + 1);
    for (Jdk jdk : jdks) {
      for (int fork = 0; fork < run.forks(); fork++) {
        for (Kernel k : KERNELS) {
          measure(jdk, k.plain(), false);
          measure(jdk, k.plain(), true);
        }
      }
      for (Kernel k : KERNELS) {
        measure(jdk, k.naive(), false);
      }
    }
    Map<String, Double> pingPong = new LinkedHashMap<>();
    for (Jdk jdk : jdks) {
      for (Handover h : HANDOVERS) {
        for (String mode : PING_PONG_MODES) {
          pingPong(jdk, h, mode, pingPong);
        }
      }
    }
    String cpython = pythonPingPong(pingPong);
    Map<String, Map<String, Double>> gaps = new LinkedHashMap<>();
    for (String interval : SWITCH_INTERVALS) {
      for (Jdk jdk : jdks) {
        switchGap(jdk, interval, gaps);
      }
      pythonSwitchGap(interval, gaps);
    }
    jmh.close();

    o.println();
    Machine.printHeader(o, "gil4j benchmarks: the GIL's own cost", loadBefore);
    o.println("agent: " + agent);
    for (Jdk jdk : jdks) {
      o.printf("  JDK %s: %s%n", jdk.version(), agentLine.get(jdk));
      o.printf(
          "  JDK %s: checkpoints woven into %s*: %s%n", jdk.version(), PACKAGE, woven.get(jdk));
    }
    o.println();
    printCheckpointTable(o);
    o.println();
    printPingPongTable(o, pingPong, cpython);
    o.println();
    printSwitchGapTable(o, gaps, cpython);
    for (String note : notes.values()) {
      o.println(note);
    }
  }

  private void checkWeaving(Jdk jdk, Map<Jdk, String> woven, Map<Jdk, String> agentLine)
      throws IOException, InterruptedException {
    System.err.printf("JDK %s: does the agent weave %s*? (WeavingCheck)%n", jdk.version(), PACKAGE);
    ChildRun c =
        Run.child(
            List.of(
                jdk.java().toString(),
                "-javaagent:" + agent,
                "-cp",
                jar.toString(),
                WeavingCheck.class.getName()),
            out.resolve("weaving-check-" + jdk.version()),
            Duration.ofSeconds(60));
    List<String> lines = c.stderrLines().stream().filter(l -> l.startsWith("gil4j: ")).toList();
    agentLine.put(jdk, lines.isEmpty() ? "(the agent printed no start line)" : lines.get(0));
    Double ms = c.figures().get("gil_return_ms");
    Double max = c.figures().get("gil_return_max_ms");
    String verdict;
    if (!c.succeeded() || ms == null || max == null) {
      verdict = "unknown: WeavingCheck " + orFailed(c.failure()) + ", see " + c.stderrLog();
    } else if (max >= WeavingCheck.WORKER_MS / 2.0) {
      verdict =
          String.format(
              Locale.ROOT,
              "NO: a computing thread kept the GIL for %.0f ms, to the end of its loop; the agent"
                  + " left this package alone, so the gil4j column measures unchanged code",
              max);
    } else if (ms < 2.5) {
      verdict =
          String.format(
              Locale.ROOT,
              "unknown: main waited only %.2f ms (median) to re-take the GIL from a computing"
                  + " thread, so no GIL was in force between them",
              ms);
    } else {
      verdict =
          String.format(
              Locale.ROOT,
              "yes (a computing thread gave the GIL back to main after %.1f ms; the switch"
                  + " interval is 5 ms)",
              ms);
    }
    woven.put(jdk, verdict);
  }

  private static String orFailed(String failure) {
    return failure.isEmpty() ? "printed no figure" : "failed (" + failure + ")";
  }

  private void measure(Jdk jdk, String benchmark, boolean withAgent) {
    jmhRunsDone++;
    String mode = withAgent ? "gil4j" : "no agent";
    System.err.printf(
        "[%d/%d] JDK %s, %s: %s ... ", jmhRunsDone, jmhRunsTotal, jdk.version(), mode, benchmark);
    ChainedOptionsBuilder options = jmh.options(jdk, benchmark);
    if (withAgent) {
      options.jvmArgsAppend("-javaagent:" + agent);
    }
    String key = key(jdk, mode, benchmark);
    Jmh.Scores scores = jmh.run(options.build());
    cpu.computeIfAbsent(key, k -> new ArrayList<>()).addAll(scores.cpu());
    wall.computeIfAbsent(key, k -> new ArrayList<>()).addAll(scores.wall());
    Figure f = Figure.of(scores.cpu());
    System.err.println(f == null ? "FAILED (see jmh.log)" : ns(f.best()) + " ns/op (CPU)");
  }

  private static String key(Jdk jdk, String mode, String benchmark) {
    return jdk.version() + "|" + mode + "|" + benchmark;
  }

  private void printCheckpointTable(PrintStream o) {
    o.println(
        "1. What a checkpoint costs one thread: CPU time of the benchmark thread in ns per call"
            + " (best, and +how far the median lies above it); ratio = against no agent, same JDK,"
            + " same run");
    TextTable t =
        new TextTable(
            2,
            "loop",
            "JDK",
            "no agent",
            "gil4j (gil=on)",
            "ratio",
            "naive volatile",
            "ratio",
            "wall-clock ratios");
    boolean over = false;
    for (Kernel k : KERNELS) {
      for (Jdk jdk : jdks) {
        String base = key(jdk, "no agent", k.plain());
        String gil = key(jdk, "gil4j", k.plain());
        String naive = key(jdk, "no agent", k.naive());
        String gilRatio = ratio(cpu, gil, base);
        Figure b = Figure.of(cpu.get(base));
        Figure g = Figure.of(cpu.get(gil));
        if (b != null && g != null && g.best() / b.best() > GOAL) {
          gilRatio += "*";
          over = true;
        }
        t.row(
            k.label(),
            jdk.version(),
            withNoise(b),
            withNoise(g),
            gilRatio,
            withNoise(Figure.of(cpu.get(naive))),
            ratio(cpu, naive, base),
            ratio(wall, gil, base) + ", " + ratio(wall, naive, base));
      }
    }
    t.print(o);
    o.printf(
        "gil4j = -javaagent:%s, default options (gil=on): the benchmark thread holds the GIL but"
            + " at the end of each JMH iteration, when JMH's main thread takes it back.%n",
        agent.getFileName());
    o.println(
        "naive volatile = the same loop with a static volatile boolean read at every iteration,"
            + " no agent (the control).");
    o.printf(
        "Each cell: the best of %d iterations of 100 ms in each of %d fork(s) (naive: 1 fork), and"
            + " how far their median lies above it (noise). Goal for gil4j: ratio <= %.2f%s%n",
        jmh.iterations(), run.forks(), GOAL, over ? "; * marks a loop over the goal." : ".");
    o.println(
        "wall-clock ratios = gil4j and naive against no agent by elapsed time (best iterations);"
            + " they agree with the CPU ratios when nothing else competed for the CPUs.");
  }

  /**
   * One variant in one mode, in its own JVM, so that a hang costs one cell. Under {@code gil=on}
   * also keeps the agent's count of GIL switches per round trip.
   */
  private void pingPong(Jdk jdk, Handover h, String mode, Map<String, Double> results)
      throws IOException, InterruptedException {
    System.err.printf("JDK %s, %s: PingPong %s ... ", jdk.version(), mode, h.key());
    List<String> cmd = new ArrayList<>(List.of(jdk.java().toString(), "-Xms256m", "-Xmx256m"));
    if (mode.equals("gil=on")) {
      cmd.add("-javaagent:" + agent);
    } else if (mode.equals("gil=off")) {
      cmd.add("-javaagent:" + agent + "=gil=off");
    }
    cmd.addAll(List.of("-cp", jar.toString(), PingPong.class.getName(), "--variants", h.key()));
    cmd.addAll(pingPongArgs());
    String name =
        "pingpong-"
            + jdk.version()
            + "-"
            + h.key()
            + "-"
            + mode.replace(' ', '-').replace('=', '-');
    ChildRun c = Run.child(cmd, out.resolve(name), Duration.ofSeconds(45));
    Map<String, Double> m = c.figures();
    String cell = jdk.version() + "|" + mode + "|" + h.key();
    Double v = m.get("pingpong_" + h.key() + "_round_trip_us");
    if (v != null) {
      results.put(cell, v);
    }
    if (!c.succeeded()) {
      failures.put(cell, c.failure());
      notes.put(
          name,
          String.format(
              "JDK %s, %s, %s: PingPong %s; see %s",
              jdk.version(), mode, h.key(), orFailed(c.failure()), out.resolve(name) + ".*"));
    }
    if (mode.equals("gil=on") && m.containsKey("pingpong_round_trips")) {
      Matcher switches = HAND_OFFS.matcher(c.stderr());
      if (switches.find()) {
        results.put(
            cell + "|switches", Long.parseLong(switches.group(1)) / m.get("pingpong_round_trips"));
      }
    }
    System.err.println(c.succeeded() ? "done" : "FAILED (" + c.failure() + ")");
  }

  private List<String> pingPongArgs() {
    return run.quick()
        ? List.of("--batches", "3", "--batch-ms", "50")
        : List.of("--batches", "9", "--batch-ms", "100");
  }

  /** Runs pingpong.py; returns CPython's version, or null if no Python was run. */
  private String pythonPingPong(Map<String, Double> results)
      throws IOException, InterruptedException {
    if (!run.hasPython()) {
      return null;
    }
    Path pingPongPy = run.scripts().resolve("pingpong.py");
    System.err.printf("%s %s ... ", run.python(), pingPongPy);
    List<String> cmd = new ArrayList<>(List.of(run.python(), pingPongPy.toString()));
    cmd.addAll(pingPongArgs());
    ChildRun c;
    try {
      c = Run.child(cmd, out.resolve("pingpong-cpython"), Duration.ofSeconds(150));
    } catch (UncheckedIOException e) {
      System.err.println("not run (" + e.getCause().getMessage() + ")");
      notes.put(
          "python", "CPython: not run (" + run.python() + ": " + e.getCause().getMessage() + ").");
      return null;
    }
    Map<String, Double> m = c.figures();
    for (Handover h : HANDOVERS) {
      Double v = m.get("pingpong_" + h.key() + "_round_trip_us");
      if (v != null) {
        results.put("cpython|" + h.key(), v);
      }
    }
    if (!c.succeeded()) {
      notes.put(
          "python",
          String.format("CPython: pingpong.py %s; see %s", orFailed(c.failure()), c.stderrLog()));
    }
    System.err.println(c.succeeded() ? "done" : "FAILED (" + c.failure() + ")");
    List<String> runtime = c.stdoutLines().stream().filter(l -> l.startsWith("runtime ")).toList();
    return runtime.isEmpty() ? "CPython" : runtime.get(0).substring("runtime ".length());
  }

  private List<String> switchGapArgs() {
    return run.quick()
        ? List.of("--seconds", "1", "--warm-up", "0.5")
        : List.of("--seconds", "2", "--warm-up", "1");
  }

  /** {@link SwitchGap} under {@code gil=on,switch=interval}, in its own JVM. */
  private void switchGap(Jdk jdk, String interval, Map<String, Map<String, Double>> results)
      throws IOException, InterruptedException {
    System.err.printf("JDK %s, gil=on,switch=%s: SwitchGap ... ", jdk.version(), interval);
    List<String> cmd =
        new ArrayList<>(
            List.of(
                jdk.java().toString(),
                "-javaagent:" + agent + "=switch=" + interval + ",report=off",
                "-cp",
                jar.toString(),
                SwitchGap.class.getName()));
    cmd.addAll(switchGapArgs());
    String name = "switch-gap-" + jdk.version() + "-" + interval;
    keepGaps(
        Run.child(cmd, out.resolve(name), Duration.ofSeconds(45)),
        jdk.version(),
        interval,
        name,
        results);
  }

  /** {@code switch_gap.py} at {@code interval}, when a Python is given. */
  private void pythonSwitchGap(String interval, Map<String, Map<String, Double>> results)
      throws IOException, InterruptedException {
    if (!run.hasPython()) {
      return;
    }
    Path script = run.scripts().resolve("switch_gap.py");
    System.err.printf("%s %s at %s ... ", run.python(), script, interval);
    double seconds = Double.parseDouble(interval.replace("ms", "")) / 1e3;
    List<String> cmd =
        new ArrayList<>(
            List.of(
                run.python(), script.toString(), "--switch-interval", Double.toString(seconds)));
    cmd.addAll(switchGapArgs());
    String name = "switch-gap-cpython-" + interval;
    ChildRun c;
    try {
      c = Run.child(cmd, out.resolve(name), Duration.ofSeconds(150));
    } catch (UncheckedIOException e) {
      System.err.println("not run (" + e.getCause().getMessage() + ")");
      return;
    }
    keepGaps(c, "CPython", interval, name, results);
  }

  private void keepGaps(
      ChildRun c,
      String side,
      String interval,
      String name,
      Map<String, Map<String, Double>> results) {
    Map<String, Double> m = new LinkedHashMap<>();
    for (String figure : GAP_FIGURES) {
      Double v = c.figures().get(figure);
      if (v != null) {
        m.put(figure, v);
      }
    }
    results.put(side + "|" + interval, m);
    if (!c.succeeded()) {
      failures.put(side + "|" + interval, c.failure());
      notes.put(
          name,
          String.format(
              "%s, switch=%s: SwitchGap %s; see %s",
              side, interval, orFailed(c.failure()), out.resolve(name) + ".*"));
    }
    System.err.println(c.succeeded() ? "done" : "FAILED (" + c.failure() + ")");
  }

  private void printSwitchGapTable(
      PrintStream o, Map<String, Map<String, Double>> r, String cpython) {
    o.println(
        "2b. What a forced switch costs two CPU-bound threads: from the holder's last instruction"
            + " before the switch to its successor's first after it (median and p90 in µs), lower"
            + " is better");
    String py = cpython == null ? "CPython" : cpython;
    TextTable t =
        new TextTable(
            2,
            "switch",
            "runtime",
            "switches/s",
            "median",
            "p90",
            "time lost",
            "median vs CPython");
    List<String> sides = new ArrayList<>();
    for (Jdk jdk : jdks) {
      sides.add(jdk.version());
    }
    sides.add("CPython");
    for (String interval : SWITCH_INTERVALS) {
      Double pyMedian = r.getOrDefault("CPython|" + interval, Map.of()).get("switch_gap_median_us");
      for (String side : sides) {
        Map<String, Double> m = r.getOrDefault(side + "|" + interval, Map.of());
        Double median = m.get("switch_gap_median_us");
        String failed = failures.getOrDefault(side + "|" + interval, "—");
        t.row(
            interval,
            side.equals("CPython") ? py : "JDK " + side,
            m.containsKey("switch_gap_switches_per_s")
                ? String.format(Locale.ROOT, "%.0f", m.get("switch_gap_switches_per_s"))
                : failed,
            median == null ? "—" : us(median),
            m.containsKey("switch_gap_p90_us") ? us(m.get("switch_gap_p90_us")) : "—",
            m.containsKey("switch_gap_lost_pct")
                ? String.format(Locale.ROOT, "%.1f%%", m.get("switch_gap_lost_pct"))
                : "—",
            side.equals("CPython") || median == null || pyMedian == null
                ? "—"
                : String.format(Locale.ROOT, "%.2fx", median / pyMedian));
      }
    }
    t.print(o);
    o.printf(
        "Each row: two threads spinning on short chunks of work for %s after %s untimed, one JVM"
            + " (or CPython) per row; gil4j under -javaagent:%s=switch=<interval>. A hand-off: a"
            + " gap over 20 µs between one thread's clock readings that the other thread's gap"
            + " spans the start of; time lost = the hand-offs' gaps over the time measured.%n",
        run.quick() ? "1 s" : "2 s", run.quick() ? "0.5 s" : "1 s", agent.getFileName());
  }

  private void printPingPongTable(PrintStream o, Map<String, Double> r, String cpython) {
    o.println(
        "2. GIL hand-off latency, two threads ping-ponging: µs per round trip (= 2 hand-offs),"
            + " lower is better");
    String py = cpython == null ? "CPython" : cpython;
    TextTable t =
        new TextTable(
            2,
            "hand over by: Java | CPython",
            "JDK",
            "no agent",
            "gil=off",
            "gil=on",
            "switches/rt",
            "gil=on /hand-off",
            py,
            py + " /hand-off",
            "gil=on vs CPython");
    for (Handover h : HANDOVERS) {
      Double p = r.get("cpython|" + h.key());
      for (Jdk jdk : jdks) {
        String cell = jdk.version() + "|%s|" + h.key();
        Double on = r.get(cell.formatted("gil=on"));
        Double switches = r.get(cell.formatted("gil=on") + "|switches");
        t.row(
            h.label(),
            jdk.version(),
            us(r, cell.formatted("no agent")),
            us(r, cell.formatted("gil=off")),
            us(r, cell.formatted("gil=on")),
            switches == null ? "—" : String.format(Locale.ROOT, "%.2f", switches),
            on == null ? "—" : us(on / 2),
            p == null ? "—" : us(p),
            p == null ? "—" : us(p / 2),
            on == null || p == null ? "—" : String.format(Locale.ROOT, "%.2fx", on / p));
      }
    }
    t.print(o);
    o.printf(
        "Each cell: median of %s, one JVM per cell. gil=on / gil=off: -javaagent:%s[=gil=off];"
            + " both threads are registered.%n",
        run.quick() ? "3 batches of ~50 ms" : "9 batches of ~100 ms", agent.getFileName());
    o.println(
        "switches/rt: GIL hand-offs to another thread per round trip, from the agent's report; below"
            + " 2 when a blocking call returns at once and its thread re-takes the GIL itself.");
    o.printf("%s: pingpong.py, the same game with threading; /hand-off = round trip / 2.%n", py);
  }

  private String us(Map<String, Double> r, String cell) {
    Double v = r.get(cell);
    return v != null ? us(v) : failures.getOrDefault(cell, "—");
  }

  private static String withNoise(Figure f) {
    return f == null ? "failed" : f.withNoise();
  }

  private static String ns(double v) {
    return Figure.number(v);
  }

  private static String us(double v) {
    return String.format(Locale.ROOT, v < 100 ? "%.1f" : "%.0f", v);
  }

  private static String ratio(Map<String, List<Double>> scores, String key, String baseKey) {
    Figure a = Figure.of(scores.get(key));
    Figure base = Figure.of(scores.get(baseKey));
    return a == null || base == null
        ? "—"
        : String.format(Locale.ROOT, "%.2fx", a.best() / base.best());
  }
}

package dev.gil4j.benchmarks;

import dev.gil4j.benchmarks.internal.Figure;
import dev.gil4j.benchmarks.internal.Machine;
import dev.gil4j.benchmarks.internal.Run;
import dev.gil4j.benchmarks.internal.TextTable;
import dev.gil4j.testkit.ChildRun;
import dev.gil4j.testkit.Jdk;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code startup} suite: what the agent adds to a JVM's start-up, which every {@code scale}
 * run, every {@code multiprocessing} child and {@code Pool} worker, and the demo's process
 * experiment pay. {@link Hello} runs with no agent, with the agent at {@code gil=on} (its defaults)
 * and at {@code gil=off}, and, given {@code --baseline-agent JAR} ({@code GIL4J_BASELINE_AGENT} in
 * {@code run.sh}), with that other agent jar too (an older build: before and after side by side in
 * one run). The configurations take turns, in rotating order, so that a slow patch of the machine
 * does not always hit the same one.
 *
 * <p>Each figure is the median of its runs: the process's elapsed time, as this JVM saw it start
 * and end (including a {@code sh} that starts it, the same for every row), and its CPU time, user
 * and system, from the kernel's accounting of the finished process (its JIT compiler and GC threads
 * included); and the added seconds against no agent on the same JDK. One more run per row counts
 * the classes the JVM loaded ({@code -Xlog:class+load}). Goals it reports against: {@code gil=on}
 * adds at most 0.25 s of elapsed time, {@code gil=off} at most 0.10 s. Run by {@link RunAll}.
 */
final class StartupSuite {
  private static final Duration LIMIT = Duration.ofSeconds(60);
  private static final double GOAL_ON = 0.25;
  private static final double GOAL_OFF = 0.10;

  /** One way to start hello world. */
  private record Config(String label, String agentOption, double goal) {
    String fileName() {
      return label.replaceAll("[^a-z0-9]+", "-");
    }
  }

  /** One run: elapsed and CPU seconds. */
  private record Result(double wall, double cpu) {}

  private final Run run;
  private final Path out;
  private final Map<String, List<Result>> results = new LinkedHashMap<>();
  private final Map<String, Long> classes = new LinkedHashMap<>();
  private final Map<String, String> failures = new LinkedHashMap<>();
  private long ticksPerSecond;

  StartupSuite(Run run) {
    this.run = run;
    this.out = run.out().resolve("startup");
  }

  private List<Config> configs() {
    List<Config> configs = new ArrayList<>();
    configs.add(new Config("no agent", null, Double.NaN));
    configs.add(new Config("gil=on", "-javaagent:" + run.agent(), GOAL_ON));
    configs.add(new Config("gil=off", "-javaagent:" + run.agent() + "=gil=off", GOAL_OFF));
    Path baseline = run.baselineAgent();
    if (baseline != null) {
      configs.add(new Config("baseline gil=on", "-javaagent:" + baseline, GOAL_ON));
      configs.add(new Config("baseline gil=off", "-javaagent:" + baseline + "=gil=off", GOAL_OFF));
    }
    return configs;
  }

  /** Measures everything, then prints the table on {@code o}. */
  void run(PrintStream o) throws IOException, InterruptedException {
    String loadBefore = Machine.loadAverage();
    ticksPerSecond = clockTicks();
    int runs = run.quick() ? 3 : 11;
    List<Config> configs = configs();
    for (Jdk jdk : run.jdks()) {
      System.err.printf("startup: JDK %s, %d runs of each configuration%n", jdk.version(), runs);
      for (int r = 0; r < runs; r++) {
        for (int i = 0; i < configs.size(); i++) {
          runOnce(jdk, configs.get((i + r) % configs.size()), r);
        }
      }
      for (Config c : configs) {
        countClasses(jdk, c);
      }
    }
    o.println();
    Machine.printHeader(o, "gil4j benchmarks: what the agent adds to start-up", loadBefore);
    TextTable t =
        new TextTable(
            2,
            "JDK",
            "configuration",
            "elapsed s",
            "added s",
            "CPU s",
            "added CPU s",
            "classes",
            "goal (added)",
            "met");
    for (Jdk jdk : run.jdks()) {
      Double wall0 = median(jdk, configs.get(0), Result::wall);
      Double cpu0 = median(jdk, configs.get(0), Result::cpu);
      for (Config c : configs) {
        String key = key(jdk, c);
        if (failures.containsKey(key)) {
          t.row(jdk.version(), c.label(), failures.get(key));
          continue;
        }
        Double wall = median(jdk, c, Result::wall);
        Double cpu = median(jdk, c, Result::cpu);
        boolean agent = c.agentOption() != null;
        Double added = agent && wall != null && wall0 != null ? wall - wall0 : null;
        t.row(
            jdk.version(),
            c.label(),
            seconds(wall),
            agent ? signed(added) : "",
            seconds(cpu),
            agent && cpu != null && cpu0 != null ? signed(cpu - cpu0) : "",
            classes.containsKey(key) ? String.format(Locale.ROOT, "%,d", classes.get(key)) : "—",
            agent ? "≤ " + seconds(c.goal()) : "",
            added == null ? "" : added <= c.goal() ? "yes" : "no *");
      }
    }
    t.print(o);
    o.printf(
        "medians of %d runs per row, taking turns; elapsed from this JVM, CPU (user + system, all"
            + " threads) from the kernel%n",
        run.quick() ? 3 : 11);
  }

  private void runOnce(Jdk jdk, Config c, int r) throws IOException, InterruptedException {
    String key = key(jdk, c);
    if (failures.containsKey(key)) {
      return;
    }
    Path log = out.resolve(jdk.version()).resolve(c.fileName() + "-" + r);
    Path stat = Path.of(log + ".stat");
    List<String> command = new ArrayList<>();
    // The shell waits for the JVM, after which the kernel has added its CPU time to the shell's
    // children's times (fields 16 and 17 of /proc/PID/stat), which the shell then writes down.
    command.addAll(
        List.of(
            "sh",
            "-c",
            "f=$1; shift; \"$@\"; rc=$?; read -r s < /proc/$$/stat; echo \"$s\" > \"$f\"; exit $rc",
            "sh",
            stat.toString()));
    command.addAll(java(jdk, c));
    long start = System.nanoTime();
    ChildRun child = Run.child(command, log, LIMIT);
    double wall = (System.nanoTime() - start) / 1e9;
    if (!child.succeeded() || !Files.exists(stat)) {
      failures.put(key, child.succeeded() ? "no CPU time" : child.failure());
      return;
    }
    results.computeIfAbsent(key, k -> new ArrayList<>()).add(new Result(wall, cpu(stat)));
  }

  /** One more run, counting the classes the JVM loaded. */
  private void countClasses(Jdk jdk, Config c) throws IOException, InterruptedException {
    String key = key(jdk, c);
    if (failures.containsKey(key)) {
      return;
    }
    Path log = out.resolve(jdk.version()).resolve(c.fileName() + "-classes");
    Path list = Path.of(log + ".classes");
    List<String> command = new ArrayList<>(java(jdk, c));
    command.add(1, "-Xlog:class+load:file=" + list);
    ChildRun child = Run.child(command, log, LIMIT);
    if (child.succeeded() && Files.exists(list)) {
      try (var lines = Files.lines(list)) {
        classes.put(key, lines.count());
      }
    }
  }

  private List<String> java(Jdk jdk, Config c) {
    List<String> command = new ArrayList<>();
    command.add(jdk.java().toString());
    if (c.agentOption() != null) {
      command.add(c.agentOption());
    }
    command.addAll(List.of("-cp", run.jar().toString(), Hello.class.getName()));
    return command;
  }

  /** The child's CPU seconds, user and system, from the shell's {@code /proc/PID/stat} line. */
  private double cpu(Path stat) throws IOException {
    String line = Files.readString(stat).trim();
    // After "pid (command) ", fields from the third on: cutime is the 16th, cstime the 17th.
    String[] fields = line.substring(line.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(fields[13]) + Long.parseLong(fields[14])) / (double) ticksPerSecond;
  }

  /** The kernel's clock ticks per second, in which {@code /proc} counts CPU time. */
  private long clockTicks() throws IOException, InterruptedException {
    Path log = out.resolve("clock-ticks");
    ChildRun c = Run.child(List.of("getconf", "CLK_TCK"), log, LIMIT);
    try {
      return c.succeeded() ? Long.parseLong(c.stdout().trim()) : 100;
    } catch (NumberFormatException e) {
      return 100;
    }
  }

  private Double median(Jdk jdk, Config c, java.util.function.ToDoubleFunction<Result> f) {
    List<Result> rs = results.get(key(jdk, c));
    if (rs == null || rs.isEmpty()) {
      return null;
    }
    List<Double> values = new ArrayList<>();
    for (Result r : rs) {
      values.add(f.applyAsDouble(r));
    }
    return Figure.median(values);
  }

  private static String key(Jdk jdk, Config c) {
    return jdk.version() + " " + c.label();
  }

  private static String seconds(Double s) {
    return s == null ? "—" : String.format(Locale.ROOT, "%.2f", s);
  }

  private static String signed(Double s) {
    return s == null ? "—" : String.format(Locale.ROOT, "%+.2f", s);
  }
}

package dev.gil4j.lab;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs every {@link FidelityExperiment}: its CPython script, then its Java runs, one after the
 * other so that neither side takes CPU from the other, each with a hard timeout; and pairs up their
 * figures. A failed or hung run costs only its own figures, which stay empty, and the rest goes on;
 * of a script that failed part way, the figures it printed before are kept, each being a
 * configuration measured in full.
 */
final class Fidelity {
  private final FidelityPython python;
  private final Path scripts;
  private final ChildJava java;
  private final Path agentJar;
  private final String classPath;
  private final Path logs;
  private final Duration timeout;
  private final PrintStream err;
  private final List<FidelityResults.RunRecord> records = new ArrayList<>();
  private int step;
  private int steps;

  /**
   * @param scripts the directory the CPython scripts were extracted to
   * @param classPath the sample apps' class path ({@link Bundled#sampleClassPath})
   * @param logs where each run's output goes
   * @param err where progress goes, a line per run
   */
  Fidelity(
      FidelityPython python,
      Path scripts,
      ChildJava java,
      Path agentJar,
      String classPath,
      Path logs,
      Duration timeout,
      PrintStream err) {
    this.python = python;
    this.scripts = scripts;
    this.java = java;
    this.agentJar = agentJar;
    this.classPath = classPath;
    this.logs = logs;
    this.timeout = timeout;
    this.err = err;
  }

  /** Runs the experiments; returns a row per figure, in order. */
  List<FidelityRow> run(List<FidelityExperiment> experiments)
      throws IOException, InterruptedException {
    steps = experiments.stream().mapToInt(e -> 1 + e.javaRounds() * e.runs().size()).sum();
    List<FidelityRow> rows = new ArrayList<>();
    for (FidelityExperiment e : experiments) {
      Map<String, Double> cpython = e.cpython().apply(runScript(e));
      Map<String, List<Map<String, ChildJava.Metric>>> rounds = new LinkedHashMap<>();
      for (int round = 1; round <= e.javaRounds(); round++) {
        for (FidelityExperiment.JavaRun r : e.runs()) {
          String id = e.javaRounds() == 1 ? r.id() : r.id() + "-r" + round;
          rounds.computeIfAbsent(r.id(), k -> new ArrayList<>()).add(runJava(r, id));
        }
      }
      Map<String, Map<String, ChildJava.Metric>> metrics = new LinkedHashMap<>();
      rounds.forEach((id, runs) -> metrics.put(id, fastest(runs)));
      Map<String, Double> gil4j = e.gil4j().apply(metrics);
      e.figures()
          .forEach(
              (id, label) ->
                  rows.add(
                      new FidelityRow(
                          id,
                          e.name(),
                          label,
                          cpython.getOrDefault(id, Double.NaN),
                          gil4j.getOrDefault(id, Double.NaN))));
    }
    return rows;
  }

  /** Every run so far, CPython's and gil4j's, with what went wrong in any. */
  List<FidelityResults.RunRecord> records() {
    return List.copyOf(records);
  }

  private List<Map<String, Object>> runScript(FidelityExperiment e)
      throws IOException, InterruptedException {
    String id = "cpython-" + e.script().replace(".py", "") + suffix(e.scriptArgs());
    String what = String.join(" ", "python3", e.script(), String.join(" ", e.scriptArgs())).trim();
    starting(what);
    FidelityPython.Result r =
        python.run(scripts.resolve(e.script()), e.scriptArgs(), logs.resolve(id), timeout);
    String problem = r.problem();
    if (problem == null && r.objects().isEmpty()) {
      problem = "printed no JSON line (log " + logs.resolve(id + ".out") + ")";
    }
    finished("cpython", id, what, r.wallMs(), problem, logs.resolve(id + ".out"));
    return r.objects();
  }

  /**
   * Each metric's least value over the rounds of one run that printed it, as the script takes its
   * own: the runs with rounds are the CPU-bound ones, whose metrics are times, and a burst of load
   * on the host slows every run it overlaps and speeds none up (on an idle 2-core VM, one of four
   * runs of {@code cpu_scaling.py} had all four configurations slowed, its processes' speedup 1.13x
   * against 1.75–1.80x, and the median of three rounds let such bursts through). A failed round
   * counts for none of them.
   */
  static Map<String, ChildJava.Metric> fastest(List<Map<String, ChildJava.Metric>> rounds) {
    Map<String, ChildJava.Metric> fastest = new LinkedHashMap<>();
    for (Map<String, ChildJava.Metric> round : rounds) {
      round.forEach((name, m) -> fastest.merge(name, m, (a, b) -> b.value() < a.value() ? b : a));
    }
    return fastest;
  }

  /** One round of a run, its logs named after {@code id}. */
  private Map<String, ChildJava.Metric> runJava(FidelityExperiment.JavaRun run, String id)
      throws IOException, InterruptedException {
    List<String> args = new ArrayList<>();
    args.add("-javaagent:" + agentJar + "=" + run.agentOptions());
    args.add("-cp");
    args.add(classPath);
    args.add("dev.gil4j.samples." + run.sample());
    List<String> sampleArgs = new ArrayList<>();
    for (String a : run.args()) {
      sampleArgs.add(withPaths(a));
    }
    args.addAll(sampleArgs);
    String what =
        String.join(" ", run.sample(), String.join(" ", sampleArgs))
            + " under switch="
            + run.switchInterval();
    starting(what);
    ChildJava.Result r = java.run(args, logs.resolve("gil4j-" + id));
    String problem = r.problem();
    if (problem == null && r.metrics().isEmpty()) {
      problem = "printed no gil4j-metric line (log " + r.stdout() + ")";
    }
    finished("gil4j", id, what, r.wallMs(), problem, r.stdout());
    return problem == null ? r.metrics() : Map.of();
  }

  /** {@code arg} with {@link FidelityExperiment#PYTHON} and its script prefix made real paths. */
  private String withPaths(String arg) {
    if (arg.equals(FidelityExperiment.PYTHON)) {
      return python.path().toString();
    }
    if (arg.startsWith(FidelityExperiment.SCRIPT_PREFIX)) {
      return scripts.resolve(arg.substring(FidelityExperiment.SCRIPT_PREFIX.length())).toString();
    }
    return arg;
  }

  private void starting(String what) {
    step++;
    err.printf("gil4j fidelity: [%d/%d] %s ...%n", step, steps, what);
  }

  private void finished(
      String side, String id, String what, double wallMs, String problem, Path log) {
    records.add(
        new FidelityResults.RunRecord(
            side, id, what, wallMs, problem, log, FidelityResults.Machine.loadAverageNow()));
    err.printf(
        Locale.ROOT,
        "gil4j fidelity: [%d/%d] %s in %.1f s%s%n",
        step,
        steps,
        problem == null ? "done" : "FAILED",
        wallMs / 1000,
        problem == null ? "" : ": " + problem);
  }

  private static String suffix(List<String> args) {
    return args.isEmpty() ? "" : "-" + String.join("-", args);
  }
}

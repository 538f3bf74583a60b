package dev.gil4j.lab;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One experiment that {@code fidelity} runs twice: as a CPython reference script, and as its Java
 * twin among gil4j's sample apps in child JVMs under the agent with the GIL on. Both sides do the
 * same work — the same sleeps, switch interval, run time and round trips; for the CPU-bound work,
 * amounts that take each language about as long on one core — and each figure is computed the same
 * way on both sides.
 *
 * @param name the experiment, as the table shows it
 * @param script the CPython script that runs it
 * @param scriptArgs the script's arguments
 * @param javaRounds rounds of the Java runs, each running every run once, in order; a run's metric
 *     is its least over the rounds, as the script computes its own figures where it has rounds
 * @param runs the Java runs, one child JVM each
 * @param figures the rows it fills: their ids, in order, with the table's label for each
 * @param cpython CPython's figures, by row id, from the JSON objects the script printed
 * @param gil4j gil4j's figures, by row id, from each run's metrics (by run id)
 */
record FidelityExperiment(
    String name,
    String script,
    List<String> scriptArgs,
    int javaRounds,
    List<JavaRun> runs,
    Map<String, String> figures,
    Function<List<Map<String, Object>>, Map<String, Double>> cpython,
    Function<Map<String, Map<String, ChildJava.Metric>>, Map<String, Double>> gil4j) {

  /**
   * Countdown steps for {@code cpu_scaling.py}: about half a second on one core (CPython 3.11 on a
   * 2020s x86 machine), half the script's default.
   */
  static final long CPYTHON_CPU_WORK = 20_000_000L;

  /**
   * Rounds of the CPU-bound experiments on both sides — of {@code cpu_scaling.py}, and of the Java
   * runs — each running every configuration once: a figure is the fastest of them. CPython's
   * 2-thread speedup on an idle 2-core machine moved between 0.73 and 1.19 from single runs, and
   * gil4j's between 0.78 and 0.95, more than the 0.1 the two are compared by.
   */
  static final int CPU_ROUNDS = 3;

  /**
   * Generator steps for {@code CpuBound}: about half a second on one core under the agent, where
   * every step passes a checkpoint; half the sample's default.
   */
  static final long JAVA_CPU_WORK = 300_000_000L;

  /**
   * Untimed steps {@code CpuBound}'s threads run first: CPython has no JIT to warm up, and in a
   * fresh JVM the warm-up under the GIL cost two threads some 20% against one (speedup 0.82–0.89 in
   * three runs, 0.88–1.01 after a warm-up of this size).
   */
  static final long JAVA_CPU_WARM_UP = JAVA_CPU_WORK / 5;

  /** {@code io_scaling.py}'s sleeps per thread and their length, which {@code Blocking} repeats. */
  static final int SLEEPS = 50;

  static final double NAP_SECONDS = 0.010;

  /**
   * The convoy's round trips per phase, on both sides, and the limit on each phase's time: about a
   * second alone, where {@code convoy.py}'s own 2000 took a tenth of one, long enough for a burst
   * of activity on the machine to change the rate.
   */
  static final int ROUND_TRIPS = 20_000;

  static final String CONVOY_TIME = "10s";

  /** {@code locks.py}'s operations per shape and run, about 2 µs of work each. */
  static final int LOCK_OPS = 200_000;

  /** How long the two threads of {@code switch_runs.py} spin. */
  static final String SWITCH_RUN_TIME = "2s";

  /**
   * In a {@link JavaRun}'s arguments, the python3 that runs CPython's side, and the prefix of the
   * path of one of its scripts ({@code SCRIPT_PREFIX + "convoy.py"}); {@link Fidelity} puts in the
   * real paths.
   */
  static final String PYTHON = "{python}";

  static final String SCRIPT_PREFIX = "{script}";

  /** What {@code --only} accepts, in the order the experiments run. */
  static final List<String> KEYS = List.of("cpu", "overlap", "handoffs", "convoy", "locks");

  /**
   * One child JVM: a sample app with its arguments under the agent with the GIL on.
   *
   * @param id names its logs and its figures
   * @param switchInterval the agent's {@code switch=} option
   * @param sample the sample's simple class name in {@code dev.gil4j.samples}
   * @param args its arguments
   */
  record JavaRun(String id, String switchInterval, String sample, List<String> args) {
    /** The agent options: the GIL on, this switch interval, no exit report. */
    String agentOptions() {
      return "gil=on,switch=" + switchInterval + ",report=off";
    }
  }

  /** The experiments, in the order they run. */
  static List<FidelityExperiment> all() {
    return select(KEYS);
  }

  /** The experiments of the given keys ({@link #KEYS}), in the order they run. */
  static List<FidelityExperiment> select(Collection<String> keys) {
    List<FidelityExperiment> selected = new ArrayList<>();
    for (String key : KEYS) {
      if (!keys.contains(key)) {
        continue;
      }
      switch (key) {
        case "cpu" -> selected.addAll(List.of(cpuScaling(), cpuThreadsAt1ms()));
        case "overlap" -> selected.add(blockingOverlap());
        case "handoffs" -> selected.addAll(List.of(handOffs("5ms"), handOffs("1ms")));
        case "convoy" -> selected.add(convoy());
        case "locks" -> selected.add(locks());
        default -> throw new IllegalArgumentException("no experiment '" + key + "'");
      }
    }
    return selected;
  }

  private static FidelityExperiment cpuScaling() {
    return new FidelityExperiment(
        "cpu scaling",
        "cpu_scaling.py",
        List.of(Long.toString(CPYTHON_CPU_WORK), Integer.toString(CPU_ROUNDS)),
        CPU_ROUNDS,
        List.of(
            cpuThreads("cpu", "5ms", 1),
            cpuThreads("cpu", "5ms", 2),
            cpuThreads("cpu", "5ms", 4),
            new JavaRun(
                "cpu-processes2",
                "5ms",
                "CpuBound",
                List.of(
                    "--threads",
                    "2",
                    "--work",
                    Long.toString(JAVA_CPU_WORK),
                    "--workers",
                    "processes"))),
        ordered(
            "cpu.threads2.speedup", "2 threads speedup (x)",
            "cpu.threads4.speedup", "4 threads speedup (x)",
            "cpu.processes2.speedup", "2 processes speedup (x)"),
        objects -> cpuScalingOfCpython("cpu", objects),
        runs -> cpuScalingOfGil4j("cpu", List.of("threads2", "threads4", "processes2"), runs));
  }

  /**
   * CPU-bound threads switching every millisecond: five times the hand-offs of the default
   * interval, so that what a hand-off costs shows. Processes do not switch and are left out.
   */
  private static FidelityExperiment cpuThreadsAt1ms() {
    return new FidelityExperiment(
        "cpu scaling at switch=1ms",
        "cpu_scaling.py",
        List.of(Long.toString(CPYTHON_CPU_WORK), Integer.toString(CPU_ROUNDS), "0.001", "threads"),
        CPU_ROUNDS,
        List.of(
            cpuThreads("cpu1ms", "1ms", 1),
            cpuThreads("cpu1ms", "1ms", 2),
            cpuThreads("cpu1ms", "1ms", 4)),
        ordered(
            "cpu1ms.threads2.speedup", "2 threads speedup (x)",
            "cpu1ms.threads4.speedup", "4 threads speedup (x)"),
        objects -> cpuScalingOfCpython("cpu1ms", objects),
        runs -> cpuScalingOfGil4j("cpu1ms", List.of("threads2", "threads4"), runs));
  }

  /**
   * {@code CpuBound} on {@code n} threads at {@code switchInterval}, timed after its warm-up: run
   * {@code PREFIX-threadsN}.
   */
  private static JavaRun cpuThreads(String prefix, String switchInterval, int n) {
    return new JavaRun(
        prefix + "-threads" + n,
        switchInterval,
        "CpuBound",
        List.of(
            "--threads",
            Integer.toString(n),
            "--work",
            Long.toString(JAVA_CPU_WORK),
            "--warm-up",
            Long.toString(JAVA_CPU_WARM_UP)));
  }

  /**
   * The script's own speedups: one thread's wall time over N threads' or N processes', named {@code
   * PREFIX.threadsN.speedup} and {@code PREFIX.processesN.speedup}.
   */
  static Map<String, Double> cpuScalingOfCpython(String prefix, List<Map<String, Object>> objects) {
    Map<String, Double> figures = new LinkedHashMap<>();
    for (Map<String, Object> o : objects) {
      String mode = String.valueOf(o.get("mode"));
      String key = prefix + "." + mode + (long) number(o, "n") + ".speedup";
      figures.put(key, number(o, "speedup"));
    }
    return figures;
  }

  /**
   * One thread's {@code wall_ms} (run {@code PREFIX-threads1}) over that of each of the {@code
   * compared} runs ({@code PREFIX-threads2}, …), each from a JVM of its own: {@code
   * PREFIX.threads2.speedup}, ….
   */
  static Map<String, Double> cpuScalingOfGil4j(
      String prefix, List<String> compared, Map<String, Map<String, ChildJava.Metric>> runs) {
    double one = metric(runs, prefix + "-threads1", "wall_ms");
    Map<String, Double> figures = new LinkedHashMap<>();
    for (String run : compared) {
      figures.put(
          prefix + "." + run + ".speedup", one / metric(runs, prefix + "-" + run, "wall_ms"));
    }
    return figures;
  }

  private static FidelityExperiment blockingOverlap() {
    return new FidelityExperiment(
        "blocking overlap",
        "io_scaling.py",
        List.of(),
        1,
        List.of(sleepers(2), sleepers(4), sleepers(8)),
        ordered(
            "sleep.threads2.overlap", "2 threads overlap (x)",
            "sleep.threads4.overlap", "4 threads overlap (x)",
            "sleep.threads8.overlap", "8 threads overlap (x)"),
        FidelityExperiment::overlapOfCpython,
        FidelityExperiment::overlapOfGil4j);
  }

  private static JavaRun sleepers(int threads) {
    return new JavaRun(
        "sleep-threads" + threads,
        "5ms",
        "Blocking",
        List.of("--mode", "sleep", "--threads", Integer.toString(threads), "--ops", "" + SLEEPS));
  }

  /**
   * N threads' sleeping time over the wall time they took: N × 50 × 10 ms / wall, as {@code
   * Blocking} computes its {@code throughput_x} (the script's own {@code throughput_x} divides by
   * one thread's measured wall time instead, which counts each sleep's overshoot).
   */
  static Map<String, Double> overlapOfCpython(List<Map<String, Object>> objects) {
    Map<String, Double> figures = new LinkedHashMap<>();
    for (Map<String, Object> o : objects) {
      long n = (long) number(o, "n");
      figures.put("sleep.threads" + n + ".overlap", n * SLEEPS * NAP_SECONDS / number(o, "wall_s"));
    }
    return figures;
  }

  static Map<String, Double> overlapOfGil4j(Map<String, Map<String, ChildJava.Metric>> runs) {
    Map<String, Double> figures = new LinkedHashMap<>();
    for (int n : new int[] {2, 4, 8}) {
      figures.put(
          "sleep.threads" + n + ".overlap", metric(runs, "sleep-threads" + n, "throughput_x"));
    }
    return figures;
  }

  private static FidelityExperiment handOffs(String interval) {
    String key = "switch" + interval;
    double seconds = Double.parseDouble(interval.replace("ms", "")) / 1000;
    return new FidelityExperiment(
        "hand-offs at switch=" + interval,
        "switch_runs.py",
        List.of(Double.toString(seconds)),
        1,
        List.of(
            new JavaRun(
                "switch-" + interval,
                interval,
                "SwitchRuns",
                List.of("--duration", SWITCH_RUN_TIME))),
        ordered(
            key + ".switches_per_s", "switches/s",
            key + ".median_run_ms", "median run (ms)"),
        objects -> handOffsOfCpython(key, objects),
        runs -> handOffsOfGil4j(key, "switch-" + interval, runs));
  }

  /** The script's switches per second and median run, under {@code key}. */
  static Map<String, Double> handOffsOfCpython(String key, List<Map<String, Object>> objects) {
    Map<String, Double> figures = new LinkedHashMap<>();
    for (Map<String, Object> o : objects) {
      figures.put(key + ".switches_per_s", number(o, "switches_per_s"));
      figures.put(key + ".median_run_ms", number(o, "median_run_ms"));
    }
    return figures;
  }

  static Map<String, Double> handOffsOfGil4j(
      String key, String run, Map<String, Map<String, ChildJava.Metric>> runs) {
    Map<String, Double> figures = new LinkedHashMap<>();
    figures.put(key + ".switches_per_s", metric(runs, run, "switches_per_s"));
    figures.put(key + ".median_run_ms", metric(runs, run, "median_run_ms"));
    return figures;
  }

  private static FidelityExperiment convoy() {
    return new FidelityExperiment(
        "convoy",
        "convoy.py",
        List.of(Integer.toString(ROUND_TRIPS)),
        1,
        List.of(
            new JavaRun(
                "convoy",
                "5ms",
                "Convoy",
                List.of(
                    "--count",
                    Integer.toString(ROUND_TRIPS),
                    "--time",
                    CONVOY_TIME,
                    "--cpython-server",
                    SCRIPT_PREFIX + "convoy.py",
                    "--python",
                    PYTHON))),
        ordered(
            "convoy.slowdown", "slowdown beside a CPU thread (x)",
            "convoy.beside_per_s", "round trips/s beside a CPU thread",
            "convoy.alone_per_s", "round trips/s alone"),
        FidelityExperiment::convoyOfCpython,
        FidelityExperiment::convoyOfGil4j);
  }

  /**
   * Round trips per second alone over those beside the CPU-bound thread, from the script's rates
   * rather than its {@code slowdown_x}, which it rounds to one decimal; and the two rates. The rate
   * beside the CPU thread is the GIL's doing: about one switch interval per round trip on both
   * sides. The rate alone is not: against its own echo server, Java's client turned a round trip
   * around 1.4–2.6x faster than CPython's on an idle 2-core VM, mostly the Java server's speed,
   * which alone made the slowdown of the same convoy that much larger. So gil4j's {@code Convoy}
   * echoes with CPython's server from {@code convoy.py --serve}.
   */
  static Map<String, Double> convoyOfCpython(List<Map<String, Object>> objects) {
    Map<String, Double> figures = new LinkedHashMap<>();
    for (Map<String, Object> o : objects) {
      double alone = number(o, "round_trips_per_s_alone");
      double beside = number(o, "round_trips_per_s_beside_cpu_thread");
      figures.put("convoy.slowdown", alone / beside);
      figures.put("convoy.beside_per_s", beside);
      figures.put("convoy.alone_per_s", alone);
    }
    return figures;
  }

  static Map<String, Double> convoyOfGil4j(Map<String, Map<String, ChildJava.Metric>> runs) {
    Map<String, Double> figures = new LinkedHashMap<>();
    figures.put("convoy.slowdown", metric(runs, "convoy", "slowdown_x"));
    figures.put(
        "convoy.beside_per_s", metric(runs, "convoy", "round_trips_per_s_beside_cpu_thread"));
    figures.put("convoy.alone_per_s", metric(runs, "convoy", "round_trips_per_s_alone"));
    return figures;
  }

  /**
   * Lock contention: the same locked operations on 1 and 4 threads, per shape of locking, with the
   * share of time spent holding each lock at 1 thread on both sides, so that the two workloads can
   * be seen to be alike. Java's {@code synchronized} version of the nested shape is compared with
   * CPython's nested {@code threading.Lock}s, CPython having no monitors.
   */
  private static FidelityExperiment locks() {
    return new FidelityExperiment(
        "lock contention",
        "locks.py",
        List.of(Integer.toString(LOCK_OPS)),
        1,
        List.of(
            new JavaRun(
                "locks",
                "5ms",
                "Locks",
                List.of("--ops", Integer.toString(LOCK_OPS), "--threads", "4"))),
        ordered(
            "locks.lock.speedup", "one lock: 4 threads vs 1 (x)",
            "locks.lock.held_lock", "one lock: held at 1 thread (share)",
            "locks.rw.speedup", "readers-writer: 4 threads vs 1 (x)",
            "locks.rw.held_read", "readers-writer: read held at 1 thread (share)",
            "locks.rw.held_write", "readers-writer: write held at 1 thread (share)",
            "locks.nested.speedup", "nested locks: 4 threads vs 1 (x)",
            "locks.nested.held_global", "nested: global held at 1 thread (share)",
            "locks.nested.held_stripe", "nested: stripe held at 1 thread (share)",
            "locks.synchronized.speedup", "nested synchronized: 4 threads vs 1 (x)"),
        FidelityExperiment::locksOfCpython,
        FidelityExperiment::locksOfGil4j);
  }

  /** Per shape, the script's speedup and held shares; its nested shape stands for both. */
  static Map<String, Double> locksOfCpython(List<Map<String, Object>> objects) {
    Map<String, Double> figures = new LinkedHashMap<>();
    for (Map<String, Object> o : objects) {
      String shape = String.valueOf(o.get("shape"));
      for (String key : o.keySet()) {
        if (key.equals("speedup_4")) {
          figures.put("locks." + shape + ".speedup", number(o, key));
        } else if (key.startsWith("held_")) {
          figures.put("locks." + shape + "." + key, number(o, key));
        }
      }
      if (shape.equals("nested")) {
        figures.put("locks.synchronized.speedup", number(o, "speedup_4"));
      }
    }
    return figures;
  }

  /** {@code Locks} prints {@code SHAPE_speedup} and {@code SHAPE_held_LOCK} for each shape. */
  static Map<String, Double> locksOfGil4j(Map<String, Map<String, ChildJava.Metric>> runs) {
    Map<String, Double> figures = new LinkedHashMap<>();
    for (String shape : List.of("lock", "rw", "nested", "synchronized")) {
      figures.put("locks." + shape + ".speedup", metric(runs, "locks", shape + "_speedup"));
      for (String lock : List.of("lock", "read", "write", "global", "stripe")) {
        double share = metric(runs, "locks", shape + "_held_" + lock);
        if (!Double.isNaN(share)) {
          figures.put("locks." + shape + ".held_" + lock, share);
        }
      }
    }
    return figures;
  }

  /** A number the script printed; NaN if it printed none under that key. */
  private static double number(Map<String, Object> object, String key) {
    return object.get(key) instanceof Double d ? d : Double.NaN;
  }

  /** A metric a run printed; NaN if the run failed or did not print it. */
  private static double metric(
      Map<String, Map<String, ChildJava.Metric>> runs, String run, String name) {
    Map<String, ChildJava.Metric> metrics = runs.get(run);
    ChildJava.Metric m = metrics == null ? null : metrics.get(name);
    return m == null ? Double.NaN : m.value();
  }

  private static Map<String, String> ordered(String... idsAndLabels) {
    Map<String, String> figures = new LinkedHashMap<>();
    for (int i = 0; i < idsAndLabels.length; i += 2) {
      figures.put(idsAndLabels[i], idsAndLabels[i + 1]);
    }
    return figures;
  }
}

package dev.gil4j.benchmarks;

import dev.gil4j.benchmarks.internal.Args;
import dev.gil4j.benchmarks.internal.Run;
import dev.gil4j.testkit.Jdk;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Runs the benchmark suites of this module on every given JDK, in one run, and prints their tables
 * on stdout, each figure set against a baseline measured in the same run; progress goes to stderr.
 *
 * <ul>
 *   <li>{@code gil} ({@link GilSuite}): what a checkpoint costs one thread, and how fast the GIL
 *       changes hands, beside CPython;
 *   <li>{@code loops} ({@link LoopSuite}): what checkpoints cost strip-mined loops of pure
 *       arithmetic, beside no agent and, with {@code --baseline-agent}, an earlier agent jar;
 *   <li>{@code threading} ({@link ThreadingSuite}): Python's primitives in gil4j beside the JDK's
 *       {@code java.util.concurrent} and CPython's {@code threading} and {@code multiprocessing};
 *   <li>{@code overhead} ({@link OverheadSuite}): what profiling costs a lock-heavy application,
 *       gil4j beside JFR's own lock events and async-profiler;
 *   <li>{@code startup} ({@link StartupSuite}): what the agent adds to hello world's start-up,
 *       {@code gil=on} and {@code gil=off}, beside no agent and, with {@code --baseline-agent}, an
 *       earlier agent jar.
 * </ul>
 *
 * <p>Usage: {@code RunAll [gil|loops|threading|overhead|startup]... --agent JAR [--baseline-agent
 * JAR] --jdk HOME [--jdk HOME]... [--python CMD|none] [--scripts DIR] [--out DIR] [--forks N]
 * [--quick]}; no suite named runs them all. {@code benchmarks/run.sh} passes all of these.
 */
public final class RunAll {
  private static final List<String> SUITES =
      List.of("gil", "loops", "threading", "overhead", "startup");
  private static final String USAGE =
      "[gil|loops|threading|overhead|startup]... --agent JAR [--baseline-agent JAR] --jdk HOME"
          + " [--jdk HOME]... [--python CMD|none] [--scripts DIR] [--out DIR] [--forks N]"
          + " [--quick]";

  private RunAll() {}

  public static void main(String[] args) throws Exception {
    Set<String> suites = new LinkedHashSet<>();
    Path agent = null;
    Path baselineAgent = null;
    List<Path> jdkHomes = new ArrayList<>();
    String python = "python3";
    Path scripts = Path.of("benchmarks");
    Path out = Path.of("benchmarks", "target", "results");
    int forks = 2;
    boolean quick = false;
    Args a = new Args("RunAll", USAGE, args);
    while (a.hasNext()) {
      String flag = a.next();
      switch (flag) {
        case "--agent" -> agent = Path.of(a.value(flag));
        case "--baseline-agent" -> baselineAgent = Path.of(a.value(flag));
        case "--jdk" -> jdkHomes.add(Path.of(a.value(flag)));
        case "--python" -> python = a.value(flag);
        case "--scripts" -> scripts = Path.of(a.value(flag));
        case "--out" -> out = Path.of(a.value(flag));
        case "--forks" -> forks = a.intValue(flag, 1);
        case "--quick" -> quick = true;
        default -> {
          if (flag.startsWith("-")) {
            a.fail("unknown argument " + flag);
          }
          suites.add(flag);
        }
      }
    }
    a.checkAll("suite", suites, SUITES);
    if (agent == null || !Files.isRegularFile(agent)) {
      a.fail("--agent must name the agent jar; got " + agent);
    }
    if (baselineAgent != null && !Files.isRegularFile(baselineAgent)) {
      a.fail("--baseline-agent must name an agent jar; got " + baselineAgent);
    }
    if (jdkHomes.isEmpty()) {
      a.fail("give at least one --jdk HOME");
    }
    List<Jdk> jdks = new ArrayList<>();
    for (Path home : jdkHomes) {
      if (!Files.isExecutable(home.resolve("bin").resolve("java"))) {
        a.fail("--jdk " + home + " has no bin/java");
      }
      jdks.add(Jdk.at(home));
    }
    if (suites.isEmpty()) {
      suites.addAll(SUITES);
    }
    Path jar = Path.of(System.getProperty("java.class.path").split(File.pathSeparator)[0]);
    Run run =
        new Run(
            agent.toAbsolutePath(),
            baselineAgent == null ? null : baselineAgent.toAbsolutePath(),
            jar.toAbsolutePath(),
            List.copyOf(jdks),
            python,
            scripts,
            out.toAbsolutePath(),
            quick ? 1 : forks,
            quick);
    System.err.printf(
        "gil4j benchmarks %s: JDKs %s; agent %s; logs in %s%n",
        String.join(", ", suites),
        String.join(", ", jdks.stream().map(Jdk::version).toList()),
        run.agent(),
        run.out());
    for (String suite : suites) {
      runSuite(suite, run);
    }
  }

  private static void runSuite(String suite, Run run) throws IOException, InterruptedException {
    switch (suite) {
      case "gil" -> new GilSuite(run).run(System.out);
      case "loops" -> new LoopSuite(run).run(System.out);
      case "threading" -> new ThreadingSuite(run).run(System.out);
      case "overhead" -> new OverheadSuite(run).run(System.out);
      case "startup" -> new StartupSuite(run).run(System.out);
      default -> throw new IllegalArgumentException("unknown suite " + suite);
    }
  }
}

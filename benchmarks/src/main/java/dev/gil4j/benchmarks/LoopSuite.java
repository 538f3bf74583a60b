package dev.gil4j.benchmarks;

import dev.gil4j.benchmarks.internal.Figure;
import dev.gil4j.benchmarks.internal.Jmh;
import dev.gil4j.benchmarks.internal.Machine;
import dev.gil4j.benchmarks.internal.Run;
import dev.gil4j.benchmarks.internal.TextTable;
import dev.gil4j.testkit.Jdk;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The {@code loops} suite: what gil4j's checkpoints cost loops of pure arithmetic, now that a long
 * pure loop is strip-mined so that it hands the GIL over every interval. Each loop of {@link
 * LatencyBoundLoop}, {@link VectorizableLoops} and {@link LongLoops} runs without the agent, under
 * a baseline agent jar when one is given ({@code --baseline-agent}: an earlier build, for a before
 * and after), and under the agent, alternating fork by fork, on every given JDK; each figure is set
 * against no agent, same JDK, same run. Run by {@link RunAll}.
 */
final class LoopSuite {
  private static final double GOAL = 1.05;
  private static final int WARMUP_ITERATIONS = 10;

  /** One loop: its table label and its benchmark. */
  private record Kernel(String label, String benchmark) {}

  private static final List<Kernel> KERNELS =
      List.of(
          new Kernel("LCG chain, 4096 steps", "LatencyBoundLoop.lcg"),
          new Kernel("s += a[i] * b[i], 4096", "VectorizableLoops.dot"),
          new Kernel("c[i] = a[i] + b[i], 4096", "VectorizableLoops.add"),
          new Kernel("same, int[16][256], nested", "VectorizableLoops.add2d"),
          new Kernel("s += a[i] * b[i], 2^18 (4 chunks)", "LongLoops.dot"),
          new Kernel("c[i] = a[i] + b[i], 2^17 (2 chunks)", "LongLoops.add"),
          new Kernel("LCG, long counter, 2^22 (64 chunks)", "LongLoops.lcg"),
          new Kernel("chase: while (p != 0), not counted", "LongLoops.chase"));

  private final Run run;
  private final Jmh jmh;
  private final List<String> modes = new ArrayList<>();
  private final Map<String, Path> agents = new LinkedHashMap<>();
  private final Map<String, List<Double>> cpu = new LinkedHashMap<>();
  private int done;

  LoopSuite(Run run) throws IOException {
    this.run = run;
    this.jmh = new Jmh(run.out().resolve("loops"), run.quick());
    modes.add("no agent");
    if (run.baselineAgent() != null) {
      modes.add("baseline");
      agents.put("baseline", run.baselineAgent());
    }
    modes.add("gil4j");
    agents.put("gil4j", run.agent());
  }

  /** Measures every loop in every mode, then prints the table on {@code o}. */
  void run(PrintStream o) {
    String loadBefore = Machine.loadAverage();
    int total = run.jdks().size() * run.forks() * KERNELS.size() * modes.size();
    for (Jdk jdk : run.jdks()) {
      for (int fork = 0; fork < run.forks(); fork++) {
        for (Kernel k : KERNELS) {
          for (String mode : modes) {
            done++;
            System.err.printf(
                "[%d/%d] JDK %s, %s: %s ... ", done, total, jdk.version(), mode, k.benchmark());
            ChainedOptionsBuilder options = jmh.options(jdk, k.benchmark());
            if (!run.quick()) {
              // Under the agent C2 has the agent's own start-up to compile first: on a busy 2-core
              // machine the kernels reached C2 only after 3–4 s, past the usual warm-up.
              options.warmupIterations(WARMUP_ITERATIONS).warmupTime(TimeValue.milliseconds(500));
            }
            if (agents.containsKey(mode)) {
              options.jvmArgsAppend("-javaagent:" + agents.get(mode));
            }
            List<Double> scores = jmh.run(options.build()).cpu();
            cpu.computeIfAbsent(key(jdk, mode, k), x -> new ArrayList<>()).addAll(scores);
            Figure f = Figure.of(scores);
            System.err.println(
                f == null ? "FAILED (see jmh.log)" : Figure.number(f.best()) + " ns");
          }
        }
      }
    }
    jmh.close();

    o.println();
    Machine.printHeader(o, "gil4j benchmarks: pure loops, strip-mined", loadBefore);
    for (Map.Entry<String, Path> agent : agents.entrySet()) {
      o.printf("  %s: -javaagent:%s (default options, gil=on)%n", agent.getKey(), agent.getValue());
    }
    o.println();
    o.println(
        "What checkpoints cost loops of pure arithmetic: CPU time of the benchmark thread in ns per"
            + " call (best, +how far the median lies above it); ratio = against no agent, same JDK,"
            + " same run");
    List<String> header = new ArrayList<>(List.of("loop", "JDK"));
    for (String mode : modes) {
      header.add(mode);
      if (!mode.equals("no agent")) {
        header.add("ratio");
      }
    }
    TextTable t = new TextTable(2, header.toArray(new String[0]));
    boolean over = false;
    for (Kernel k : KERNELS) {
      for (Jdk jdk : run.jdks()) {
        Figure base = Figure.of(cpu.get(key(jdk, "no agent", k)));
        List<String> row = new ArrayList<>(List.of(k.label(), jdk.version()));
        for (String mode : modes) {
          Figure f = Figure.of(cpu.get(key(jdk, mode, k)));
          row.add(f == null ? "failed" : f.withNoise());
          if (!mode.equals("no agent")) {
            String ratio =
                f == null || base == null
                    ? "—"
                    : String.format(Locale.ROOT, "%.2fx", f.best() / base.best());
            if (mode.equals("gil4j")
                && f != null
                && base != null
                && f.best() / base.best() > GOAL) {
              ratio += "*";
              over = true;
            }
            row.add(ratio);
          }
        }
        t.row(row.toArray(new String[0]));
      }
    }
    t.print(o);
    o.printf(
        "Each cell: the best of %d iterations of 100 ms in each of %d fork(s), modes alternating"
            + " fork by fork, and how far their median lies above it (noise). Goal for gil4j:"
            + " ratio <= %.2f%s%n",
        jmh.iterations(), run.forks(), GOAL, over ? "; * marks a loop over the goal." : ".");
  }

  private static String key(Jdk jdk, String mode, Kernel k) {
    return jdk.version() + "|" + mode + "|" + k.benchmark();
  }
}

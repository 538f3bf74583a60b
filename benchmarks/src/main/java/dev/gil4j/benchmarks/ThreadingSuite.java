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
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The {@code threading} suite: Python's primitives in gil4j ({@code dev.gil4j.threading}, {@code
 * dev.gil4j.multiprocessing}) beside the {@code java.util.concurrent} class (or, for pipes, the
 * plain JDK socket) a Java programmer would use, and beside CPython's {@code threading} and {@code
 * multiprocessing} on the same machine, in one table:
 *
 * <ul>
 *   <li>uncontended operations, ns: {@link UncontendedPrimitives} in JMH (CPU time of the benchmark
 *       thread per operation, best iteration), CPython by {@code threading_bench.py} in {@code
 *       timeit} loops timed by the thread's CPU clock (best repeat);
 *   <li>contended hand-offs, µs: {@link PrimitiveHandoff}, one JVM per variant, and the same games
 *       in {@code threading_bench.py} (median batch);
 *   <li>pipes between two processes, µs: {@link PipeLatency} with gil4j's {@code Pipe} and with a
 *       plain Unix-domain socket, and {@code multiprocessing.Pipe} (median batch); for the 1 MiB
 *       and 16 MiB round trips also the CPU time of both processes per round trip, which a busy
 *       machine's waits for a core do not blur.
 * </ul>
 *
 * <p>gil4j's primitives are measured without the agent, and again under it with {@code gil=on} (the
 * last two columns), where every hand-off is also a GIL hand-off, as in CPython. The goals it
 * reports against: faster than CPython on every row, and an uncontended {@code Lock} within 2x of
 * {@code ReentrantLock}. Every JVM and the Python script run with a hard time limit ({@link Child},
 * {@link dev.gil4j.benchmarks.internal.ForkWatch}). Run by {@link RunAll}.
 */
final class ThreadingSuite {
  private static final double LOCK_GOAL = 2.0;

  /** Where a figure comes from: a JMH benchmark, or a metric of a child program. */
  private enum Source {
    JMH,
    HANDOFF,
    PIPE
  }

  /**
   * One row: gil4j's and the JDK's figures (a benchmark name for JMH rows, a metric name for the
   * others), and CPython's metric.
   */
  private record Row(
      String label, String unit, Source source, String gil4j, String juc, String cpython) {}

  private static final List<Row> ROWS =
      List.of(
          jmh("Lock acquire+release | ReentrantLock", "lock", "reentrantLock", "lock"),
          jmh("RLock acquire+release | ReentrantLock", "rlock", "reentrantLock", "rlock"),
          jmh(
              "RLock re-entered | ReentrantLock re-entered",
              "rlockReentered",
              "reentrantLockReentered",
              "rlock_reentered"),
          jmh("Semaphore acquire+release | Semaphore", "semaphore", "jucSemaphore", "semaphore"),
          jmh(
              "Event set+clear+is_set | volatile boolean",
              "eventSetClear",
              "volatileSetClear",
              "event_set_clear"),
          jmh(
              "Event wait, already set | CountDownLatch(0)",
              "eventWaitSet",
              "latchAwaitOpen",
              "event_wait_set"),
          handoff("hand-off: Lock | ReentrantLock", "lock", "juc-lock"),
          handoff("hand-off: RLock | ReentrantLock", "rlock", "juc-lock"),
          handoff("hand-off: Semaphore | Semaphore", "semaphore", "juc-semaphore"),
          handoff("hand-off: Event | flag + park/unpark", "event", "juc-event"),
          pipe("Pipe 64 B round trip | UNIX socket", "pipe_64b_round_trip_us"),
          pipe("Pipe 64 B streamed, per message", "pipe_64b_stream_us"),
          pipe("Pipe 1 MiB round trip | UNIX socket", "pipe_1mib_round_trip_us"),
          pipe("Pipe 1 MiB round trip, CPU of both", "pipe_1mib_round_trip_cpu_us"),
          pipe("Pipe 1 MiB streamed, per message", "pipe_1mib_stream_us"),
          pipe("Pipe 16 MiB round trip | UNIX socket", "pipe_16mib_round_trip_us"),
          pipe("Pipe 16 MiB round trip, CPU of both", "pipe_16mib_round_trip_cpu_us"),
          pipe("Pipe 16 MiB streamed, per message", "pipe_16mib_stream_us"));

  private static Row jmh(String label, String gil4j, String juc, String cpython) {
    return new Row(
        label,
        "ns",
        Source.JMH,
        "UncontendedPrimitives." + gil4j,
        "UncontendedPrimitives." + juc,
        "uncontended_" + cpython + "_ns");
  }

  private static Row handoff(String label, String gil4j, String juc) {
    String metric = "handoff_%s_us";
    return new Row(
        label,
        "µs",
        Source.HANDOFF,
        metric.formatted(gil4j),
        metric.formatted(juc),
        metric.formatted(gil4j));
  }

  private static Row pipe(String label, String metric) {
    return new Row(label, "µs", Source.PIPE, metric, metric, metric);
  }

  private static final String NO_AGENT = "gil4j";
  private static final String JUC = "juc";
  private static final String GIL_ON = "gil=on";

  private final Run run;
  private final Path out;
  private final Jmh jmh;

  /** Figures by {@code JDK|column|row label}; CPython's by {@code cpython|metric}. */
  private final Map<String, Double> figures = new LinkedHashMap<>();

  /** Why a cell has no figure, by the same keys. */
  private final Map<String, String> failures = new LinkedHashMap<>();

  private final List<String> notes = new ArrayList<>();

  ThreadingSuite(Run run) throws IOException {
    this.run = run;
    this.out = run.out().resolve("threading");
    this.jmh = new Jmh(out, run.quick());
  }

  /** Measures everything, then prints the table on {@code o}. */
  void run(PrintStream o) throws IOException, InterruptedException {
    String loadBefore = Machine.loadAverage();
    for (Jdk jdk : run.jdks()) {
      uncontended(jdk);
      handoffs(jdk);
      pipes(jdk);
    }
    String cpython = python();
    jmh.close();

    o.println();
    Machine.printHeader(
        o,
        "gil4j benchmarks: Python's primitives beside java.util.concurrent and CPython",
        loadBefore);
    printTable(o, cpython);
    for (String note : notes) {
      o.println(note);
    }
  }

  private void uncontended(Jdk jdk) {
    for (Row row : ROWS) {
      if (row.source() != Source.JMH) {
        continue;
      }
      measure(jdk, row, NO_AGENT, row.gil4j(), false);
      measure(jdk, row, JUC, row.juc(), false);
      measure(jdk, row, GIL_ON, row.gil4j(), true);
    }
  }

  /**
   * One JMH fork; a benchmark measured already on this JDK and column (the ReentrantLock of two
   * rows) is not measured again.
   */
  private void measure(Jdk jdk, Row row, String column, String benchmark, boolean agent) {
    String key = key(jdk, column, row);
    for (Row other : ROWS) {
      String otherBenchmark = column.equals(JUC) ? other.juc() : other.gil4j();
      if (other != row
          && otherBenchmark.equals(benchmark)
          && figures.containsKey(key(jdk, column, other))) {
        figures.put(key, figures.get(key(jdk, column, other)));
        return;
      }
    }
    System.err.printf("JDK %s, %s: %s ... ", jdk.version(), agent ? GIL_ON : "no agent", benchmark);
    ChainedOptionsBuilder options =
        jmh.options(jdk, benchmark)
            .warmupIterations(run.quick() ? 1 : 2)
            .warmupTime(TimeValue.milliseconds(200))
            .measurementIterations(run.quick() ? 4 : 8);
    if (agent) {
      options.jvmArgsAppend("-javaagent:" + run.agent());
    }
    Figure f = Figure.of(jmh.run(options.build()).cpu());
    if (f == null) {
      failures.put(key, "failed");
      System.err.println("FAILED (see jmh.log)");
    } else {
      figures.put(key, f.best());
      System.err.println(Figure.number(f.best()) + " ns/op (CPU)");
    }
  }

  private void handoffs(Jdk jdk) throws IOException, InterruptedException {
    for (String variant : PrimitiveHandoff.VARIANTS) {
      boolean gil4j = !variant.startsWith("juc-");
      handoff(jdk, variant, gil4j ? NO_AGENT : JUC, false);
      if (gil4j) {
        handoff(jdk, variant, GIL_ON, true);
      }
    }
  }

  private void handoff(Jdk jdk, String variant, String column, boolean agent)
      throws IOException, InterruptedException {
    List<String> args =
        run.quick()
            ? List.of("--batches", "3", "--batch-ms", "50")
            : List.of("--batches", "7", "--batch-ms", "100");
    List<String> cmd = new ArrayList<>();
    cmd.addAll(List.of("--variants", variant));
    cmd.addAll(args);
    Outcome c = child(jdk, PrimitiveHandoff.class.getName(), cmd, agent, "handoff-" + variant, 60);
    String metric = "handoff_" + variant + "_us";
    for (Row row : ROWS) {
      String wanted = column.equals(JUC) ? row.juc() : row.gil4j();
      if (row.source() == Source.HANDOFF && wanted.equals(metric)) {
        put(key(jdk, column, row), metric, c);
      }
    }
  }

  private void pipes(Jdk jdk) throws IOException, InterruptedException {
    List<String> args =
        run.quick()
            ? List.of("--batches", "3", "--batch-ms", "50", "--warmup-ms", "500")
            : List.of("--batches", "7", "--batch-ms", "100");
    for (String column : List.of(NO_AGENT, JUC, GIL_ON)) {
      List<String> cmd = new ArrayList<>();
      cmd.addAll(List.of("--impl", column.equals(JUC) ? "socket" : "pipe"));
      cmd.addAll(args);
      String name = "pipe-" + (column.equals(JUC) ? "socket" : "pipe");
      Outcome c = child(jdk, PipeLatency.class.getName(), cmd, column.equals(GIL_ON), name, 120);
      for (Row row : ROWS) {
        if (row.source() == Source.PIPE) {
          put(key(jdk, column, row), row.gil4j(), c);
        }
      }
      for (String size : List.of("64b", "1mib", "16mib")) {
        Double mbs = c.metrics().get("pipe_" + size + "_stream_mb_s");
        if (mbs != null) {
          figures.put(jdk.version() + "|" + column + "|mb_s_" + size, mbs);
        }
      }
    }
  }

  /**
   * What a child printed, and what went wrong with it, in a few words ({@code exit 1}, {@code
   * timeout}); empty if nothing did.
   */
  private record Outcome(Map<String, Double> metrics, String failure) {}

  /**
   * Runs {@code main} in a JVM of its own on {@code jdk}, without the agent or with {@code gil=on}.
   */
  private Outcome child(
      Jdk jdk, String main, List<String> args, boolean agent, String name, int limitSeconds)
      throws IOException, InterruptedException {
    String mode = agent ? GIL_ON : "no agent";
    System.err.printf("JDK %s, %s: %s %s ... ", jdk.version(), mode, main, String.join(" ", args));
    List<String> cmd = new ArrayList<>(List.of(jdk.java().toString(), "-Xms256m", "-Xmx256m"));
    if (agent) {
      cmd.add("-javaagent:" + run.agent());
    }
    cmd.addAll(List.of("-cp", run.jar().toString(), main));
    cmd.addAll(args);
    String log = name + "-" + jdk.version() + "-" + (agent ? "gil-on" : "no-agent");
    ChildRun c = Run.child(cmd, out.resolve(log), Duration.ofSeconds(limitSeconds));
    if (!c.succeeded()) {
      notes.add(
          String.format(
              "JDK %s, %s: %s %s; see %s",
              jdk.version(), mode, main, c.failure(), out.resolve(log) + ".*"));
    }
    System.err.println(c.succeeded() ? "done" : "FAILED (" + c.failure() + ")");
    return new Outcome(c.figures(), c.failure());
  }

  /** Records the child's {@code metric} under {@code key}, or why there is none. */
  private void put(String key, String metric, Outcome c) {
    Double value = c.metrics().get(metric);
    if (value != null) {
      figures.put(key, value);
    } else {
      failures.put(key, c.failure().isEmpty() ? "no figure" : c.failure());
    }
  }

  /** Runs threading_bench.py; returns CPython's version, or null if no Python was run. */
  private String python() throws IOException, InterruptedException {
    if (!run.hasPython()) {
      return null;
    }
    Path script = run.scripts().resolve("threading_bench.py");
    List<String> cmd = new ArrayList<>(List.of(run.python(), script.toString()));
    cmd.addAll(
        run.quick()
            ? List.of("--batches", "3", "--batch-ms", "50", "--repeat", "4", "--timeout", "200")
            : List.of("--batches", "7", "--batch-ms", "100", "--repeat", "8", "--timeout", "280"));
    System.err.printf("%s ... ", String.join(" ", cmd));
    ChildRun c;
    try {
      c = Run.child(cmd, out.resolve("threading-cpython"), Duration.ofSeconds(300));
    } catch (UncheckedIOException e) {
      System.err.println("not run (" + e.getCause().getMessage() + ")");
      notes.add("CPython: not run (" + run.python() + ": " + e.getCause().getMessage() + ").");
      return null;
    }
    c.figures().forEach((name, value) -> figures.put("cpython|" + name, value));
    if (!c.succeeded()) {
      notes.add(
          String.format("CPython: threading_bench.py %s; see %s", c.failure(), c.stderrLog()));
    }
    System.err.println(c.succeeded() ? "done" : "FAILED (" + c.failure() + ")");
    List<String> runtime = c.stdoutLines().stream().filter(l -> l.startsWith("runtime ")).toList();
    return runtime.isEmpty() ? "CPython" : runtime.get(0).substring("runtime ".length());
  }

  private static String key(Jdk jdk, String column, Row row) {
    return jdk.version() + "|" + column + "|" + row.label();
  }

  private void printTable(PrintStream o, String cpython) {
    String py = cpython == null ? "CPython" : cpython;
    o.println(
        "3. Python's primitives: gil4j (no agent) beside java.util.concurrent / the JDK and "
            + py
            + "; lower is better");
    TextTable t =
        new TextTable(
            3,
            "gil4j | JDK",
            "JDK",
            "unit",
            "gil4j",
            "j.u.c.",
            py,
            "gil4j/CPython",
            "gil4j/j.u.c.",
            "gil4j gil=on",
            "gil=on/CPython");
    int rows = 0;
    int slower = 0;
    int rowsOn = 0;
    int slowerOn = 0;
    List<String> slowerRows = new ArrayList<>();
    for (Row row : ROWS) {
      Double p = figures.get("cpython|" + row.cpython());
      for (Jdk jdk : run.jdks()) {
        Double g = figures.get(key(jdk, NO_AGENT, row));
        Double j = figures.get(key(jdk, JUC, row));
        Double on = figures.get(key(jdk, GIL_ON, row));
        String vsPython = Figure.ratio(g, p);
        if (g != null && p != null) {
          rows++;
          if (g >= p) {
            slower++;
            vsPython += "*";
            slowerRows.add(row.label().split(" \\| ")[0] + " (JDK " + jdk.version() + ")");
          }
        }
        String onVsPython = Figure.ratio(on, p);
        if (on != null && p != null) {
          rowsOn++;
          if (on >= p) {
            slowerOn++;
            onVsPython += "*";
          }
        }
        t.row(
            row.label(),
            jdk.version(),
            row.unit(),
            cell(jdk, NO_AGENT, row),
            cell(jdk, JUC, row),
            p == null ? "—" : Figure.number(p),
            vsPython,
            Figure.ratio(g, j),
            cell(jdk, GIL_ON, row),
            onVsPython);
      }
    }
    t.print(o);
    o.println(
        "ns rows: CPU time of the measuring thread per operation, best of "
            + (run.quick() ? 4 : 8)
            + " JMH iterations of 100 ms (CPython: best timeit repeat, by the thread's CPU clock,"
            + " the loop included; an empty statement costs "
            + (figures.containsKey("cpython|uncontended_empty_ns")
                ? Figure.number(figures.get("cpython|uncontended_empty_ns")) + " ns"
                : "—")
            + ").");
    o.println(
        "µs rows: elapsed time, median of "
            + (run.quick() ? "3 batches of ~50 ms" : "7 batches of ~100 ms")
            + "; hand-off = one thread waking the other (half a round trip); pipes between two"
            + " processes, the child a JVM (CPython: a spawned process) that echoes or drops, after"
            + " a warm-up of "
            + (run.quick() ? "0.5 s" : "2 s")
            + " on small messages and half that on each size before it is timed (the JVMs' JIT and"
            + " heap sizing; CPython, which has neither, plays each size for 1 s too).");
    o.println(
        "j.u.c. column for pipes: a blocking Unix-domain SocketChannel with the same 4-byte length"
            + " prefix, the JDK floor beneath gil4j's Connection.");
    o.println(
        "gil4j gil=on: the same code under -javaagent:"
            + run.agent().getFileName()
            + " (GIL on, default options); every hand-off is then a GIL hand-off too, as in"
            + " CPython. * marks a row where gil4j is not faster than CPython.");
    o.printf(
        Locale.ROOT, "Pipe throughput, streamed, MB/s: %s%n", String.join("; ", throughputs()));
    o.printf(
        "Goal: faster than CPython on every row — gil4j (no agent) is on %d of %d%s; under gil=on"
            + " on %d of %d.%n",
        rows - slower,
        rows,
        slowerRows.isEmpty() ? "" : " (not: " + String.join(", ", slowerRows) + ")",
        rowsOn - slowerOn,
        rowsOn);
    for (Jdk jdk : run.jdks()) {
      Double g = figures.get(key(jdk, NO_AGENT, ROWS.get(0)));
      Double j = figures.get(key(jdk, JUC, ROWS.get(0)));
      o.printf(
          Locale.ROOT,
          "Goal: uncontended Lock within %.0fx of ReentrantLock — JDK %s: %s%n",
          LOCK_GOAL,
          jdk.version(),
          g == null || j == null
              ? "not measured"
              : String.format(
                  Locale.ROOT, "%.2fx, %s", g / j, g / j <= LOCK_GOAL ? "met" : "missed"));
    }
  }

  private List<String> throughputs() {
    List<String> parts = new ArrayList<>();
    for (String size : List.of("64b", "1mib", "16mib")) {
      String label = size.equals("64b") ? "64 B" : size.equals("1mib") ? "1 MiB" : "16 MiB";
      List<String> cells = new ArrayList<>();
      for (Jdk jdk : run.jdks()) {
        Double g = figures.get(jdk.version() + "|" + NO_AGENT + "|mb_s_" + size);
        Double s = figures.get(jdk.version() + "|" + JUC + "|mb_s_" + size);
        cells.add(
            String.format(
                "gil4j %s, socket %s (JDK %s)",
                g == null ? "—" : Figure.number(g),
                s == null ? "—" : Figure.number(s),
                jdk.version()));
      }
      Double p = figures.get("cpython|pipe_" + size + "_stream_mb_s");
      cells.add("CPython " + (p == null ? "—" : Figure.number(p)));
      parts.add(label + ": " + String.join(", ", cells));
    }
    return parts;
  }

  private String cell(Jdk jdk, String column, Row row) {
    String key = key(jdk, column, row);
    Double v = figures.get(key);
    return v != null ? Figure.number(v) : failures.getOrDefault(key, "—");
  }
}

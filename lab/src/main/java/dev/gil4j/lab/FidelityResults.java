package dev.gil4j.lab;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@code fidelity} found, three ways: a table for people (with the machine under it), {@code
 * fidelity.csv} (a row per figure) and {@code fidelity.json} (the rows, the machine and every run)
 * for tools. The three show the same rows in the same order.
 */
final class FidelityResults {
  static final String CSV_HEADER = "id,experiment,figure,cpython,gil4j,ratio,verdict";

  private final Machine machine;
  private final List<FidelityRow> rows;
  private final List<RunRecord> runs;
  private final Path out;

  /**
   * Where the figures were measured.
   *
   * @param cores the processors Java sees
   * @param loadAverage the highest of the system's 1-minute load averages taken as each run ended;
   *     NaN where the system does not tell
   * @param os operating system, version and architecture
   * @param python the interpreter's implementation and version, e.g. {@code CPython 3.11.7}
   * @param pythonPath the interpreter
   * @param java Java's version and VM
   * @param addedLoad the CPU-bound processes {@code --load} ran beside every run
   */
  record Machine(
      int cores,
      double loadAverage,
      String os,
      String python,
      Path pythonPath,
      String java,
      int addedLoad) {
    /**
     * This machine, with the Python that ran the CPython side, the runs' highest load and the
     * processes {@code --load} added.
     */
    static Machine here(FidelityPython python, List<RunRecord> runs, int addedLoad) {
      return new Machine(
          Runtime.getRuntime().availableProcessors(),
          runs.stream().mapToDouble(RunRecord::loadAverage).max().orElse(Double.NaN),
          System.getProperty("os.name")
              + " "
              + System.getProperty("os.version")
              + " "
              + System.getProperty("os.arch"),
          python.version(),
          python.path(),
          "Java "
              + System.getProperty("java.version")
              + " ("
              + System.getProperty("java.vm.name")
              + ")",
          addedLoad);
    }

    /** The system's load average over the last minute; NaN where it does not tell. */
    static double loadAverageNow() {
      double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
      return load < 0 ? Double.NaN : load;
    }

    /**
     * Whether other processes kept more threads runnable than the runs could share the cores with:
     * the runs themselves keep at most a few busy, so a load average above twice the cores, beyond
     * the load {@code --load} asked for, is someone else's, and it stretches the timings of
     * whichever runs it hit.
     */
    boolean busy() {
      return loadAverage - addedLoad > 2 * cores;
    }
  }

  /**
   * One script or child JVM that ran.
   *
   * @param side {@code cpython} or {@code gil4j}
   * @param id names its logs
   * @param what what ran, for people
   * @param wallMs how long it took
   * @param problem what went wrong; null if nothing did
   * @param log its stdout
   * @param loadAverage the system's 1-minute load average as it ended; NaN if unknown
   */
  record RunRecord(
      String side,
      String id,
      String what,
      double wallMs,
      String problem,
      Path log,
      double loadAverage) {}

  /**
   * @param out the output directory, which the paths in {@code fidelity.json} are relative to
   */
  FidelityResults(Machine machine, List<FidelityRow> rows, List<RunRecord> runs, Path out) {
    this.machine = machine;
    this.rows = List.copyOf(rows);
    this.runs = List.copyOf(runs);
    this.out = out;
  }

  List<FidelityRow> rows() {
    return rows;
  }

  /** Whether every run went well and every figure was measured on both sides. */
  boolean complete() {
    return runs.stream().allMatch(r -> r.problem() == null)
        && rows.stream().noneMatch(r -> Double.isNaN(r.ratio()));
  }

  /**
   * The table, the machine, what "close" means, a warning if the machine was busy, and a line per
   * failed run.
   */
  String table() {
    List<String[]> cells = new ArrayList<>();
    cells.add(
        new String[] {"experiment", "figure", "CPython", "gil4j", "gil4j/CPython", "verdict"});
    for (FidelityRow r : rows) {
      cells.add(
          new String[] {
            r.experiment(),
            r.figure(),
            Results.figure(r.cpython()),
            Results.figure(r.gil4j()),
            Results.ratio(r.ratio()),
            r.verdict()
          });
    }
    StringBuilder text = new StringBuilder(TextTable.render(cells, 2));
    text.append(
        String.format(
            Locale.ROOT,
            "machine: %d cores, load average up to %s, %s; %s (%s); %s%n",
            machine.cores(),
            Double.isNaN(machine.loadAverage())
                ? "unknown"
                : String.format(Locale.ROOT, "%.1f", machine.loadAverage()),
            machine.os(),
            machine.python(),
            machine.pythonPath(),
            machine.java()));
    text.append(
        String.format(
            Locale.ROOT,
            "close: gil4j within %.1fx of CPython either way (%.2fx to %.2fx); both switch"
                + " every 5 ms unless the row says otherwise%n",
            FidelityRow.TOLERANCE,
            1 / FidelityRow.TOLERANCE,
            FidelityRow.TOLERANCE));
    if (machine.addedLoad() > 0) {
      text.append(
          String.format(
              Locale.ROOT,
              "load: %d CPU-bound processes ran beside every run (--load %d), on both sides%n",
              machine.addedLoad(),
              machine.addedLoad()));
    }
    if (machine.busy()) {
      text.append(
          String.format(
              Locale.ROOT,
              "busy: a load average of %.1f on %d cores: other processes took CPU from the runs"
                  + " and distorted their timings; run again on a quieter machine%n",
              machine.loadAverage(),
              machine.cores()));
    }
    for (RunRecord r : runs) {
      if (r.problem() != null) {
        text.append("failed: ").append(r.side()).append(' ').append(r.what()).append(": ");
        text.append(r.problem()).append('\n');
      }
    }
    return text.toString();
  }

  /** {@code fidelity.csv}: a row per figure, numbers unrounded, empty where a side failed. */
  String csv() {
    StringBuilder text = new StringBuilder(CSV_HEADER).append('\n');
    for (FidelityRow r : rows) {
      List<String> cells =
          List.of(
              r.id(),
              r.experiment(),
              r.figure(),
              number(r.cpython()),
              number(r.gil4j()),
              number(r.ratio()),
              r.verdict());
      List<String> quoted = new ArrayList<>();
      for (String c : cells) {
        quoted.add(c.matches("[^,\"\\n]*") ? c : "\"" + c.replace("\"", "\"\"") + "\"");
      }
      text.append(String.join(",", quoted)).append('\n');
    }
    return text.toString();
  }

  /** {@code fidelity.json}: the machine, the tolerance, the rows and every run. */
  String json() {
    List<Json> rowsJson = new ArrayList<>();
    for (FidelityRow r : rows) {
      rowsJson.add(
          Json.object()
              .put("id", r.id())
              .put("experiment", r.experiment())
              .put("figure", r.figure())
              .put("cpython", r.cpython())
              .put("gil4j", r.gil4j())
              .put("ratio", r.ratio())
              .put("verdict", r.verdict()));
    }
    List<Json> runsJson = new ArrayList<>();
    for (RunRecord r : runs) {
      runsJson.add(
          Json.object()
              .put("side", r.side())
              .put("id", r.id())
              .put("what", r.what())
              .put("wall_ms", r.wallMs())
              .put("load_average", r.loadAverage())
              .put("log", relative(r.log()))
              .put("problem", r.problem()));
    }
    return Json.object()
            .put("tool", "gil4j fidelity")
            .put("version", 1)
            .put("complete", complete())
            .put(
                "machine",
                Json.object()
                    .put("cores", machine.cores())
                    .put("load_average", machine.loadAverage())
                    .put("os", machine.os())
                    .put("python", machine.python())
                    .put("python_path", machine.pythonPath().toString())
                    .put("java", machine.java())
                    .put("added_load", machine.addedLoad()))
            .put("tolerance", FidelityRow.TOLERANCE)
            .put("rows", Json.array(rowsJson))
            .put("runs", Json.array(runsJson))
            .toString()
        + "\n";
  }

  private String relative(Path log) {
    Path absolute = log.toAbsolutePath().normalize();
    Path base = out.toAbsolutePath().normalize();
    return absolute.startsWith(base) ? base.relativize(absolute).toString() : absolute.toString();
  }

  private static String number(double v) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%.6g", v) : "";
  }
}

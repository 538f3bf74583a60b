package dev.gil4j.lab;

import dev.gil4j.lab.fit.Law;
import dev.gil4j.lab.fit.Parameter;
import dev.gil4j.lab.fit.Projection;
import dev.gil4j.lab.fit.Sample;
import dev.gil4j.lab.fit.ScalingFit;
import dev.gil4j.profiler.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A sweep's points as a table for people, {@code results.csv} (a row per configuration) and {@code
 * results.json} (everything, with every run) for tools. Files are written whole to a temporary name
 * and then moved into place, so that a reader — or a Ctrl-C — never finds one half-written.
 */
final class Results {
  private final ScaleOptions options;
  private final Sweep.Metric metric;
  private final List<Point> points;
  private final boolean complete;
  private final List<ModeFit> fits;

  /**
   * A mode's fits of Amdahl's law and the USL to its runs.
   *
   * @param mode the mode
   * @param fits Amdahl's, then the USL's
   */
  record ModeFit(Mode mode, List<ScalingFit> fits) {}

  /**
   * The results so far.
   *
   * @param withFits whether to fit the scaling laws (a second or so per mode: done for the final
   *     results, not after every run)
   */
  Results(
      ScaleOptions options,
      Sweep.Metric metric,
      List<Point> points,
      boolean complete,
      boolean withFits) {
    this.options = options;
    this.metric = metric;
    this.points = points;
    this.complete = complete;
    this.fits = withFits ? fit() : List.of();
  }

  /** The fits per mode with runs at two or more thread counts; empty before the final results. */
  List<ModeFit> fits() {
    return fits;
  }

  private List<ModeFit> fit() {
    List<ModeFit> out = new ArrayList<>();
    if (metric == null) {
      return out;
    }
    for (Mode mode : options.modes()) {
      List<Sample> samples = new ArrayList<>();
      for (Point p : points) {
        if (p.mode().equals(mode)) {
          for (double v : p.values()) {
            if (v > 0 && Double.isFinite(v)) {
              samples.add(
                  metric.lowerIsBetter()
                      ? Sample.ofWallTime(p.threads(), v)
                      : new Sample(p.threads(), v));
            }
          }
        }
      }
      if (samples.stream().mapToInt(Sample::n).distinct().count() >= 2) {
        out.add(
            new ModeFit(
                mode,
                List.of(ScalingFit.of(Law.AMDAHL, samples), ScalingFit.of(Law.USL, samples))));
      }
    }
    return out;
  }

  List<Point> points() {
    return points;
  }

  Sweep.Metric metric() {
    return metric;
  }

  boolean complete() {
    return complete;
  }

  ScaleOptions options() {
    return options;
  }

  /**
   * How many times better than the same mode's point at the fewest threads this point is: the ratio
   * of medians, turned so that above 1 is better; NaN without both.
   */
  double speedup(Point p) {
    Point base = baseline(p.mode());
    if (base == null || metric == null) {
      return Double.NaN;
    }
    double ratio = metric.lowerIsBetter() ? base.median() / p.median() : p.median() / base.median();
    return ratio;
  }

  /** Speedup divided by the growth in threads over the baseline's: 1 is perfect scaling. */
  double efficiency(Point p) {
    Point base = baseline(p.mode());
    return base == null ? Double.NaN : speedup(p) / ((double) p.threads() / base.threads());
  }

  /** The mode's point at its fewest threads with a figure, or null. */
  Point baseline(Mode mode) {
    for (Point p : points) {
      if (p.mode().equals(mode) && p.okRuns() > 0) {
        return p;
      }
    }
    return null;
  }

  /** The points as table cells, a header row first: the table on stdout and in the page. */
  List<String[]> rows() {
    String unit = metric == null ? "" : " " + metric.unit();
    List<String[]> rows = new ArrayList<>();
    rows.add(
        new String[] {
          "mode",
          "threads",
          "median",
          "min-max",
          "speedup",
          "efficiency",
          "GIL held",
          "waiting",
          "released",
          "hand-offs/s",
          "runs ok"
        });
    for (Point p : points) {
      GilShares g = p.gil();
      boolean gil = g != null && g.hasGil();
      rows.add(
          new String[] {
            p.mode().name(),
            Integer.toString(p.threads()),
            figure(p.median()) + unit,
            figure(p.min()) + "-" + figure(p.max()),
            ratio(speedup(p)),
            percent(efficiency(p)),
            gil ? percent(g.held()) : "-",
            gil ? percent(g.waiting()) : "-",
            gil ? percent(g.released()) : "-",
            gil ? figure(g.handOffsPerSecond()) : "-",
            p.okRuns() + "/" + p.runs().size()
          });
    }
    return rows;
  }

  /** The table printed on stdout. */
  String table() {
    List<String[]> rows = rows();
    StringBuilder out = new StringBuilder();
    out.append(
        metric == null
            ? "no run ended well: nothing to compare\n"
            : String.format(
                "%s (%s, %s is better), median of %d run(s) per configuration%n",
                metric.name(),
                metric.unit(),
                metric.lowerIsBetter() ? "lower" : "higher",
                options.repeat()));
    out.append(TextTable.render(rows, 1));
    for (Point p : points) {
      GilShares g = p.gil();
      boolean widest = p.threads() == options.threads().get(options.threads().size() - 1);
      if (widest && g != null && !g.topLocks().isEmpty()) {
        GilShares.LockWait top = g.topLocks().get(0);
        out.append(
            String.format(
                "  %s threads=%d: most waited-for lock %s, %s ms of waits per run%n",
                p.mode().name(), p.threads(), top.lock(), figure(top.waitMs())));
      }
    }
    if (!fits.isEmpty()) {
      out.append(
          String.format(
              "%nprojections: Amdahl's law and the USL fitted to every run of a mode, speedup over"
                  + " 1 thread, 90%% intervals%n"));
      int cores = Runtime.getRuntime().availableProcessors();
      if (options.threads().get(options.threads().size() - 1) > cores) {
        out.append(
            String.format(
                "(this machine has %d cores: above %d threads the runs measure the cores running"
                    + " out, which the laws read as contention; project from a machine with as many"
                    + " cores as threads, or sweep tokens:K modes)%n",
                cores, cores));
      }
      for (ModeFit f : fits) {
        out.append(f.mode().name()).append('\n');
        for (ScalingFit fit : f.fits()) {
          for (String line : fit.format().split("\\R")) {
            out.append("  ").append(line).append('\n');
          }
        }
      }
    }
    for (Point p : points) {
      for (String problem : p.problems()) {
        out.append(String.format("  %s threads=%d %s%n", p.mode().name(), p.threads(), problem));
      }
      GilShares g = p.gil();
      if (g != null && g.revocations() > 0) {
        out.append(
            String.format(
                "  %s threads=%d: the safety net revoked the GIL %d time(s); see logs/*.report.txt%n",
                p.mode().name(), p.threads(), g.revocations()));
      }
    }
    return out.toString();
  }

  /** {@code results.csv}: one row per configuration. */
  String csv() {
    StringBuilder out =
        new StringBuilder(
            "mode,threads,agent_options,metric,unit,median,min,max,speedup,efficiency,"
                + "gil_held,gil_waiting,gil_released,handoffs_per_s,revocations,runs,runs_ok,status,"
                + "top_lock\n");
    for (Point p : points) {
      GilShares g = p.gil();
      List<String> cells =
          List.of(
              p.mode().name(),
              Integer.toString(p.threads()),
              ScaleOptions.combined(p.mode(), options.agent()),
              metric == null ? "" : metric.name(),
              metric == null ? "" : metric.unit(),
              number(p.median()),
              number(p.min()),
              number(p.max()),
              number(speedup(p)),
              number(efficiency(p)),
              g == null ? "" : number(g.held()),
              g == null ? "" : number(g.waiting()),
              g == null ? "" : number(g.released()),
              g == null ? "" : number(g.handOffsPerSecond()),
              g == null ? "" : Long.toString(g.revocations()),
              Integer.toString(p.runs().size()),
              Long.toString(p.okRuns()),
              p.status(),
              g == null || g.topLocks().isEmpty() ? "" : g.topLocks().get(0).lock());
      List<String> quoted = new ArrayList<>();
      for (String c : cells) {
        quoted.add(c.matches("[^,\"\\n]*") ? c : "\"" + c.replace("\"", "\"\"") + "\"");
      }
      out.append(String.join(",", quoted)).append('\n');
    }
    return out.toString();
  }

  /** {@code results.json}: the sweep's settings, every point with its runs, and the fits. */
  String json() {
    Json root =
        Json.object()
            .put("tool", "gil4j scale")
            .put("version", 1)
            .put("complete", complete)
            .put("command", Json.strings(options.application()))
            .put("threads", Json.array(options.threads().stream().map(Json::of).toList()))
            .put("modes", Json.strings(options.modes().stream().map(Mode::name).toList()))
            .put("repeat", options.repeat())
            .put("warmup", options.warmup())
            .put("timeout_s", options.timeout().toSeconds())
            .put(
                "machine",
                Json.object()
                    .put("cores", Runtime.getRuntime().availableProcessors())
                    .put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"))
                    .put("java", options.java().toString()))
            .put(
                "metric",
                metric == null
                    ? Json.NULL
                    : Json.object()
                        .put("name", metric.name())
                        .put("unit", metric.unit())
                        .put("lower_is_better", metric.lowerIsBetter()));
    List<Json> ps = new ArrayList<>();
    for (Point p : points) {
      GilShares g = p.gil();
      List<Json> runs = new ArrayList<>();
      for (Run r : p.runs()) {
        runs.add(
            Json.object()
                .put("repeat", r.repeat())
                .put("status", r.status().name().toLowerCase(Locale.ROOT))
                .put("exit", r.exitCode())
                .put("value", r.value())
                .put("run_wall_ms", r.wallMs())
                .put("log", options.out().relativize(r.log()).toString())
                .put(
                    "dump", r.dump() == null ? null : options.out().relativize(r.dump()).toString())
                .put("problem", r.problem()));
      }
      ps.add(
          Json.object()
              .put("mode", p.mode().name())
              .put("threads", p.threads())
              .put("processes", p.mode().processes())
              .put("agent_options", ScaleOptions.combined(p.mode(), options.agent()))
              .put("status", p.status())
              .put("median", p.median())
              .put("min", p.min())
              .put("max", p.max())
              .put("speedup", speedup(p))
              .put("efficiency", efficiency(p))
              .put("gil", g == null ? Json.NULL : gil(g))
              .put("runs", Json.array(runs)));
    }
    root.put("points", Json.array(ps));
    List<Json> fitted = new ArrayList<>();
    for (ModeFit f : fits) {
      for (ScalingFit fit : f.fits()) {
        fitted.add(fitJson(f.mode(), fit));
      }
    }
    root.put("fits", Json.array(fitted));
    return root.toString() + "\n";
  }

  private static Json fitJson(Mode mode, ScalingFit fit) {
    List<Json> parameters = new ArrayList<>();
    for (Parameter p : fit.parameters()) {
      parameters.add(
          Json.object()
              .put("name", p.name())
              .put("value", p.value())
              .put("std_error", p.stdError())
              .put("low", p.low())
              .put("high", p.high()));
    }
    List<Json> projections = new ArrayList<>();
    for (Projection p : fit.projections()) {
      projections.add(
          Json.object()
              .put("n", p.n())
              .put("speedup", p.speedup())
              .put("low", p.low())
              .put("high", p.high()));
    }
    Json heldOut =
        fit.heldOut()
            .map(
                h ->
                    Json.object()
                        .put("n", h.n())
                        .put("predicted_speedup", h.predictedSpeedup())
                        .put("measured_speedup", h.measuredSpeedup())
                        .put("relative_error", h.relativeError()))
            .orElse(Json.NULL);
    return Json.object()
        .put("mode", mode.name())
        .put("law", fit.law().name().toLowerCase(Locale.ROOT))
        .put("verdict", fit.verdict().label())
        .put("supports_projection", fit.verdict().supportsProjection())
        .put("explanation", fit.explanation())
        .put("parameters", Json.array(parameters))
        .put("projections", Json.array(projections))
        .put("held_out", heldOut);
  }

  private static Json gil(GilShares g) {
    List<Json> locks = new ArrayList<>();
    for (GilShares.LockWait l : g.topLocks()) {
      locks.add(Json.object().put("lock", l.lock()).put("wait_ms", l.waitMs()));
    }
    return Json.object()
        .put("held", g.held())
        .put("waiting", g.waiting())
        .put("released", g.released())
        .put("handoffs_per_s", g.handOffsPerSecond())
        .put("revocations", g.revocations())
        .put("top_locks", Json.array(locks));
  }

  /** Writes {@code text} to {@code file} whole or not at all. */
  static void write(Path file, String text) throws IOException {
    AtomicFiles.writeString(file, text);
  }

  static String figure(double v) {
    if (Double.isNaN(v)) {
      return "-";
    }
    double a = Math.abs(v);
    return String.format(
        Locale.ROOT, a >= 1000 ? "%,.0f" : a >= 100 ? "%.1f" : a >= 10 ? "%.2f" : "%.3f", v);
  }

  static String ratio(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.2fx", v);
  }

  static String percent(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.0f%%", v * 100);
  }

  private static String number(double v) {
    return Double.isNaN(v) || Double.isInfinite(v) ? "" : String.format(Locale.ROOT, "%.6g", v);
  }
}

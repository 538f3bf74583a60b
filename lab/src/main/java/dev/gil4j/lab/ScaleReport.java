package dev.gil4j.lab;

import dev.gil4j.analysis.HtmlReport;
import dev.gil4j.lab.fit.Parameter;
import dev.gil4j.lab.fit.Projection;
import dev.gil4j.lab.fit.ScalingFit;
import dev.gil4j.lab.fit.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A sweep as one self-contained HTML page — no scripts or styles fetched from anywhere, the plots
 * drawn as inline SVG: speedup against threads per mode beside the ideal line (or, with one thread
 * count, the figure per mode), the GIL's held / waiting / released shares per configuration, and
 * its switch rate. A few lines of script mark the page rendered once the browser has laid out every
 * plot, which the tests check in headless Chromium.
 */
final class ScaleReport {
  static final String[] PALETTE = {
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"
  };
  private static final int W = 560;
  private static final int H = 320;
  private static final int LEFT = 56;
  private static final int RIGHT = 130;
  private static final int TOP = 24;
  private static final int BOTTOM = 44;

  private ScaleReport() {}

  /**
   * The page.
   *
   * @param title the page's heading
   * @param summary an optional table (header row first) shown above the sweeps, or null
   * @param sweeps the sweeps, each a section
   */
  static String html(String title, List<String[]> summary, List<Results> sweeps) {
    StringBuilder b = new StringBuilder();
    b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>")
        .append(HtmlReport.escape(title))
        .append("</title>\n<style>\n")
        .append(
            "body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1200px}\n"
                + "table{border-collapse:collapse;margin:8px 0 16px}\n"
                + "td,th{border-bottom:1px solid #ddd;padding:3px 10px;text-align:right}\n"
                + "td:first-child,th:first-child{text-align:left}\n"
                + "svg.plot{border:1px solid #eee;margin:4px 12px 12px 0;background:#fff}\n"
                + "svg text{font:11px system-ui,sans-serif;fill:#333}\n"
                + ".ideal{stroke:#999;stroke-dasharray:5 4;fill:none}\n"
                + ".axis{stroke:#444}.grid{stroke:#eee}\n"
                + ".held{fill:#2ca02c}.waiting{fill:#d62728}.released{fill:#bbb}\n"
                + ".problem{color:#b00}\n")
        .append("</style></head>\n<body data-rendered=\"false\">\n<h1>")
        .append(HtmlReport.escape(title))
        .append("</h1>\n");
    if (summary != null) {
      table(b, "summary", summary);
    }
    for (Results r : sweeps) {
      section(b, r);
    }
    b.append(
        "<script>\n"
            + "(function(){var plots=document.querySelectorAll('svg.plot');var ok=plots.length>0;\n"
            + "plots.forEach(function(s){var box=s.getBBox();"
            + "if(!(box.width>0&&box.height>0))ok=false;});\n"
            + "document.body.setAttribute('data-plots',String(plots.length));\n"
            + "document.body.setAttribute('data-rendered',String(ok));})();\n"
            + "</script>\n</body></html>\n");
    return b.toString();
  }

  private static void section(StringBuilder b, Results r) {
    ScaleOptions o = r.options();
    b.append("<section class=\"sweep\">\n<h2>")
        .append(HtmlReport.escape(application(o.application())))
        .append("</h2>\n<p class=\"command\"><code>java ")
        .append(HtmlReport.escape(command(o.application())))
        .append("</code></p>\n<p>");
    if (r.metric() == null) {
      b.append("No run ended well: nothing to compare.");
    } else {
      b.append("Figure: <b>")
          .append(HtmlReport.escape(r.metric().name()))
          .append("</b> (")
          .append(HtmlReport.escape(r.metric().unit()))
          .append(", ")
          .append(r.metric().lowerIsBetter() ? "lower" : "higher")
          .append(" is better), median of ")
          .append(o.repeat())
          .append(" run(s) per configuration")
          .append(r.complete() ? "" : " &mdash; <b>stopped early</b>: finished runs only")
          .append(".");
    }
    b.append("</p>\n");
    table(b, "points", pointRows(r));
    if (o.threads().size() > 1) {
      speedupPlot(b, r);
    } else {
      figurePlot(b, r);
    }
    if (!r.fits().isEmpty()) {
      projectionPlot(b, r);
      table(b, "fits", fitRows(r));
    }
    sharesPlot(b, r);
    switchRatePlot(b, r);
    List<String> problems = new ArrayList<>();
    for (Point p : r.points()) {
      for (String problem : p.problems()) {
        problems.add(p.mode().name() + " threads=" + p.threads() + " " + problem);
      }
    }
    if (!problems.isEmpty()) {
      b.append("<ul class=\"problems\">\n");
      for (String problem : problems) {
        b.append("<li class=\"problem\">").append(HtmlReport.escape(problem)).append("</li>\n");
      }
      b.append("</ul>\n");
    }
    b.append("</section>\n");
  }

  /** The application's arguments with each class path entry cut to its file name. */
  /**
   * What a sweep ran, as its heading says it: the main class's simple name (or the jar's file name)
   * and the arguments that follow it, without the JVM's options and class path.
   */
  static String application(List<String> args) {
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (a.equals("-jar") && i + 1 < args.size()) {
        return String.join(
            " ",
            concat(
                java.nio.file.Path.of(args.get(i + 1)).getFileName().toString(),
                args.subList(i + 2, args.size())));
      }
      if (a.equals("-cp") || a.equals("-classpath") || a.equals("--class-path")) {
        i++;
      } else if (!a.startsWith("-")) {
        String simple = a.substring(a.lastIndexOf('.') + 1);
        return String.join(" ", concat(simple, args.subList(i + 1, args.size())));
      }
    }
    return command(args);
  }

  private static List<String> concat(String first, List<String> rest) {
    List<String> all = new ArrayList<>();
    all.add(first);
    all.addAll(rest);
    return all;
  }

  static String command(List<String> args) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      out.add(a);
      if ((a.equals("-cp") || a.equals("-classpath") || a.equals("--class-path"))
          && i + 1 < args.size()) {
        List<String> names = new ArrayList<>();
        for (String entry : args.get(++i).split(java.io.File.pathSeparator)) {
          names.add(java.nio.file.Path.of(entry).getFileName().toString());
        }
        out.add(String.join(java.io.File.pathSeparator, names));
      }
    }
    return String.join(" ", out);
  }

  private static List<String[]> pointRows(Results r) {
    List<String[]> rows = new ArrayList<>();
    for (String[] row : r.rows()) {
      String[] cells = new String[row.length];
      for (int i = 0; i < row.length; i++) {
        cells[i] = HtmlReport.escape(row[i]);
      }
      rows.add(cells);
    }
    return rows;
  }

  /** A table; cells are HTML already (escaped by the caller). */
  private static void table(StringBuilder b, String cls, List<String[]> rows) {
    b.append("<table class=\"").append(cls).append("\">\n<tr>");
    for (String h : rows.get(0)) {
      b.append("<th>").append(h).append("</th>");
    }
    b.append("</tr>\n");
    for (String[] row : rows.subList(1, rows.size())) {
      b.append("<tr>");
      for (String c : row) {
        b.append("<td>").append(c).append("</td>");
      }
      b.append("</tr>\n");
    }
    b.append("</table>\n");
  }

  /** Speedup against threads per mode, min–max whiskers, and the ideal line. */
  private static void speedupPlot(StringBuilder b, Results r) {
    List<Integer> threads = r.options().threads();
    int lo = threads.get(0);
    int hi = threads.get(threads.size() - 1);
    double top = (double) hi / lo;
    for (Point p : r.points()) {
      top = Math.max(top, spread(r, p)[1]);
    }
    Axes a = new Axes(lo, hi, 0, top * 1.1, hi / lo >= 4);
    open(b, "plot speedup", "Speedup over " + lo + " thread(s), by mode");
    a.draw(b, "threads", "speedup");
    b.append("<path class=\"ideal\" d=\"M")
        .append(a.x(lo))
        .append(' ')
        .append(a.y(1))
        .append(" L")
        .append(a.x(hi))
        .append(' ')
        .append(a.y((double) hi / lo))
        .append("\"/>\n");
    int m = 0;
    for (Mode mode : r.options().modes()) {
      String color = PALETTE[m % PALETTE.length];
      StringBuilder path = new StringBuilder();
      StringBuilder marks = new StringBuilder();
      for (Point p : r.points()) {
        double s = r.speedup(p);
        if (!p.mode().equals(mode) || Double.isNaN(s)) {
          continue;
        }
        path.append(path.length() == 0 ? "M" : " L").append(a.x(p.threads())).append(' ');
        path.append(a.y(s));
        double[] range = spread(r, p);
        marks
            .append("<line class=\"whisker\" x1=\"")
            .append(a.x(p.threads()))
            .append("\" x2=\"")
            .append(a.x(p.threads()))
            .append("\" y1=\"")
            .append(a.y(range[0]))
            .append("\" y2=\"")
            .append(a.y(range[1]))
            .append("\" stroke=\"")
            .append(color)
            .append("\"/>\n<circle class=\"point\" data-threads=\"")
            .append(p.threads())
            .append("\" data-speedup=\"")
            .append(String.format(Locale.ROOT, "%.4f", s))
            .append("\" cx=\"")
            .append(a.x(p.threads()))
            .append("\" cy=\"")
            .append(a.y(s))
            .append("\" r=\"3.5\" fill=\"")
            .append(color)
            .append("\"/>\n");
      }
      b.append("<g class=\"series\" data-mode=\"")
          .append(HtmlReport.escape(mode.name()))
          .append("\">\n");
      if (path.length() > 0) {
        b.append("<path d=\"")
            .append(path)
            .append("\" fill=\"none\" stroke-width=\"2\" stroke=\"")
            .append(color)
            .append("\"/>\n");
      }
      b.append(marks);
      legend(b, m, mode.name(), color);
      b.append("</g>\n");
      m++;
    }
    legend(b, m, "ideal", "#999");
    b.append("</svg>\n");
  }

  /**
   * Each mode's fitted curve (USL, or Amdahl with two thread counts) out to the projections' reach,
   * its 90% band there, and the measured medians; a curve whose verdict does not support a
   * projection is dashed.
   */
  private static void projectionPlot(StringBuilder b, Results r) {
    int reach = r.options().threads().get(r.options().threads().size() - 1);
    double top = 1;
    for (Results.ModeFit f : r.fits()) {
      ScalingFit law = curve(f);
      if (law == null || law.verdict() == Verdict.NOT_ENOUGH_POINTS) {
        continue;
      }
      for (Projection p : law.projections()) {
        reach = Math.max(reach, p.n());
        top = Math.max(top, Double.isFinite(p.high()) ? p.high() : p.speedup());
      }
      top = Math.max(top, law.speedupAt(reach));
    }
    top = Math.min(top, reach);
    Axes a = new Axes(1, reach, 0, top * 1.05, true);
    open(b, "plot projection", "Projection: speedup over 1 thread, 90% band");
    a.draw(b, "threads (or tokens)", "speedup");
    int m = 0;
    for (Mode mode : r.options().modes()) {
      String color = PALETTE[m % PALETTE.length];
      Results.ModeFit f =
          r.fits().stream().filter(x -> x.mode().equals(mode)).findFirst().orElse(null);
      m++;
      ScalingFit law = f == null ? null : curve(f);
      if (law == null || law.verdict() == Verdict.NOT_ENOUGH_POINTS) {
        // Too few thread counts to fit a law: the measured points, no curve and no band.
        measured(b, a, r, mode, color, top);
        legend(b, m - 1, mode.name() + " (not enough points to project)", color);
        continue;
      }
      b.append("<g class=\"fit\" data-mode=\"")
          .append(HtmlReport.escape(mode.name()))
          .append("\" data-verdict=\"")
          .append(HtmlReport.escape(law.verdict().label()))
          .append("\">\n");
      List<Projection> band = law.projections();
      if (!band.isEmpty()) {
        StringBuilder poly = new StringBuilder();
        for (Projection p : band) {
          poly.append(a.x(p.n())).append(',').append(a.y(Math.min(p.high(), top))).append(' ');
        }
        for (int i = band.size() - 1; i >= 0; i--) {
          Projection p = band.get(i);
          poly.append(a.x(p.n())).append(',').append(a.y(Math.max(p.low(), 0))).append(' ');
        }
        b.append("<polygon class=\"band\" points=\"")
            .append(poly.toString().trim())
            .append("\" fill=\"")
            .append(color)
            .append("\" fill-opacity=\"0.15\"/>\n");
      }
      StringBuilder path = new StringBuilder();
      for (double n = 1; n <= reach * 1.0001; n *= Math.pow(2, 0.125)) {
        path.append(path.length() == 0 ? "M" : " L")
            .append(a.x(n))
            .append(' ')
            .append(a.y(Math.min(law.speedupAt(n), top)));
      }
      b.append("<path class=\"curve\" d=\"")
          .append(path)
          .append("\" fill=\"none\" stroke-width=\"2\" stroke=\"")
          .append(color)
          .append('"')
          .append(law.verdict().supportsProjection() ? "" : " stroke-dasharray=\"6 4\"")
          .append("/>\n");
      measured(b, a, r, mode, color, top);
      legend(
          b,
          m - 1,
          mode.name() + " (" + law.law().title() + ": " + law.verdict().label() + ")",
          color);
      b.append("</g>\n");
    }
    b.append("</svg>\n");
  }

  /** A mode's measured speedups, as dots. */
  private static void measured(
      StringBuilder b, Axes a, Results r, Mode mode, String color, double top) {
    for (Point p : r.points()) {
      double s = r.speedup(p);
      if (p.mode().equals(mode) && Double.isFinite(s)) {
        b.append("<circle class=\"measured\" cx=\"")
            .append(a.x(p.threads()))
            .append("\" cy=\"")
            .append(a.y(Math.min(s, top)))
            .append("\" r=\"3\" fill=\"")
            .append(color)
            .append("\"/>\n");
      }
    }
  }

  /**
   * The law a mode's curve is drawn from: the USL where it could be fitted (3 thread counts or
   * more), else Amdahl's law (2), else none.
   */
  private static ScalingFit curve(Results.ModeFit f) {
    for (int i = f.fits().size() - 1; i >= 0; i--) {
      if (!f.fits().get(i).parameters().isEmpty()) {
        return f.fits().get(i);
      }
    }
    return null;
  }

  private static List<String[]> fitRows(Results r) {
    List<String[]> rows = new ArrayList<>();
    rows.add(
        new String[] {
          "mode",
          "law",
          "verdict",
          "parameters (90% interval)",
          "speedup at the furthest n",
          "held-out check"
        });
    for (Results.ModeFit f : r.fits()) {
      for (ScalingFit fit : f.fits()) {
        List<String> parameters = new ArrayList<>();
        for (Parameter p : fit.parameters()) {
          parameters.add(HtmlReport.escape(p.format()));
        }
        List<Projection> ps = fit.projections();
        rows.add(
            new String[] {
              HtmlReport.escape(f.mode().name()),
              HtmlReport.escape(fit.law().title()),
              "<span title=\""
                  + HtmlReport.escape(fit.explanation())
                  + "\">"
                  + HtmlReport.escape(fit.verdict().label())
                  + "</span>",
              String.join("<br>", parameters),
              ps.isEmpty() ? "-" : HtmlReport.escape(ps.get(ps.size() - 1).format()),
              fit.heldOut().map(h -> HtmlReport.escape(h.format())).orElse("-")
            });
      }
    }
    return rows;
  }

  /** The speedups the best and worst run of a point would give, low first. */
  private static double[] spread(Results r, Point p) {
    Point base = r.baseline(p.mode());
    if (base == null) {
      return new double[] {Double.NaN, Double.NaN};
    }
    double m = base.median();
    double a = r.metric().lowerIsBetter() ? m / p.max() : p.min() / m;
    double c = r.metric().lowerIsBetter() ? m / p.min() : p.max() / m;
    return new double[] {a, c};
  }

  /** With one thread count: the figure per mode, as bars. */
  private static void figurePlot(StringBuilder b, Results r) {
    List<Point> points = r.points().stream().filter(p -> p.okRuns() > 0).toList();
    if (points.isEmpty() || r.metric() == null) {
      return;
    }
    double top = points.stream().mapToDouble(Point::max).max().orElse(1);
    List<String> labels = points.stream().map(p -> p.mode().name()).toList();
    List<double[]> values = points.stream().map(p -> new double[] {p.median()}).toList();
    bars(
        b,
        "plot figure",
        r.metric().name() + " (" + r.metric().unit() + ") by mode",
        labels,
        values,
        new String[] {"value"},
        top,
        false);
  }

  private static void sharesPlot(StringBuilder b, Results r) {
    List<String> labels = new ArrayList<>();
    List<double[]> values = new ArrayList<>();
    for (Point p : r.points()) {
      GilShares g = p.gil();
      if (g != null && g.hasGil()) {
        labels.add(p.mode().name() + " t=" + p.threads());
        values.add(new double[] {g.held() * 100, g.waiting() * 100, g.released() * 100});
      }
    }
    if (!labels.isEmpty()) {
      bars(
          b,
          "plot shares",
          "GIL: share of registered thread time (%)",
          labels,
          values,
          new String[] {"held", "waiting", "released"},
          100,
          true);
    }
  }

  private static void switchRatePlot(StringBuilder b, Results r) {
    List<String> labels = new ArrayList<>();
    List<double[]> values = new ArrayList<>();
    double top = 1;
    for (Point p : r.points()) {
      GilShares g = p.gil();
      if (g != null && g.hasGil()) {
        labels.add(p.mode().name() + " t=" + p.threads());
        values.add(new double[] {g.handOffsPerSecond()});
        top = Math.max(top, g.handOffsPerSecond());
      }
    }
    if (!labels.isEmpty()) {
      bars(
          b,
          "plot switch-rate",
          "GIL hand-offs per second",
          labels,
          values,
          new String[] {"handoffs"},
          top,
          false);
    }
  }

  /** Horizontal bars, one per label; with {@code stacked}, each value a segment of its bar. */
  private static void bars(
      StringBuilder b,
      String cls,
      String title,
      List<String> labels,
      List<double[]> values,
      String[] parts,
      double top,
      boolean stacked) {
    int rowH = 22;
    int labelW = 120;
    int plotW = W - labelW - 70;
    int height = TOP + rowH * labels.size() + 30;
    b.append("<svg class=\"")
        .append(cls)
        .append("\" width=\"")
        .append(W)
        .append("\" height=\"")
        .append(height)
        .append("\" data-title=\"")
        .append(HtmlReport.escape(title))
        .append("\"><text x=\"8\" y=\"16\" font-weight=\"bold\">")
        .append(HtmlReport.escape(title))
        .append("</text>\n");
    for (int i = 0; i < labels.size(); i++) {
      int y = TOP + i * rowH;
      b.append("<g class=\"bar\" data-label=\"")
          .append(HtmlReport.escape(labels.get(i)))
          .append("\"><text x=\"8\" y=\"")
          .append(y + 15)
          .append("\">")
          .append(HtmlReport.escape(labels.get(i)))
          .append("</text>");
      double x = labelW;
      for (int k = 0; k < parts.length; k++) {
        double v = values.get(i)[k];
        double w = Double.isNaN(v) ? 0 : Math.max(0.5, v / top * plotW);
        b.append("<rect class=\"")
            .append(parts[k])
            .append("\" x=\"")
            .append(fmt(x))
            .append("\" y=\"")
            .append(y + 3)
            .append("\" width=\"")
            .append(fmt(w))
            .append("\" height=\"")
            .append(rowH - 6)
            .append("\"")
            .append(stacked ? "" : " fill=\"" + PALETTE[i % PALETTE.length] + "\"")
            .append("><title>")
            .append(parts[k])
            .append(' ')
            .append(Results.figure(v))
            .append("</title></rect>");
        if (stacked) {
          x += w;
        } else {
          b.append("<text x=\"")
              .append(fmt(x + w + 4))
              .append("\" y=\"")
              .append(y + 15)
              .append("\">")
              .append(Results.figure(v))
              .append("</text>");
        }
      }
      b.append("</g>\n");
    }
    if (stacked) {
      int y = TOP + labels.size() * rowH + 18;
      for (int k = 0; k < parts.length; k++) {
        b.append("<rect class=\"")
            .append(parts[k])
            .append("\" x=\"")
            .append(labelW + k * 90)
            .append("\" y=\"")
            .append(y - 10)
            .append("\" width=\"12\" height=\"12\"/><text x=\"")
            .append(labelW + k * 90 + 16)
            .append("\" y=\"")
            .append(y)
            .append("\">")
            .append(parts[k])
            .append("</text>");
      }
    }
    b.append("</svg>\n");
  }

  private static void open(StringBuilder b, String cls, String title) {
    b.append("<svg class=\"")
        .append(cls)
        .append("\" width=\"")
        .append(W)
        .append("\" height=\"")
        .append(H)
        .append("\" data-title=\"")
        .append(HtmlReport.escape(title))
        .append("\"><text x=\"8\" y=\"16\" font-weight=\"bold\">")
        .append(HtmlReport.escape(title))
        .append("</text>\n");
  }

  private static void legend(StringBuilder b, int i, String name, String color) {
    int y = TOP + 16 + i * 18;
    int x = W - RIGHT + 14;
    b.append("<line x1=\"")
        .append(x)
        .append("\" x2=\"")
        .append(x + 18)
        .append("\" y1=\"")
        .append(y - 4)
        .append("\" y2=\"")
        .append(y - 4)
        .append("\" stroke-width=\"2\" stroke=\"")
        .append(color)
        .append("\"/><text class=\"legend\" x=\"")
        .append(x + 24)
        .append("\" y=\"")
        .append(y)
        .append("\">")
        .append(HtmlReport.escape(name))
        .append("</text>\n");
  }

  /** Plot coordinates: x linear or log2, y linear from 0. */
  static final class Axes {
    final double x0;
    final double x1;
    final double y0;
    final double y1;
    final boolean log;

    Axes(double x0, double x1, double y0, double y1, boolean log) {
      this.x0 = x0;
      this.x1 = x1 > x0 ? x1 : x0 + 1;
      this.y0 = y0;
      this.y1 = y1 > y0 ? y1 : y0 + 1;
      this.log = log;
    }

    String x(double v) {
      double f =
          log ? (Math.log(v) - Math.log(x0)) / (Math.log(x1) - Math.log(x0)) : (v - x0) / (x1 - x0);
      return fmt(LEFT + f * (W - LEFT - RIGHT));
    }

    String y(double v) {
      return fmt(H - BOTTOM - (v - y0) / (y1 - y0) * (H - TOP - BOTTOM));
    }

    void draw(StringBuilder b, String xLabel, String yLabel) {
      List<Double> xs = new ArrayList<>();
      if (log) {
        for (double v = x0; v <= x1 * 1.0001; v *= 2) {
          xs.add(v);
        }
      } else {
        double step = Math.max(1, Math.ceil((x1 - x0) / 8));
        for (double v = x0; v <= x1 + 1e-9; v += step) {
          xs.add(v);
        }
      }
      for (double v : xs) {
        b.append("<line class=\"grid\" x1=\"")
            .append(x(v))
            .append("\" x2=\"")
            .append(x(v))
            .append("\" y1=\"")
            .append(y(y0))
            .append("\" y2=\"")
            .append(y(y1))
            .append("\"/><text x=\"")
            .append(x(v))
            .append("\" y=\"")
            .append(H - BOTTOM + 16)
            .append("\" text-anchor=\"middle\">")
            .append(Results.figure(v).replaceAll("\\.0+$", ""))
            .append("</text>\n");
      }
      double step = niceStep((y1 - y0) / 5);
      for (double v = y0; v <= y1 + 1e-9; v += step) {
        b.append("<line class=\"grid\" x1=\"")
            .append(LEFT)
            .append("\" x2=\"")
            .append(W - RIGHT)
            .append("\" y1=\"")
            .append(y(v))
            .append("\" y2=\"")
            .append(y(v))
            .append("\"/><text x=\"")
            .append(LEFT - 6)
            .append("\" y=\"")
            .append(y(v))
            .append("\" dy=\"4\" text-anchor=\"end\">")
            .append(Results.figure(v))
            .append("</text>\n");
      }
      b.append("<line class=\"axis\" x1=\"")
          .append(LEFT)
          .append("\" x2=\"")
          .append(W - RIGHT)
          .append("\" y1=\"")
          .append(y(y0))
          .append("\" y2=\"")
          .append(y(y0))
          .append("\"/><line class=\"axis\" x1=\"")
          .append(LEFT)
          .append("\" x2=\"")
          .append(LEFT)
          .append("\" y1=\"")
          .append(y(y0))
          .append("\" y2=\"")
          .append(y(y1))
          .append("\"/>\n<text x=\"")
          .append((LEFT + W - RIGHT) / 2)
          .append("\" y=\"")
          .append(H - 8)
          .append("\" text-anchor=\"middle\">")
          .append(HtmlReport.escape(xLabel))
          .append("</text><text x=\"14\" y=\"")
          .append(H / 2)
          .append("\" transform=\"rotate(-90 14 ")
          .append(H / 2)
          .append(")\" text-anchor=\"middle\">")
          .append(HtmlReport.escape(yLabel))
          .append("</text>\n");
    }

    private static double niceStep(double raw) {
      double p = Math.pow(10, Math.floor(Math.log10(raw)));
      double f = raw / p;
      return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
    }
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }
}

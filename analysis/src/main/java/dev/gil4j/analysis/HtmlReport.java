package dev.gil4j.analysis;

import static dev.gil4j.profiler.ExitReport.formatDuration;

import dev.gil4j.analysis.rules.Gil4jRules;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * The {@code report} command's HTML: one self-contained page (no external resources: CSS, script
 * and data inline) with the lock table, a percentile-distribution plot per top lock in
 * HdrHistogram's style (x: percentile on a log scale of 1/(1-p); y: latency), a per-thread GIL
 * timeline (held, waiting, released per period; holds and waits as they happened), the GIL table,
 * revocations, pipes and gil4j's JMC rule results. Tables are plain HTML; the plots are SVG drawn
 * by the inline script from the embedded data.
 */
public final class HtmlReport {
  static final int PLOTS = 8;

  /** Spans per timeline lane, after merging spans closer than a pixel or so. */
  static final int SPANS = 4000;

  private HtmlReport() {}

  /** The page. */
  public static String render(RecordingSummary s, List<Gil4jRules.Outcome> rules) {
    Map<String, String> parts = new LinkedHashMap<>();
    parts.put("%%TITLE%%", escape("gil4j report — " + s.file().getFileName()));
    parts.put("%%BODY%%", body(s, rules));
    parts.put("%%DATA%%", data(s));
    parts.put("%%SCRIPT%%", resource("report.js"));
    return fill(resource("report.html"), parts);
  }

  /** {@code template} with each marker replaced once; the inserted text is not searched again. */
  private static String fill(String template, Map<String, String> parts) {
    StringBuilder out = new StringBuilder(template.length() * 4);
    int at = 0;
    while (true) {
      int next = -1;
      String marker = null;
      for (String m : parts.keySet()) {
        int i = template.indexOf(m, at);
        if (i >= 0 && (next < 0 || i < next)) {
          next = i;
          marker = m;
        }
      }
      if (marker == null) {
        return out.append(template, at, template.length()).toString();
      }
      out.append(template, at, next).append(parts.get(marker));
      at = next + marker.length();
    }
  }

  private static String body(RecordingSummary s, List<Gil4jRules.Outcome> rules) {
    StringBuilder b = new StringBuilder(8192);
    b.append("<h1>gil4j contention report</h1>\n<p class=\"meta\">")
        .append(escape(s.file().toString()))
        .append(" — ")
        .append(escape(formatDuration(s.duration().toNanos())))
        .append(" recorded from ")
        .append(escape(s.start().toString()))
        .append(", ")
        .append(s.events())
        .append(" events")
        .append(s.jvm().isEmpty() ? "" : ", " + escape(s.jvm()))
        .append("</p>\n");
    rulesSection(b, rules);
    lockSection(b, s);
    b.append("<section id=\"percentiles\"><h2>Wait-time distributions</h2>\n")
        .append("<p class=\"note\">Percentile on a log scale (each step right is ten times rarer),")
        .append(" latency up; wait and hold times per lock, every one of them where gil4j's")
        .append(" histograms were recorded, else the events over the threshold.</p>\n")
        .append("<div class=\"plots\" id=\"plots\"></div></section>\n");
    b.append("<section id=\"timeline\"><h2>GIL timeline per thread</h2>\n")
        .append("<p class=\"note\"><span class=\"key held\"></span>held")
        .append(" <span class=\"key waiting\"></span>waiting")
        .append(" <span class=\"key released\"></span>released — upper band: each hold")
        .append(" (gil4j.GilDrop) and wait (gil4j.GilWait) over its threshold as it happened;")
        .append(" lower band: shares per period (gil4j.GilStatistics).</p>\n")
        .append("<div id=\"timeline-plot\"></div></section>\n");
    gilSection(b, s);
    revocationSection(b, s);
    pipeSection(b, s);
    return b.toString();
  }

  private static void rulesSection(StringBuilder b, List<Gil4jRules.Outcome> rules) {
    if (rules.isEmpty()) {
      return;
    }
    b.append("<section id=\"rules\"><h2>JMC rules</h2>\n<ul class=\"rules\">\n");
    for (Gil4jRules.Outcome r : rules) {
      b.append("<li class=\"severity-")
          .append(escape(r.severity().toLowerCase(Locale.ROOT)))
          .append("\"><b>")
          .append(escape(r.severity()))
          .append("</b> ")
          .append(escape(r.name()))
          .append(": ")
          .append(escape(r.summary()));
      if (!r.explanation().isEmpty()) {
        b.append("<br><span class=\"note\">").append(escape(r.explanation())).append("</span>");
      }
      b.append("</li>\n");
    }
    b.append("</ul></section>\n");
  }

  private static void lockSection(StringBuilder b, RecordingSummary s) {
    b.append("<section id=\"locks\"><h2>Locks, most total wait first</h2>\n");
    List<RecordingSummary.Lock> locks = s.locks();
    if (locks.isEmpty()) {
      b.append("<p>No contention recorded.</p></section>\n");
      return;
    }
    b.append("<table class=\"locks\"><tr><th>#</th><th>total wait</th><th>waits</th>")
        .append("<th>p50</th><th>p99</th><th>max</th><th>hold p99</th><th class=\"text\">lock</th>")
        .append("<th class=\"text\">site</th><th class=\"text\">owners while others waited</th>")
        .append("</tr>\n");
    int rank = 0;
    for (RecordingSummary.Lock l : locks.subList(0, Math.min(TextReport.LOCKS, locks.size()))) {
      rank++;
      Histogram w = l.waits();
      b.append("<tr><td>")
          .append(rank)
          .append("</td><td>")
          .append(escape(formatDuration(l.totalWaitNanos())))
          .append("</td><td>")
          .append(w.getTotalCount())
          .append(l.complete() ? "" : "<sup title=\"waits over the event threshold only\">*</sup>")
          .append("</td><td>")
          .append(cell(w, 50))
          .append("</td><td>")
          .append(cell(w, 99))
          .append("</td><td>")
          .append(cell(w, 100))
          .append("</td><td>")
          .append(cell(l.holds(), 99))
          .append("</td><td class=\"text\">")
          .append(escape(l.lockClass()))
          .append("</td><td class=\"text site\">")
          .append(escape(l.site()))
          .append("</td><td class=\"text\">")
          .append(escape(TextReport.owners(l)))
          .append("</td></tr>\n");
    }
    b.append("</table>\n<p class=\"note\">* waits over the event threshold only")
        .append(" (gil4j.LockWait, jdk.JavaMonitorEnter).</p></section>\n");
  }

  private static void gilSection(StringBuilder b, RecordingSummary s) {
    List<RecordingSummary.GilThread> threads = s.gilThreads();
    b.append("<section id=\"gil\"><h2>GIL load per thread</h2>\n");
    if (threads.isEmpty()) {
      b.append("<p>No gil4j.GilStatistics events (gil=off, or not recorded).</p></section>\n");
      return;
    }
    b.append("<table class=\"gil\"><tr><th class=\"text\">thread</th><th>held</th><th>waiting</th>")
        .append("<th>released</th><th>takes</th><th>contended</th><th>forced drops</th>")
        .append("<th>revoked</th></tr>\n");
    for (RecordingSummary.GilThread t : threads) {
      gilRow(b, t.name(), t);
    }
    if (s.gilOverall().registeredNanos() > 0) {
      gilRow(b, "all threads", s.gilOverall());
    }
    b.append("</table></section>\n");
  }

  private static void gilRow(StringBuilder b, String name, RecordingSummary.GilThread t) {
    long whole = t.registeredNanos();
    b.append("<tr><td class=\"text\">")
        .append(escape(name))
        .append("</td><td>")
        .append(percent(t.heldNanos(), whole))
        .append("</td><td>")
        .append(percent(t.waitNanos(), whole))
        .append("</td><td>")
        .append(percent(t.releasedNanos(), whole))
        .append("</td><td>")
        .append(t.takes())
        .append("</td><td>")
        .append(t.contendedTakes())
        .append("</td><td>")
        .append(t.forcedDrops())
        .append("</td><td>")
        .append(t.revocations())
        .append("</td></tr>\n");
  }

  private static void revocationSection(StringBuilder b, RecordingSummary s) {
    if (s.revokedStacks().isEmpty()) {
      return;
    }
    b.append("<section id=\"revocations\"><h2>GIL revocations</h2>\n");
    for (RecordingSummary.Revoked r : s.revokedStacks()) {
      b.append("<p>")
          .append(r.count())
          .append(" × ")
          .append(escape(r.reason()))
          .append(", holder ")
          .append(escape(String.join(", ", r.holders().keySet())))
          .append("</p>\n<pre>")
          .append(escape(r.stack()))
          .append("</pre>\n");
    }
    b.append("</section>\n");
  }

  private static void pipeSection(StringBuilder b, RecordingSummary s) {
    if (s.pipes().isEmpty()) {
      return;
    }
    b.append("<section id=\"pipes\"><h2>Pipes</h2>\n<table class=\"pipes\">")
        .append("<tr><th class=\"text\">pipe</th>")
        .append("<th>direction</th><th>calls</th><th>bytes</th><th>total</th><th>p99</th>")
        .append("<th>max</th></tr>\n");
    for (RecordingSummary.Pipe p : s.pipes()) {
      b.append("<tr><td class=\"text site\">")
          .append(escape(p.pipe()))
          .append("</td><td>")
          .append(escape(p.direction()))
          .append("</td><td>")
          .append(p.count())
          .append("</td><td>")
          .append(p.bytes())
          .append("</td><td>")
          .append(escape(formatDuration(p.totalNanos())))
          .append("</td><td>")
          .append(cell(p.times(), 99))
          .append("</td><td>")
          .append(cell(p.times(), 100))
          .append("</td></tr>\n");
    }
    b.append("</table></section>\n");
  }

  private static String data(RecordingSummary s) {
    StringBuilder j = new StringBuilder(1 << 16);
    j.append("{\"durationUs\":").append(s.duration().toNanos() / 1000).append(",\"plots\":[");
    int n = 0;
    if (s.gilWaits().getTotalCount() > 0 || s.gilHolds().getTotalCount() > 0) {
      Map<String, Histogram> series = new LinkedHashMap<>();
      series.put("wait", s.gilWaits());
      series.put("hold", s.gilHolds());
      plot(j, "GIL", "gil4j.GilWait, gil4j.GilDrop (over their thresholds)", series);
      n++;
    }
    for (RecordingSummary.Lock l : s.locks()) {
      if (n >= PLOTS) {
        break;
      }
      if (l.waits().getTotalCount() == 0) {
        continue;
      }
      Map<String, Histogram> series = new LinkedHashMap<>();
      series.put("wait", l.waits());
      series.put("hold", l.holds());
      j.append(n > 0 ? "," : "");
      plot(j, l.lockClass(), l.site() + (l.complete() ? "" : " (waits over threshold)"), series);
      n++;
    }
    j.append("],\"threads\":[");
    List<String> order = new ArrayList<>();
    for (RecordingSummary.GilThread t : s.gilThreads()) {
      order.add(t.name());
    }
    for (String t : s.timelines().keySet()) {
      if (!order.contains(t)) {
        order.add(t);
      }
    }
    long gap = Math.max(1, s.duration().toNanos() / 1000 / 3000);
    boolean first = true;
    for (String name : order.subList(0, Math.min(TextReport.THREADS, order.size()))) {
      RecordingSummary.Timeline t = s.timelines().get(name);
      if (t == null) {
        continue;
      }
      j.append(first ? "" : ",").append("{\"name\":").append(string(name)).append(",\"periods\":[");
      first = false;
      boolean firstPeriod = true;
      for (double[] p : t.periods()) {
        j.append(firstPeriod ? "" : ",")
            .append('[')
            .append(Math.round(p[0]))
            .append(',')
            .append(Math.round(p[1]))
            .append(',')
            .append(Math.round(p[2]))
            .append(',')
            .append(Math.round(p[3]))
            .append(',')
            .append(Math.round(p[4]))
            .append(']');
        firstPeriod = false;
      }
      j.append("],\"holds\":");
      spans(j, merge(t.holds(), gap));
      j.append(",\"waits\":");
      spans(j, merge(t.waits(), gap));
      j.append('}');
    }
    j.append("]}");
    return j.toString();
  }

  private static void plot(
      StringBuilder j, String title, String subtitle, Map<String, Histogram> series) {
    j.append("{\"title\":")
        .append(string(title))
        .append(",\"subtitle\":")
        .append(string(subtitle))
        .append(",\"series\":[");
    boolean first = true;
    for (Map.Entry<String, Histogram> e : series.entrySet()) {
      if (e.getValue().getTotalCount() == 0) {
        continue;
      }
      j.append(first ? "" : ",")
          .append("{\"name\":")
          .append(string(e.getKey()))
          .append(",\"count\":")
          .append(e.getValue().getTotalCount())
          .append(",\"points\":[");
      first = false;
      boolean firstPoint = true;
      for (double[] p : percentileSeries(e.getValue())) {
        j.append(firstPoint ? "" : ",")
            .append('[')
            .append(String.format(Locale.ROOT, "%.6g", p[0]))
            .append(',')
            .append((long) p[1])
            .append(']');
        firstPoint = false;
      }
      j.append("]}");
    }
    j.append("]}");
  }

  /**
   * HdrHistogram's percentile distribution as plot points {@code [1/(1-p), value]}: five steps per
   * halving of the remaining tail, as its {@code outputPercentileDistribution} prints; the 100%
   * point (the max) is placed at x = count, where one sample in {@code count} sits.
   */
  static List<double[]> percentileSeries(Histogram h) {
    List<double[]> out = new ArrayList<>();
    double lastX = 1;
    for (HistogramIterationValue v : h.percentiles(5)) {
      double p = v.getPercentileLevelIteratedTo() / 100.0;
      double x = p >= 1.0 ? Math.max(lastX, h.getTotalCount()) : 1 / (1 - p);
      out.add(new double[] {x, h.highestEquivalentValue(v.getValueIteratedTo())});
      lastX = x;
      if (p >= 1.0) {
        break;
      }
    }
    return out;
  }

  /** Spans {@code [start, length]} sorted by start, merged where less than {@code gap} apart. */
  static List<long[]> merge(List<long[]> spans, long gap) {
    List<long[]> out = new ArrayList<>();
    long[] cur = null;
    for (long[] s : spans) {
      if (cur != null && s[0] <= cur[0] + cur[1] + gap) {
        cur[1] = Math.max(cur[1], s[0] + s[1] - cur[0]);
      } else {
        cur = new long[] {s[0], s[1]};
        out.add(cur);
      }
    }
    return out.size() <= SPANS ? out : merge(out, gap * 2);
  }

  private static void spans(StringBuilder j, List<long[]> spans) {
    j.append('[');
    for (int i = 0; i < spans.size(); i++) {
      j.append(i == 0 ? "" : ",")
          .append('[')
          .append(spans.get(i)[0])
          .append(',')
          .append(spans.get(i)[1])
          .append(']');
    }
    j.append(']');
  }

  /** A JSON string literal that is also safe inside a script element. */
  static String string(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0x2028 || c == 0x2029) {
        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }

  /** {@code s} as HTML text or attribute value. */
  public static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  private static String cell(Histogram h, double p) {
    if (h.getTotalCount() == 0) {
      return "-";
    }
    return escape(formatDuration(p >= 100 ? h.getMaxValue() : h.getValueAtPercentile(p)));
  }

  private static String percent(long part, long whole) {
    return String.format(Locale.ROOT, "%.1f%%", whole <= 0 ? 0.0 : 100.0 * part / whole);
  }

  private static String resource(String name) {
    try (InputStream in = HtmlReport.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name + " beside HtmlReport");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

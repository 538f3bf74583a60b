package dev.gil4j.analysis;

import static dev.gil4j.profiler.ExitReport.formatDuration;

import dev.gil4j.analysis.rules.Gil4jRules;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The {@code report} command's text: locks ranked by total wait with their percentiles and owner
 * threads, the GIL's load per thread, revocations, pipes, and gil4j's JMC rule results.
 */
public final class TextReport {
  static final int LOCKS = 15;
  static final int THREADS = 20;
  static final int STACKS = 3;
  static final int FRAMES = 8;

  private TextReport() {}

  /** The report, several lines, each ending with a newline. */
  public static String format(RecordingSummary s, List<Gil4jRules.Outcome> rules) {
    StringBuilder out = new StringBuilder(4096);
    line(out, "gil4j report: %s", s.file());
    line(
        out,
        "  %s recorded from %s, %d events%s",
        formatDuration(s.duration().toNanos()),
        s.start(),
        s.events(),
        s.jvm().isEmpty() ? "" : ", " + s.jvm());
    locks(out, s);
    gil(out, s);
    revocations(out, s);
    pipes(out, s);
    rules(out, rules);
    return out.toString();
  }

  private static void locks(StringBuilder out, RecordingSummary s) {
    List<RecordingSummary.Lock> locks = s.locks();
    line(out, "");
    if (locks.isEmpty()) {
      line(
          out,
          "Locks: no contention recorded (no gil4j.ContentionHistogram, gil4j.LockWait or"
              + " jdk.JavaMonitorEnter events)");
      return;
    }
    line(out, "Locks, most total wait first");
    line(
        out,
        "  %2s  %10s %9s %9s %9s %9s  %s",
        "#",
        "total wait",
        "waits",
        "p50",
        "p99",
        "max",
        "lock, site");
    int rank = 0;
    for (RecordingSummary.Lock l : locks.subList(0, Math.min(LOCKS, locks.size()))) {
      rank++;
      Histogram w = l.waits();
      line(
          out,
          "  %2d  %10s %9d %9s %9s %9s  %s %s",
          rank,
          formatDuration(l.totalWaitNanos()),
          w.getTotalCount(),
          percentile(w, 50),
          percentile(w, 99),
          w.getTotalCount() == 0 ? "-" : formatDuration(w.getMaxValue()),
          l.lockClass(),
          l.site());
      StringBuilder detail = new StringBuilder();
      if (!l.complete()) {
        detail.append(
            l.source().equals("jdk")
                ? "from jdk.JavaMonitorEnter (waits over its threshold)"
                : "from gil4j.LockWait (waits over its threshold)");
      }
      if (l.holds().getTotalCount() > 0) {
        append(
            detail,
            "hold p50=%s p99=%s max=%s",
            formatDuration(l.holds().getValueAtPercentile(50)),
            formatDuration(l.holds().getValueAtPercentile(99)),
            formatDuration(l.holds().getMaxValue()));
      }
      String owners = owners(l);
      if (!owners.isEmpty()) {
        append(detail, "owners while others waited: %s", owners);
      }
      if (detail.length() > 0) {
        line(out, "  %2s  %s", "", detail);
      }
    }
    if (locks.size() > LOCKS) {
      line(out, "  (%d more locks)", locks.size() - LOCKS);
    }
  }

  /**
   * Up to four owner threads with their share of the lock's waits, e.g. {@code w-1 62%, w-2 38%}.
   */
  static String owners(RecordingSummary.Lock l) {
    List<Map.Entry<String, Long>> owners = l.owners();
    long total = owners.stream().mapToLong(Map.Entry::getValue).sum();
    StringBuilder b = new StringBuilder();
    for (Map.Entry<String, Long> o : owners.subList(0, Math.min(4, owners.size()))) {
      if (200 * o.getValue() < total) {
        break;
      }
      if (b.length() > 0) {
        b.append(", ");
      }
      b.append(o.getKey())
          .append(
              String.format(
                  Locale.ROOT, " %.0f%%", total == 0 ? 0.0 : 100.0 * o.getValue() / total));
    }
    if (owners.size() > 4) {
      b.append(", …");
    }
    return b.toString();
  }

  private static void gil(StringBuilder out, RecordingSummary s) {
    List<RecordingSummary.GilThread> threads = s.gilThreads();
    line(out, "");
    if (threads.isEmpty()
        && s.gilWaits().getTotalCount() == 0
        && s.gilHolds().getTotalCount() == 0) {
      line(out, "GIL: no GIL events (gil=off, or gil4j.GilStatistics not recorded)");
      return;
    }
    line(out, "GIL load per thread (gil4j.GilStatistics)");
    line(
        out,
        "  %-24s %8s %8s %8s %9s %9s %7s %7s",
        "thread",
        "held",
        "waiting",
        "released",
        "takes",
        "contended",
        "forced",
        "revoked");
    for (RecordingSummary.GilThread t : threads.subList(0, Math.min(THREADS, threads.size()))) {
      gilRow(out, t.name(), t);
    }
    if (threads.size() > THREADS) {
      line(out, "  (%d more threads, less GIL time each)", threads.size() - THREADS);
    }
    RecordingSummary.GilThread all = s.gilOverall();
    if (all.registeredNanos() > 0) {
      gilRow(out, "all threads", all);
      double seconds = s.duration().toNanos() / 1e9;
      line(
          out,
          "  hand-offs %d (%.1f/s)",
          all.handOffs(),
          seconds > 0 ? all.handOffs() / seconds : 0.0);
    }
    if (s.gilWaits().getTotalCount() > 0) {
      line(out, "  GIL waits over threshold (gil4j.GilWait): %s", percentiles(s.gilWaits()));
    }
    if (s.gilHolds().getTotalCount() > 0) {
      line(
          out,
          "  GIL holds over threshold (gil4j.GilDrop): %s; of those drops forced %d, voluntary %d",
          percentiles(s.gilHolds()),
          s.forcedDrops(),
          s.voluntaryDrops());
    }
  }

  private static void gilRow(StringBuilder out, String name, RecordingSummary.GilThread t) {
    long whole = t.registeredNanos();
    line(
        out,
        "  %-24s %7.1f%% %7.1f%% %7.1f%% %9d %9d %7d %7d",
        name.length() <= 24 ? name : name.substring(0, 23) + "…",
        share(t.heldNanos(), whole),
        share(t.waitNanos(), whole),
        share(t.releasedNanos(), whole),
        t.takes(),
        t.contendedTakes(),
        t.forcedDrops(),
        t.revocations());
  }

  private static void revocations(StringBuilder out, RecordingSummary s) {
    if (s.revocationsByReason().isEmpty()) {
      return;
    }
    long total = s.revocationsByReason().values().stream().mapToLong(Long::longValue).sum();
    line(out, "");
    StringBuilder reasons = new StringBuilder();
    s.revocationsByReason()
        .forEach((r, n) -> reasons.append(reasons.length() == 0 ? "" : ", ").append(r + " " + n));
    line(out, "GIL revocations (gil4j.GilRevoke): %d, by reason %s", total, reasons);
    List<RecordingSummary.Revoked> stacks = s.revokedStacks();
    for (RecordingSummary.Revoked r : stacks.subList(0, Math.min(STACKS, stacks.size()))) {
      line(
          out,
          "  %d x %s, holder %s, at:",
          r.count(),
          r.reason(),
          String.join(", ", r.holders().keySet()));
      String[] frames = r.stack().isEmpty() ? new String[0] : r.stack().split("\n");
      for (int i = 0; i < Math.min(FRAMES, frames.length); i++) {
        line(out, "      at %s", frames[i]);
      }
    }
  }

  private static void pipes(StringBuilder out, RecordingSummary s) {
    List<RecordingSummary.Pipe> pipes = s.pipes();
    if (pipes.isEmpty()) {
      return;
    }
    line(out, "");
    line(out, "Pipes (gil4j.PipeIo, calls over the threshold), most total time first");
    line(
        out,
        "  %-6s %7s %10s %10s %9s %9s  %s",
        "dir",
        "calls",
        "bytes",
        "total",
        "p99",
        "max",
        "pipe");
    for (RecordingSummary.Pipe p : pipes) {
      line(
          out,
          "  %-6s %7d %10d %10s %9s %9s  %s",
          p.direction(),
          p.count(),
          p.bytes(),
          formatDuration(p.totalNanos()),
          percentile(p.times(), 99),
          formatDuration(p.times().getMaxValue()),
          p.pipe());
    }
  }

  private static void rules(StringBuilder out, List<Gil4jRules.Outcome> rules) {
    if (rules.isEmpty()) {
      return;
    }
    line(out, "");
    line(out, "JMC rules (gil4j)");
    for (Gil4jRules.Outcome r : rules) {
      line(out, "  [%s] %s: %s", r.severity(), r.name(), r.summary());
    }
  }

  private static String percentile(Histogram h, double p) {
    return h.getTotalCount() == 0 ? "-" : formatDuration(h.getValueAtPercentile(p));
  }

  private static String percentiles(Histogram h) {
    return String.format(
        Locale.ROOT,
        "n=%d p50=%s p99=%s max=%s",
        h.getTotalCount(),
        formatDuration(h.getValueAtPercentile(50)),
        formatDuration(h.getValueAtPercentile(99)),
        formatDuration(h.getMaxValue()));
  }

  private static double share(long part, long whole) {
    return whole <= 0 ? 0.0 : 100.0 * part / whole;
  }

  private static void append(StringBuilder b, String format, Object... args) {
    if (b.length() > 0) {
      b.append("; ");
    }
    b.append(String.format(Locale.ROOT, format, args));
  }

  private static void line(StringBuilder out, String format, Object... args) {
    out.append(String.format(Locale.ROOT, format, args)).append('\n');
  }
}

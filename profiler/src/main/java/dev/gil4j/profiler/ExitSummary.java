package dev.gil4j.profiler;

import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * Formats what the exit report says as one JSON object, for programs rather than people: the
 * agent's {@code summary=FILE}. It holds the GIL's totals and every contended lock's waits; {@code
 * scale} reads its figures from it, so that its measured runs need no JFR recording (JFR's own
 * threads and compilations compete for the cores a short run measures).
 *
 * <pre>{@code
 * {"gil4j_summary": 1, "pid": 4242, "elapsed_ns": 812000000,
 *  "gil": {"policy": "cpython", "switch_ns": 5000000, "tokens": 1, "threads": 3,
 *          "registered_ns": …, "held_ns": …, "waiting_ns": …, "released_ns": …,
 *          "hand_offs": …, "drop_requests": …, "forced_drops": …, "revocations": …},
 *  "locks": [{"kind": "ReentrantLock", "site": "com.acme.Cache.<init>(Cache.java:42)",
 *             "waits": …, "wait_total_ns": …, "wait_p50_ns": …, "wait_p99_ns": …,
 *             "wait_max_ns": …, "holds": …, "hold_total_ns": …}]}
 * }</pre>
 *
 * <p>{@code gil} is {@code null} without a GIL ({@code gil=off}). Times are nanoseconds of wall
 * time; {@code elapsed_ns} runs from the GIL's installation (without one, from the agent's start)
 * to the summary. The {@code registered_ns} of all registered threads splits into {@code held_ns +
 * waiting_ns + released_ns}. {@code locks} lists every site with a recorded wait or hold, most
 * total wait first. Keys are only ever added; {@code gil4j_summary} changes if one changes meaning.
 */
public final class ExitSummary {
  /** The format's version, the value of {@code gil4j_summary}. */
  public static final int VERSION = 1;

  private ExitSummary() {}

  /**
   * The summary, one JSON object and a newline.
   *
   * @param usage the GIL's use, or null without a GIL
   * @param sites the contention sites, in any order
   * @param elapsedNanos the run's length when there is no GIL to say it
   */
  public static String format(
      GilUsage usage, List<ContentionRecorder.SiteSnapshot> sites, long elapsedNanos) {
    StringBuilder out = new StringBuilder(512 + 256 * sites.size());
    out.append("{\"gil4j_summary\": ").append(VERSION);
    out.append(", \"pid\": ").append(ProcessHandle.current().pid());
    out.append(", \"elapsed_ns\": ").append(usage == null ? elapsedNanos : usage.elapsedNanos());
    out.append(",\n \"gil\": ");
    if (usage == null) {
      out.append("null");
    } else {
      GilUsage.Totals all = usage.totals();
      out.append("{\"policy\": ");
      string(out, usage.policy());
      out.append(", \"switch_ns\": ").append(usage.switchIntervalNanos());
      out.append(", \"tokens\": ").append(usage.tokens());
      out.append(", \"threads\": ").append(usage.threads().size());
      out.append(", \"registered_ns\": ").append(all.lifetimeNanos());
      out.append(", \"held_ns\": ").append(all.heldNanos());
      out.append(", \"waiting_ns\": ").append(all.waitNanos());
      out.append(", \"released_ns\": ").append(all.releasedNanos());
      out.append(", \"hand_offs\": ").append(usage.handOffs());
      out.append(", \"drop_requests\": ").append(usage.dropRequests());
      out.append(", \"forced_drops\": ").append(usage.forcedDrops());
      out.append(", \"revocations\": ").append(usage.revocations());
      out.append('}');
    }
    out.append(",\n \"locks\": [");
    List<ContentionRecorder.SiteSnapshot> ranked = ExitReport.mostTotalWaitFirst(sites);
    for (int i = 0; i < ranked.size(); i++) {
      ContentionRecorder.SiteSnapshot s = ranked.get(i);
      Histogram w = s.waits();
      out.append(i == 0 ? "\n  " : ",\n  ").append("{\"kind\": ");
      string(out, s.kind());
      out.append(", \"site\": ");
      string(out, s.name());
      out.append(", \"waits\": ").append(w.getTotalCount());
      out.append(", \"wait_total_ns\": ").append(ExitReport.totalNanos(w));
      out.append(", \"wait_p50_ns\": ").append(percentile(w, 50));
      out.append(", \"wait_p99_ns\": ").append(percentile(w, 99));
      out.append(", \"wait_max_ns\": ").append(w.getTotalCount() == 0 ? 0 : w.getMaxValue());
      out.append(", \"holds\": ").append(s.holds().getTotalCount());
      out.append(", \"hold_total_ns\": ").append(ExitReport.totalNanos(s.holds()));
      out.append('}');
    }
    out.append(ranked.isEmpty() ? "]}" : "\n ]}").append('\n');
    return out.toString();
  }

  private static long percentile(Histogram h, double p) {
    return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(p);
  }

  /** {@code s} as a JSON string: quotes, backslashes and control characters escaped. */
  private static void string(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20) {
        out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);
      } else {
        out.append(c);
      }
    }
    out.append('"');
  }

  private static final char[] HEX = "0123456789abcdef".toCharArray();
}

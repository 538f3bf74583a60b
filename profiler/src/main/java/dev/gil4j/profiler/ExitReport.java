package dev.gil4j.profiler;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * Formats a {@link GilUsage} as the text report gil4j prints at exit: CPython's {@code gil_load}
 * shares, per thread and overall, with hand-off rates, forced drops, safety-net revocations and GIL
 * wait percentiles.
 */
public final class ExitReport {
  private static final int STACK_FRAMES = 8;
  private static final int STACKS = 3;
  private static final int THREADS = 20;

  // Classes, not lambdas: a JVM that exits soon after it started would spend milliseconds spinning
  // their classes at the end of its run.
  private static final Comparator<GilUsage.ThreadRow> MOST_GIL_TIME =
      new Comparator<>() {
        @Override
        public int compare(GilUsage.ThreadRow a, GilUsage.ThreadRow b) {
          return Long.compare(b.heldNanos() + b.waitNanos(), a.heldNanos() + a.waitNanos());
        }
      };

  private static final Comparator<ContentionRecorder.SiteSnapshot> MOST_TOTAL_WAIT =
      new Comparator<>() {
        @Override
        public int compare(ContentionRecorder.SiteSnapshot a, ContentionRecorder.SiteSnapshot b) {
          return Double.compare(totalWait(b), totalWait(a));
        }
      };

  private ExitReport() {}

  /** The report, several lines, each ending with a newline. */
  public static String format(GilUsage u) {
    String nl = System.lineSeparator();
    StringBuilder out = new StringBuilder(2048);
    double seconds = u.elapsedNanos() / 1e9;
    out.append("gil4j: GIL report (policy=")
        .append(u.policy())
        .append(" switch=")
        .append(formatDuration(u.switchIntervalNanos()))
        .append(" tokens=")
        .append(u.tokens())
        .append(") after ")
        .append(fixed(seconds, 3))
        .append(" s")
        .append(nl);
    out.append("gil4j:   hand-offs ")
        .append(u.handOffs())
        .append(" (")
        .append(fixed(seconds > 0 ? u.handOffs() / seconds : 0.0, 1))
        .append("/s), drop requests ")
        .append(u.dropRequests())
        .append(", forced drops ")
        .append(u.forcedDrops())
        .append(", revocations ")
        .append(u.revocations())
        .append(", released at contended monitors ")
        .append(u.monitorReleases())
        .append(", released in native calls ")
        .append(u.nativeReleases())
        .append(nl);
    out.append("gil4j:   GIL wait ").append(formatPercentiles(u.waits())).append(nl);
    out.append("gil4j:   ")
        .append(left("thread", 24))
        .append(' ')
        .append(right("held", 8))
        .append(' ')
        .append(right("waiting", 8))
        .append(' ')
        .append(right("released", 8))
        .append(' ')
        .append(right("takes", 9))
        .append(' ')
        .append(right("contended", 9))
        .append(' ')
        .append(right("forced", 7))
        .append(' ')
        .append(right("revoked", 7))
        .append("  wait p50/p99/max")
        .append(nl);
    GilUsage.Totals all = u.totals();
    List<GilUsage.ThreadRow> busiest = new ArrayList<>(u.threads());
    if (busiest.size() > THREADS) {
      busiest.sort(MOST_GIL_TIME);
    }
    for (GilUsage.ThreadRow t : busiest.subList(0, Math.min(THREADS, busiest.size()))) {
      row(out, t.name() + (t.alive() ? "" : " (ended)"), t, t.lifetimeNanos());
    }
    if (busiest.size() > THREADS) {
      out.append("gil4j:   (")
          .append(busiest.size() - THREADS)
          .append(" more threads, fewer GIL seconds each)")
          .append(nl);
    }
    out.append("gil4j:   ")
        .append(left("all threads", 24))
        .append(' ')
        .append(right(fixed(share(all.heldNanos(), all.lifetimeNanos()), 1), 7))
        .append("% ")
        .append(right(fixed(share(all.waitNanos(), all.lifetimeNanos()), 1), 7))
        .append("% ")
        .append(right(fixed(share(all.releasedNanos(), all.lifetimeNanos()), 1), 7))
        .append("%  (shares of all registered thread time)")
        .append(nl);
    for (GilUsage.RevokedStack s :
        u.revokedStacks().subList(0, Math.min(STACKS, u.revokedStacks().size()))) {
      out.append("gil4j:   revoked ")
          .append(s.count())
          .append(" x, holder ")
          .append(s.reason())
          .append(" at:")
          .append(nl);
      for (String f : s.frames().subList(0, Math.min(STACK_FRAMES, s.frames().size()))) {
        out.append("gil4j:       at ").append(f).append(nl);
      }
    }
    return out.toString();
  }

  /**
   * The contention sites, most total wait first: kind, site, waits and their p50/p99/max, holds and
   * theirs. Empty when nothing was recorded.
   */
  public static String formatSites(List<ContentionRecorder.SiteSnapshot> sites, int max) {
    if (sites.isEmpty()) {
      return "";
    }
    String nl = System.lineSeparator();
    List<ContentionRecorder.SiteSnapshot> ranked = mostTotalWaitFirst(sites);
    StringBuilder out = new StringBuilder();
    out.append("gil4j: contention, most total wait first").append(nl);
    for (ContentionRecorder.SiteSnapshot s : ranked.subList(0, Math.min(max, ranked.size()))) {
      out.append("gil4j:   ")
          .append(s.kind())
          .append(' ')
          .append(s.name())
          .append(nl)
          .append("gil4j:       wait ")
          .append(formatPercentiles(s.waits()))
          .append("; hold ")
          .append(formatPercentiles(s.holds()))
          .append(nl);
    }
    if (ranked.size() > max) {
      out.append("gil4j:   (").append(ranked.size() - max).append(" more sites)").append(nl);
    }
    return out.toString();
  }

  /**
   * The report's one line when no site has a value: {@code gil4j: contention: no contended waits
   * recorded in 12.3 s}.
   */
  public static String formatNoContention(long elapsedNanos) {
    return "gil4j: contention: no contended waits recorded in "
        + fixed(elapsedNanos / 1e9, 1)
        + " s"
        + System.lineSeparator();
  }

  private static void row(StringBuilder out, String name, GilUsage.ThreadRow t, long lifetime) {
    out.append("gil4j:   ")
        .append(left(truncate(name, 24), 24))
        .append(' ')
        .append(right(fixed(share(t.heldNanos(), lifetime), 1), 7))
        .append("% ")
        .append(right(fixed(share(t.waitNanos(), lifetime), 1), 7))
        .append("% ")
        .append(right(fixed(share(t.releasedNanos(), lifetime), 1), 7))
        .append("% ")
        .append(right(Long.toString(t.takes()), 9))
        .append(' ')
        .append(right(Long.toString(t.contendedTakes()), 9))
        .append(' ')
        .append(right(Long.toString(t.forcedDrops()), 7))
        .append(' ')
        .append(right(Long.toString(t.revocations()), 7))
        .append("  ")
        .append(
            t.waits().getTotalCount() == 0
                ? "-"
                : formatDuration(t.waits().getValueAtPercentile(50))
                    + "/"
                    + formatDuration(t.waits().getValueAtPercentile(99))
                    + "/"
                    + formatDuration(t.waits().getMaxValue()))
        .append(System.lineSeparator());
  }

  /** {@code n=… p50=… p99=… max=…}, or {@code none} for an empty histogram. */
  public static String formatPercentiles(Histogram h) {
    if (h.getTotalCount() == 0) {
      return "none";
    }
    return "n="
        + h.getTotalCount()
        + " p50="
        + formatDuration(h.getValueAtPercentile(50))
        + " p99="
        + formatDuration(h.getValueAtPercentile(99))
        + " max="
        + formatDuration(h.getMaxValue());
  }

  /** A duration in the unit that reads best: {@code 870ns}, {@code 12.3us}, {@code 5.02ms}, … */
  public static String formatDuration(long nanos) {
    if (nanos < 1_000) {
      return nanos + "ns";
    }
    if (nanos < 1_000_000) {
      return fixed(nanos / 1e3, 1) + "us";
    }
    if (nanos < 1_000_000_000) {
      return fixed(nanos / 1e6, 2) + "ms";
    }
    return fixed(nanos / 1e9, 3) + "s";
  }

  /**
   * {@code value} with {@code places} decimals, exactly as {@code String.format(Locale.ROOT,
   * "%.<places>f", value)} writes it: the shortest decimal that reads back as {@code value} ({@link
   * Double#toString}) rounded half up. Written out here because the exit report is the last thing a
   * short program does: {@code java.util.Formatter}'s first use loads 150–370 classes (regular
   * expressions, locale data), 20–40 ms of a hello world's exit.
   */
  static String fixed(double value, int places) {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      return Double.toString(value);
    }
    // The digits of |value| and where its decimal point falls among them: "0.06" is 006 and 1.
    String text = Double.toString(Math.abs(value));
    int exp = text.indexOf('E');
    String mantissa = exp < 0 ? text : text.substring(0, exp);
    int dot = mantissa.indexOf('.');
    char[] digits = new char[mantissa.length()];
    mantissa.getChars(0, dot, digits, 1);
    mantissa.getChars(dot + 1, mantissa.length(), digits, dot + 1);
    digits[0] = '0'; // room for a carry out of the first digit
    int point = 1 + dot + (exp < 0 ? 0 : Integer.parseInt(text.substring(exp + 1)));
    int kept = Math.max(0, Math.min(digits.length, point + places));
    if (point + places >= 0 && kept < digits.length && digits[kept] >= '5') {
      int i = kept - 1;
      while (digits[i] == '9') {
        digits[i--] = '0';
      }
      digits[i]++;
    }
    StringBuilder out = new StringBuilder(Math.max(point, 1) + places + 2);
    if (Double.compare(value, 0.0) < 0) {
      out.append('-');
    }
    // The integer part without its leading zeros, or 0.
    int first = 0;
    while (first < point - 1 && digits[first] == '0') {
      first++;
    }
    if (point <= 0) {
      out.append('0');
    }
    for (int i = first; i < point; i++) {
      out.append(i < kept ? digits[i] : '0');
    }
    if (places > 0) {
      out.append('.');
      for (int i = point; i < point + places; i++) {
        out.append(i >= 0 && i < kept ? digits[i] : '0');
      }
    }
    return out.toString();
  }

  /** {@code s} and spaces after it up to {@code width}, as {@code %-<width>s} writes it. */
  private static String left(String s, int width) {
    StringBuilder out = new StringBuilder(Math.max(width, s.length())).append(s);
    while (out.length() < width) {
      out.append(' ');
    }
    return out.toString();
  }

  /** {@code s} after spaces up to {@code width}, as {@code %<width>s} writes it. */
  private static String right(String s, int width) {
    StringBuilder out = new StringBuilder(Math.max(width, s.length()));
    for (int i = s.length(); i < width; i++) {
      out.append(' ');
    }
    return out.append(s).toString();
  }

  private static double totalWait(ContentionRecorder.SiteSnapshot s) {
    return s.waits().getMean() * s.waits().getTotalCount();
  }

  /** A copy of {@code sites}, most total wait first. */
  static List<ContentionRecorder.SiteSnapshot> mostTotalWaitFirst(
      List<ContentionRecorder.SiteSnapshot> sites) {
    List<ContentionRecorder.SiteSnapshot> ranked = new ArrayList<>(sites);
    ranked.sort(MOST_TOTAL_WAIT);
    return ranked;
  }

  /** The sum of a histogram's values, as JFR's {@code gil4j.ContentionHistogram} gives it. */
  static long totalNanos(Histogram h) {
    return Math.round(h.getMean() * h.getTotalCount());
  }

  private static double share(long part, long whole) {
    return whole <= 0 ? 0.0 : 100.0 * part / whole;
  }

  private static String truncate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 1) + "…";
  }
}

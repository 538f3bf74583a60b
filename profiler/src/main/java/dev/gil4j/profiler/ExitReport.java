package dev.gil4j.profiler;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
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

  private ExitReport() {}

  /** The report, several lines, each ending with a newline. */
  public static String format(GilUsage u) {
    StringBuilder out = new StringBuilder(2048);
    double seconds = u.elapsedNanos() / 1e9;
    out.append(
        String.format(
            Locale.ROOT,
            "gil4j: GIL report (policy=%s switch=%s tokens=%d) after %.3f s%n",
            u.policy(),
            formatDuration(u.switchIntervalNanos()),
            u.tokens(),
            seconds));
    out.append(
        String.format(
            Locale.ROOT,
            "gil4j:   hand-offs %d (%.1f/s), drop requests %d, forced drops %d, revocations %d,"
                + " released at contended monitors %d%n",
            u.handOffs(),
            seconds > 0 ? u.handOffs() / seconds : 0.0,
            u.dropRequests(),
            u.forcedDrops(),
            u.revocations(),
            u.monitorReleases()));
    out.append(String.format(Locale.ROOT, "gil4j:   GIL wait %s%n", formatPercentiles(u.waits())));
    out.append(
        String.format(
            Locale.ROOT,
            "gil4j:   %-24s %8s %8s %8s %9s %9s %7s %7s  %s%n",
            "thread",
            "held",
            "waiting",
            "released",
            "takes",
            "contended",
            "forced",
            "revoked",
            "wait p50/p99/max"));
    long held = 0;
    long wait = 0;
    long lifetime = 0;
    for (GilUsage.ThreadRow t : u.threads()) {
      held += t.heldNanos();
      wait += t.waitNanos();
      lifetime += t.lifetimeNanos();
    }
    List<GilUsage.ThreadRow> busiest = new ArrayList<>(u.threads());
    if (busiest.size() > THREADS) {
      busiest.sort(
          Comparator.comparingLong((GilUsage.ThreadRow t) -> t.heldNanos() + t.waitNanos())
              .reversed());
    }
    for (GilUsage.ThreadRow t : busiest.subList(0, Math.min(THREADS, busiest.size()))) {
      out.append(row(t.name() + (t.alive() ? "" : " (ended)"), t, t.lifetimeNanos()));
    }
    if (busiest.size() > THREADS) {
      out.append(
          String.format(
              Locale.ROOT,
              "gil4j:   (%d more threads, fewer GIL seconds each)%n",
              busiest.size() - THREADS));
    }
    out.append(
        String.format(
            Locale.ROOT,
            "gil4j:   %-24s %7.1f%% %7.1f%% %7.1f%%  (shares of all registered thread time)%n",
            "all threads",
            share(held, lifetime),
            share(wait, lifetime),
            share(Math.max(0, lifetime - held - wait), lifetime)));
    for (GilUsage.RevokedStack s :
        u.revokedStacks().subList(0, Math.min(STACKS, u.revokedStacks().size()))) {
      out.append(
          String.format(
              Locale.ROOT, "gil4j:   revoked %d x, holder %s at:%n", s.count(), s.reason()));
      for (String f : s.frames().subList(0, Math.min(STACK_FRAMES, s.frames().size()))) {
        out.append("gil4j:       at ").append(f).append(System.lineSeparator());
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
    List<ContentionRecorder.SiteSnapshot> ranked = new ArrayList<>(sites);
    ranked.sort(
        Comparator.comparingDouble(
                (ContentionRecorder.SiteSnapshot s) ->
                    s.waits().getMean() * s.waits().getTotalCount())
            .reversed());
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "gil4j: contention, most total wait first%n"));
    for (ContentionRecorder.SiteSnapshot s : ranked.subList(0, Math.min(max, ranked.size()))) {
      out.append(
          String.format(
              Locale.ROOT,
              "gil4j:   %s %s%ngil4j:       wait %s; hold %s%n",
              s.kind(),
              s.name(),
              formatPercentiles(s.waits()),
              formatPercentiles(s.holds())));
    }
    if (ranked.size() > max) {
      out.append(String.format(Locale.ROOT, "gil4j:   (%d more sites)%n", ranked.size() - max));
    }
    return out.toString();
  }

  /**
   * The report's one line when no site has a value: {@code gil4j: contention: no contended waits
   * recorded in 12.3 s}.
   */
  public static String formatNoContention(long elapsedNanos) {
    return String.format(
        Locale.ROOT,
        "gil4j: contention: no contended waits recorded in %.1f s%n",
        elapsedNanos / 1e9);
  }

  private static String row(String name, GilUsage.ThreadRow t, long lifetime) {
    return String.format(
        Locale.ROOT,
        "gil4j:   %-24s %7.1f%% %7.1f%% %7.1f%% %9d %9d %7d %7d  %s%n",
        truncate(name, 24),
        share(t.heldNanos(), lifetime),
        share(t.waitNanos(), lifetime),
        share(t.releasedNanos(), lifetime),
        t.takes(),
        t.contendedTakes(),
        t.forcedDrops(),
        t.revocations(),
        t.waits().getTotalCount() == 0
            ? "-"
            : formatDuration(t.waits().getValueAtPercentile(50))
                + "/"
                + formatDuration(t.waits().getValueAtPercentile(99))
                + "/"
                + formatDuration(t.waits().getMaxValue()));
  }

  /** {@code n=… p50=… p99=… max=…}, or {@code none} for an empty histogram. */
  public static String formatPercentiles(Histogram h) {
    if (h.getTotalCount() == 0) {
      return "none";
    }
    return String.format(
        Locale.ROOT,
        "n=%d p50=%s p99=%s max=%s",
        h.getTotalCount(),
        formatDuration(h.getValueAtPercentile(50)),
        formatDuration(h.getValueAtPercentile(99)),
        formatDuration(h.getMaxValue()));
  }

  /** A duration in the unit that reads best: {@code 870ns}, {@code 12.3us}, {@code 5.02ms}, … */
  public static String formatDuration(long nanos) {
    if (nanos < 1_000) {
      return nanos + "ns";
    }
    if (nanos < 1_000_000) {
      return String.format(Locale.ROOT, "%.1fus", nanos / 1e3);
    }
    if (nanos < 1_000_000_000) {
      return String.format(Locale.ROOT, "%.2fms", nanos / 1e6);
    }
    return String.format(Locale.ROOT, "%.3fs", nanos / 1e9);
  }

  private static double share(long part, long whole) {
    return whole <= 0 ? 0.0 : 100.0 * part / whole;
  }

  private static String truncate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 1) + "…";
  }
}

package dev.gil4j.profiler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/**
 * The exit report writes its numbers without {@code java.util.Formatter} (its first use is a
 * noticeable part of a short program's exit): every line must read exactly as {@code
 * String.format(Locale.ROOT, …)} wrote it, which {@link Reference} still does.
 */
class ExitReportTest {
  @Test
  void fixedPointNumbersReadAsFormatWritesThem() {
    double[] edges = {
      0.0,
      -0.0,
      0.05,
      0.15,
      0.25,
      0.35,
      0.45,
      0.95,
      0.96,
      0.995,
      0.9995,
      9.95,
      9.96,
      99.95,
      99.96,
      999.9995,
      1.005,
      2.675,
      1.0005,
      94.35,
      94.25,
      5.7,
      100.0,
      0.0004,
      0.0005,
      0.0006,
      0.004,
      0.005,
      0.006,
      0.04,
      0.06,
      1e-7,
      5e-7,
      4.9e-7,
      1e-300,
      1e300,
      123456789.125,
      1234567.0,
      1e7,
      1e16,
      1.5e17,
      9.999999999e9,
      Double.MIN_VALUE,
      Double.MAX_VALUE,
      -1.25,
      -0.04,
      -0.06,
      -99.96,
      Double.NaN,
      Double.POSITIVE_INFINITY,
      Double.NEGATIVE_INFINITY
    };
    for (double v : edges) {
      for (int places = 0; places <= 4; places++) {
        assertFixed(v, places);
      }
    }
    SplittableRandom random = new SplittableRandom(42);
    for (int i = 0; i < 200_000; i++) {
      // shares, rates, seconds, durations: a wide range of magnitudes, some on decimal ties
      double v =
          switch (i % 4) {
            case 0 -> random.nextDouble() * 100;
            case 1 -> Math.pow(10, random.nextDouble(-8, 12));
            case 2 -> random.nextInt(1_000_000) / 1000.0 + 0.0005;
            default -> random.nextLong(1, 1L << 40) / 1e3;
          };
      assertFixed(v, 1 + i % 3);
    }
  }

  private static void assertFixed(double v, int places) {
    assertEquals(
        String.format(Locale.ROOT, "%." + places + "f", v),
        ExitReport.fixed(v, places),
        () -> Double.toString(v) + " to " + places + " places");
  }

  @Test
  void durationsReadAsBefore() {
    long[] nanos = {0, 999, 1000, 1049, 1050, 999_949, 999_950, 999_999, 1_000_000, 5_024_999};
    for (long n : nanos) {
      assertEquals(Reference.formatDuration(n), ExitReport.formatDuration(n));
    }
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 100_000; i++) {
      long n = random.nextLong(1, 100_000_000_000L) >> random.nextInt(30);
      assertEquals(Reference.formatDuration(n), ExitReport.formatDuration(n));
    }
  }

  @Test
  void gilReportReadsAsBefore() {
    for (int threads : new int[] {0, 1, 3, 20, 27}) {
      GilUsage u = usage(threads, threads % 2 == 1);
      assertEquals(Reference.format(u), ExitReport.format(u));
    }
  }

  @Test
  void contentionReportReadsAsBefore() {
    List<ContentionRecorder.SiteSnapshot> sites = new ArrayList<>();
    for (int i = 0; i < 14; i++) {
      Histogram waits = new Histogram(3);
      Histogram holds = new Histogram(3);
      for (int j = 0; j <= i * 7; j++) {
        waits.recordValue(1_000L + 977L * j * i);
        holds.recordValue(50_000L + 13L * j);
      }
      sites.add(
          new ContentionRecorder.SiteSnapshot(
              i % 3 == 0 ? "ReentrantLock" : "synchronized",
              "com.acme.Site" + i + ".<init>(Site.java:" + i + ")",
              i == 5 ? new Histogram(3) : waits,
              holds));
    }
    for (int max : new int[] {1, 10, 20}) {
      assertEquals(Reference.formatSites(sites, max), ExitReport.formatSites(sites, max));
    }
    assertEquals("", ExitReport.formatSites(List.of(), 10));
    for (long n : new long[] {0, 49_999_999, 50_000_000, 123_456_789_012L}) {
      assertEquals(Reference.formatNoContention(n), ExitReport.formatNoContention(n));
    }
  }

  private static GilUsage usage(int threads, boolean revoked) {
    SplittableRandom random = new SplittableRandom(threads);
    Histogram all = new Histogram(3);
    List<GilUsage.ThreadRow> rows = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Histogram waits = new Histogram(3);
      for (int i = 0; i < t * 5; i++) {
        long w = random.nextLong(100, 50_000_000);
        waits.recordValue(w);
        all.recordValue(w);
      }
      long lifetime = random.nextLong(1, 10_000_000_000L);
      long held = random.nextLong(0, lifetime);
      long wait = random.nextLong(0, lifetime - held + 1);
      rows.add(
          new GilUsage.ThreadRow(
              t,
              t == 2 ? "a thread with a name longer than the column" : "worker-" + t,
              lifetime,
              held,
              wait,
              random.nextLong(0, 100_000),
              random.nextLong(0, 1000),
              random.nextLong(0, 100),
              random.nextLong(0, 10),
              waits,
              t % 4 != 1));
    }
    List<GilUsage.RevokedStack> stacks = new ArrayList<>();
    if (revoked) {
      for (int s = 0; s < 4; s++) {
        List<String> frames = new ArrayList<>();
        for (int f = 0; f < 3 + 3 * s; f++) {
          frames.add("com.acme.Blocker.call" + f + "(Blocker.java:" + (10 + f) + ")");
        }
        stacks.add(new GilUsage.RevokedStack(s % 2 == 0 ? "BLOCKED" : "STALLED", frames, 9 - s));
      }
    }
    return new GilUsage(
        random.nextLong(0, 100_000_000_000L),
        threads % 2 == 0 ? "cpython" : "ticks",
        5_000_000,
        1 + threads % 3,
        random.nextLong(0, 1_000_000),
        random.nextLong(0, 1000),
        random.nextLong(0, 1000),
        random.nextLong(0, 100),
        random.nextLong(0, 100),
        revoked ? 10 : 0,
        all,
        rows,
        stacks);
  }

  /** The report as {@code String.format} wrote it before: the expected text. */
  private static final class Reference {
    static String format(GilUsage u) {
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
                  + " released at contended monitors %d, released in native calls %d%n",
              u.handOffs(),
              seconds > 0 ? u.handOffs() / seconds : 0.0,
              u.dropRequests(),
              u.forcedDrops(),
              u.revocations(),
              u.monitorReleases(),
              u.nativeReleases()));
      out.append(
          String.format(Locale.ROOT, "gil4j:   GIL wait %s%n", formatPercentiles(u.waits())));
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
      if (busiest.size() > 20) {
        busiest.sort(
            java.util.Comparator.comparingLong(
                    (GilUsage.ThreadRow t) -> t.heldNanos() + t.waitNanos())
                .reversed());
      }
      for (GilUsage.ThreadRow t : busiest.subList(0, Math.min(20, busiest.size()))) {
        out.append(row(t.name() + (t.alive() ? "" : " (ended)"), t, t.lifetimeNanos()));
      }
      if (busiest.size() > 20) {
        out.append(
            String.format(
                Locale.ROOT,
                "gil4j:   (%d more threads, fewer GIL seconds each)%n",
                busiest.size() - 20));
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
          u.revokedStacks().subList(0, Math.min(3, u.revokedStacks().size()))) {
        out.append(
            String.format(
                Locale.ROOT, "gil4j:   revoked %d x, holder %s at:%n", s.count(), s.reason()));
        for (String f : s.frames().subList(0, Math.min(8, s.frames().size()))) {
          out.append("gil4j:       at ").append(f).append(System.lineSeparator());
        }
      }
      return out.toString();
    }

    static String formatSites(List<ContentionRecorder.SiteSnapshot> sites, int max) {
      if (sites.isEmpty()) {
        return "";
      }
      List<ContentionRecorder.SiteSnapshot> ranked = new ArrayList<>(sites);
      ranked.sort(
          java.util.Comparator.comparingDouble(
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

    static String formatNoContention(long elapsedNanos) {
      return String.format(
          Locale.ROOT,
          "gil4j: contention: no contended waits recorded in %.1f s%n",
          elapsedNanos / 1e9);
    }

    private static String row(String name, GilUsage.ThreadRow t, long lifetime) {
      return String.format(
          Locale.ROOT,
          "gil4j:   %-24s %7.1f%% %7.1f%% %7.1f%% %9d %9d %7d %7d  %s%n",
          name.length() <= 24 ? name : name.substring(0, 23) + "…",
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

    static String formatPercentiles(Histogram h) {
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

    static String formatDuration(long nanos) {
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
  }
}

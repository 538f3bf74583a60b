package dev.gil4j.lab;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One configuration of a sweep — a mode at a thread count — with its measured runs.
 *
 * @param mode the GIL setting
 * @param threads the thread (or process) count
 * @param runs its measured runs so far, in the order they ran
 */
public record Point(Mode mode, int threads, List<Run> runs) {

  /** The figures of the runs that ended well, ascending. */
  double[] values() {
    return runs.stream().filter(Run::ok).mapToDouble(Run::value).sorted().toArray();
  }

  /** The median figure of the runs that ended well; NaN when none did. */
  double median() {
    double[] v = values();
    if (v.length == 0) {
      return Double.NaN;
    }
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  double min() {
    double[] v = values();
    return v.length == 0 ? Double.NaN : v[0];
  }

  double max() {
    double[] v = values();
    return v.length == 0 ? Double.NaN : v[v.length - 1];
  }

  long okRuns() {
    return runs.stream().filter(Run::ok).count();
  }

  /** {@code ok} when every run ended well, {@code failed} when none did, else {@code partial}. */
  String status() {
    long ok = okRuns();
    return ok == runs.size() ? "ok" : ok == 0 ? "failed" : "partial";
  }

  /** What went wrong in the runs that did not end well, one line each, or an empty list. */
  List<String> problems() {
    List<String> out = new ArrayList<>();
    for (Run r : runs) {
      if (!r.ok()) {
        out.add("run " + r.repeat() + ": " + r.problem());
      }
    }
    return out;
  }

  /**
   * The GIL's use averaged over the runs that ended well and were recorded (revocations added up,
   * lock waits averaged per run), or null.
   */
  GilShares gil() {
    List<GilShares> all =
        runs.stream().filter(Run::ok).map(Run::gil).filter(g -> g != null).toList();
    if (all.isEmpty()) {
      return null;
    }
    double[] sums = new double[4];
    long revocations = 0;
    Map<String, Double> waits = new HashMap<>();
    for (GilShares g : all) {
      sums[0] += g.held();
      sums[1] += g.waiting();
      sums[2] += g.released();
      sums[3] += g.handOffsPerSecond();
      revocations += g.revocations();
      g.topLocks().forEach(l -> waits.merge(l.lock(), l.waitMs(), Double::sum));
    }
    int n = all.size();
    Arrays.setAll(sums, i -> sums[i] / n);
    List<GilShares.LockWait> top =
        waits.entrySet().stream()
            .sorted(Map.Entry.<String, Double>comparingByValue(Comparator.reverseOrder()))
            .limit(GilShares.TOP_LOCKS)
            .map(e -> new GilShares.LockWait(e.getKey(), e.getValue() / n))
            .toList();
    return new GilShares(sums[0], sums[1], sums[2], sums[3], revocations, top);
  }
}

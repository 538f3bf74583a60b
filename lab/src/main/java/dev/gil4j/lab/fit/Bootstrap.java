package dev.gil4j.lab.fit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * A stratified bootstrap: each round redraws, with replacement, as many runs at each thread count
 * as were measured there, and refits. Resampling within a thread count keeps the design (which
 * {@code n} were measured, how often) and lets each {@code n} bring its own noise, which on a
 * shared machine grows with the thread count.
 *
 * <p>A thread count measured only once has no spread of its own to redraw; its run is replaced by
 * the fitted value times a log residual drawn from all runs (inflated by {@code sqrt(N / (N - p))}
 * for the parameters the fit spent), the only noise estimate there is.
 *
 * <p>{@link Random} is used because its algorithm is fixed by its specification: the same seed
 * gives the same intervals on every JDK.
 */
final class Bootstrap {
  private static final double LOW = 0.05;
  private static final double HIGH = 0.95;

  private Bootstrap() {}

  /**
   * The refitted curves of {@code rounds} resamples of the runs {@code (n[i], exp(logX[i]))}; none
   * when one run per thread count and as many thread counts as parameters leave no noise estimate.
   */
  static Curve[] curves(Law law, int[] n, double[] logX, Curve fit, int rounds, long seed) {
    Map<Integer, List<Integer>> byN = new TreeMap<>();
    for (int i = 0; i < n.length; i++) {
      byN.computeIfAbsent(n[i], k -> new ArrayList<>()).add(i);
    }
    double[] residuals = new double[n.length];
    for (int i = 0; i < n.length; i++) {
      residuals[i] = logX[i] - Math.log(fit.throughput(n[i]));
    }
    int dof = n.length - law.minimumThreadCounts();
    if (dof <= 0 && byN.values().stream().allMatch(g -> g.size() == 1)) {
      return new Curve[0];
    }
    double inflate = dof > 0 ? Math.sqrt(n.length / (double) dof) : 1;

    Random random = new Random(seed);
    Curve[] curves = new Curve[rounds];
    int[] rn = new int[n.length];
    double[] ry = new double[n.length];
    for (int b = 0; b < rounds; b++) {
      int k = 0;
      for (List<Integer> group : byN.values()) {
        for (int unused = 0; unused < group.size(); unused++) {
          int i = group.get(0);
          rn[k] = n[i];
          if (group.size() > 1) {
            ry[k] = logX[group.get(random.nextInt(group.size()))];
          } else {
            ry[k] =
                Math.log(fit.throughput(n[i]))
                    + inflate * residuals[random.nextInt(residuals.length)];
          }
          k++;
        }
      }
      curves[b] = LeastSquares.fit(law, rn, ry, fit);
    }
    return curves;
  }

  /**
   * The quantity {@code f} of the fit with its bootstrap spread and 90% interval, NaN without
   * curves.
   */
  static Parameter summarize(String name, Curve fit, Curve[] curves, ToDoubleFunction<Curve> f) {
    if (curves.length == 0) {
      return new Parameter(name, f.applyAsDouble(fit), Double.NaN, Double.NaN, Double.NaN);
    }
    double[] v = new double[curves.length];
    for (int b = 0; b < curves.length; b++) {
      v[b] = f.applyAsDouble(curves[b]);
    }
    Arrays.sort(v);
    return new Parameter(
        name, f.applyAsDouble(fit), stdDev(v), percentile(v, LOW), percentile(v, HIGH));
  }

  private static double stdDev(double[] v) {
    double mean = 0;
    for (double x : v) {
      if (Double.isInfinite(x)) {
        return Double.POSITIVE_INFINITY;
      }
      mean += x;
    }
    mean /= v.length;
    double sum = 0;
    for (double x : v) {
      sum += (x - mean) * (x - mean);
    }
    return Math.sqrt(sum / (v.length - 1));
  }

  /** Linear interpolation between order statistics of the sorted values. */
  static double percentile(double[] sorted, double p) {
    double at = p * (sorted.length - 1);
    int i = (int) Math.floor(at);
    double frac = at - i;
    if (frac == 0 || sorted[i] == sorted[i + 1]) {
      return sorted[i];
    }
    if (Double.isInfinite(sorted[i + 1])) {
      return sorted[i + 1];
    }
    return sorted[i] + frac * (sorted[i + 1] - sorted[i]);
  }
}

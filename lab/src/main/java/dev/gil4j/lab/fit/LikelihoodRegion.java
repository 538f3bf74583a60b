package dev.gil4j.lab.fit;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The curves that fit the runs nearly as well as the best one: those whose sum of squared log
 * residuals is at most {@code RSS_min (1 + t(0.95, dof)^2 / dof)}, the F test of one parameter at
 * 90%. The range of any quantity over this region is its profile-likelihood interval; unlike
 * estimate ± t standard errors it respects the bounds ({@code kappa} cannot go below 0 to make room
 * for a larger {@code sigma}) and bends with the curve.
 *
 * <p>Design: the region lives in {@code (sigma, kappa)} ({@code X(1)} is profiled out, and added
 * back by {@link #logX1Range()}). It is traced along rays from the fit, 64 directions scaled by the
 * linearised standard errors, each cut where the residuals cross the threshold or the ray leaves
 * the bounds; Amdahl's law has two directions. Every quantity the fit reports is monotone in {@code
 * sigma} and {@code kappa}, so its extremes lie on that boundary.
 */
final class LikelihoodRegion {
  private static final int DIRECTIONS = 64;

  private final int[] n;
  private final double[] logX;
  private final double threshold;
  private final List<Curve> boundary = new ArrayList<>();

  private LikelihoodRegion(Law law, int[] n, double[] logX, Curve fit, double[] se) {
    this.n = n;
    this.logX = logX;
    int dof = n.length - law.minimumThreadCounts();
    double rss = LeastSquares.residualSquares(fit, n, logX);
    double t = StudentT.quantile95(dof);
    threshold = rss * (1 + t * t / dof);
    if (dof < 1 || !(rss > 0)) {
      return;
    }
    boundary.add(fit);
    double scaleSigma = se[1] > 0 ? se[1] : 0.05;
    double scaleKappa = se[2] > 0 ? se[2] : 1e-3;
    int directions = law.hasCoherency() ? DIRECTIONS : 2;
    for (int k = 0; k < directions; k++) {
      double angle = 2 * Math.PI * k / directions;
      double dSigma = scaleSigma * Math.cos(angle);
      double dKappa = law.hasCoherency() ? scaleKappa * Math.sin(angle) : 0;
      boundary.add(edge(fit, dSigma, dKappa));
    }
  }

  /**
   * The region around the law's fit; {@code se} are the linearised standard errors of {@code (ln
   * X(1), sigma, kappa)}. Empty when the runs leave no degree of freedom or fit exactly.
   */
  static LikelihoodRegion of(Law law, int[] n, double[] logX, Curve fit, double[] se) {
    return new LikelihoodRegion(law, n, logX, fit, se);
  }

  /** The lowest and highest value of {@code f} over the region; NaNs when it is empty. */
  double[] range(ToDoubleFunction<Curve> f) {
    double[] range = {Double.NaN, Double.NaN};
    for (Curve c : boundary) {
      double v = f.applyAsDouble(c);
      range[0] = Double.isNaN(range[0]) ? v : Math.min(range[0], v);
      range[1] = Double.isNaN(range[1]) ? v : Math.max(range[1], v);
    }
    return range;
  }

  /**
   * The range of {@code ln X(1)}: at each traced curve, {@code ln X(1)} may move by {@code
   * sqrt(slack / N)} before the residuals reach the threshold, since the N runs share it.
   */
  double[] logX1Range() {
    double[] range = {Double.NaN, Double.NaN};
    for (Curve c : boundary) {
      double slack = Math.max(0, threshold - LeastSquares.residualSquares(c, n, logX));
      double reach = Math.sqrt(slack / n.length);
      range[0] = Double.isNaN(range[0]) ? c.logX1() - reach : Math.min(range[0], c.logX1() - reach);
      range[1] = Double.isNaN(range[1]) ? c.logX1() + reach : Math.max(range[1], c.logX1() + reach);
    }
    return range;
  }

  /** Where the ray from the fit along {@code (dSigma, dKappa)} leaves the region. */
  private Curve edge(Curve fit, double dSigma, double dKappa) {
    double limit = Double.POSITIVE_INFINITY;
    if (dSigma > 0) {
      limit = (1 - fit.sigma()) / dSigma;
    } else if (dSigma < 0) {
      limit = -fit.sigma() / dSigma;
    }
    if (dKappa < 0) {
      limit = Math.min(limit, -fit.kappa() / dKappa);
    }
    double inside = 0;
    double outside = Math.min(1, limit);
    for (int i = 0; i < 200 && fits(fit, dSigma, dKappa, outside); i++) {
      if (outside == limit) {
        return at(fit, dSigma, dKappa, limit);
      }
      inside = outside;
      outside = Math.min(2 * outside, limit);
    }
    for (int i = 0; i < 60; i++) {
      double mid = (inside + outside) / 2;
      if (fits(fit, dSigma, dKappa, mid)) {
        inside = mid;
      } else {
        outside = mid;
      }
    }
    return at(fit, dSigma, dKappa, inside);
  }

  private boolean fits(Curve fit, double dSigma, double dKappa, double r) {
    return LeastSquares.residualSquares(at(fit, dSigma, dKappa, r), n, logX) <= threshold;
  }

  private Curve at(Curve fit, double dSigma, double dKappa, double r) {
    double sigma = Math.min(1, Math.max(0, fit.sigma() + r * dSigma));
    double kappa = Math.max(0, fit.kappa() + r * dKappa);
    return LeastSquares.withBestX1(n, logX, sigma, kappa);
  }
}

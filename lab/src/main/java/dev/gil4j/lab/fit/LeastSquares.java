package dev.gil4j.lab.fit;

import java.util.Arrays;

/**
 * Least squares on log throughput for {@link Curve}s: residual {@code ln X_i - ln X(n_i)}, so each
 * run counts by its relative error and a 5% miss at 64 threads weighs what it weighs at one. This
 * is the right weighting when run-to-run noise is a percentage of throughput, as on a shared
 * machine.
 *
 * <p>Design: {@code ln X(1)} enters linearly, so for given {@code (sigma, kappa)} its best value is
 * the mean of {@code ln X_i - ln S(n_i)} and it is profiled out; what remains is a bounded problem
 * in {@code (sigma, kappa)}, either of which may be held at a given value (Amdahl's law holds
 * {@code kappa = 0}; a profile holds one parameter at an end of its interval). It is solved by
 * Levenberg-Marquardt from the best point of a coarse grid. A parameter sitting on its bound with
 * the gradient pushing outwards is held there for the step (an active set), which is all the bound
 * handling two parameters need.
 */
final class LeastSquares {
  private static final double[] SIGMA_GRID = {0, 0.01, 0.03, 0.1, 0.2, 0.4, 0.7, 0.9, 1};
  private static final double[] KAPPA_GRID = {0, 1e-5, 1e-4, 1e-3, 1e-2, 0.1, 1};
  private static final int MAX_ITERATIONS = 500;

  private final int[] n;
  private final double[] logX;
  private final double[] held;

  private LeastSquares(int[] n, double[] logX, double[] held) {
    this.n = n;
    this.logX = logX;
    this.held = held;
  }

  /**
   * The best curve of the law for runs {@code (n[i], exp(logX[i]))}; {@code hint}, if not null, is
   * an extra starting candidate (a bootstrap starts from the full fit).
   */
  static Curve fit(Law law, int[] n, double[] logX, Curve hint) {
    return fit(n, logX, Double.NaN, law.hasCoherency() ? Double.NaN : 0, hint);
  }

  /**
   * The best curve with {@code sigma} and/or {@code kappa} held at the given value, NaN: fitted.
   */
  static Curve fit(int[] n, double[] logX, double sigma, double kappa, Curve hint) {
    return new LeastSquares(n, logX, new double[] {sigma, kappa}).solve(hint);
  }

  /** The curve with this {@code sigma} and {@code kappa} and the best {@code X(1)} for them. */
  static Curve withBestX1(int[] n, double[] logX, double sigma, double kappa) {
    return new LeastSquares(n, logX, new double[] {sigma, kappa})
        .curve(new double[] {sigma, kappa});
  }

  /** The objective: the sum of squared log residuals of a curve over the runs. */
  static double residualSquares(Curve c, int[] n, double[] logX) {
    double sum = 0;
    for (int i = 0; i < n.length; i++) {
      double r = logX[i] - Math.log(c.throughput(n[i]));
      sum += r * r;
    }
    return sum;
  }

  /**
   * Linearised standard errors of {@code (ln X(1), sigma, kappa)} at the law's fitted curve: the
   * square roots of the diagonal of {@code s^2 (J^T J)^-1}, with {@code s^2} the residual variance
   * over {@code N - p} degrees of freedom; kappa's is 0 for Amdahl. NaN when there is no degree of
   * freedom left.
   */
  static double[] standardErrors(Law law, int[] n, double[] logX, Curve c) {
    int p = law.minimumThreadCounts();
    int dof = n.length - p;
    double[] se = {Double.NaN, Double.NaN, law.hasCoherency() ? Double.NaN : 0};
    if (dof <= 0) {
      return se;
    }
    double rss = residualSquares(c, n, logX);
    double[][] jtj = new double[p][p];
    for (int i = 0; i < n.length; i++) {
      double d = 1 + c.sigma() * (n[i] - 1) + c.kappa() * n[i] * (double) (n[i] - 1);
      double[] row = {1, (n[i] - 1) / d, n[i] * (double) (n[i] - 1) / d};
      for (int j = 0; j < p; j++) {
        for (int k = 0; k < p; k++) {
          jtj[j][k] += row[j] * row[k];
        }
      }
    }
    double[][] inverse = invert(jtj);
    if (inverse == null) {
      return se;
    }
    for (int j = 0; j < p; j++) {
      se[j] = Math.sqrt(rss / dof * inverse[j][j]);
    }
    return se;
  }

  private Curve solve(Curve hint) {
    double[] x = start(hint);
    double rss = rss(x);
    double mu = 1e-3;
    for (int iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
      double[][] jtj = new double[2][2];
      double[] g = new double[2];
      normalEquations(x, jtj, g);
      boolean[] free = new boolean[2];
      for (int j = 0; j < 2; j++) {
        boolean heldLow = x[j] <= 0 && g[j] > 0;
        boolean heldHigh = j == 0 && x[j] >= 1 && g[j] < 0;
        free[j] = Double.isNaN(held[j]) && !heldLow && !heldHigh;
      }
      if (!free[0] && !free[1]) {
        break;
      }
      boolean improved = false;
      while (mu < 1e15) {
        double[] next = clamp(add(x, step(jtj, g, free, mu)));
        if (Arrays.equals(next, x)) {
          break;
        }
        double nextRss = rss(next);
        if (nextRss < rss) {
          improved = rss - nextRss > 1e-13 * rss;
          x = next;
          rss = nextRss;
          mu = Math.max(mu * 0.3, 1e-12);
          break;
        }
        mu *= 10;
      }
      if (!improved) {
        break;
      }
    }
    return curve(snapToBounds(x, rss));
  }

  private double[] start(Curve hint) {
    double[] best = null;
    double bestRss = Double.POSITIVE_INFINITY;
    double[] sigmas = Double.isNaN(held[0]) ? SIGMA_GRID : new double[] {held[0]};
    double[] kappas = Double.isNaN(held[1]) ? KAPPA_GRID : new double[] {held[1]};
    for (double sigma : sigmas) {
      for (double kappa : kappas) {
        double[] x = {sigma, kappa};
        double rss = rss(x);
        if (rss < bestRss) {
          best = x;
          bestRss = rss;
        }
      }
    }
    if (hint != null) {
      double[] x =
          clamp(
              new double[] {
                Double.isNaN(held[0]) ? hint.sigma() : held[0],
                Double.isNaN(held[1]) ? hint.kappa() : held[1]
              });
      if (rss(x) < bestRss) {
        best = x;
      }
    }
    return best;
  }

  /**
   * Descent approaches a bound from inside without reaching it (kappa = 1e-17 instead of 0, a peak
   * at 10^8 threads instead of none); put a parameter on its bound when that costs nothing but
   * rounding.
   */
  private double[] snapToBounds(double[] x, double rss) {
    double tolerance = 1e-12 * rss + 1e-26 * n.length;
    for (int j = 0; j < 2; j++) {
      if (!Double.isNaN(held[j])) {
        continue;
      }
      for (double bound : j == 0 ? new double[] {0, 1} : new double[] {0}) {
        double[] y = x.clone();
        y[j] = bound;
        double yRss = rss(y);
        if (y[j] != x[j] && yRss <= rss + tolerance) {
          x = y;
          rss = Math.min(rss, yRss);
        }
      }
    }
    return x;
  }

  private Curve curve(double[] x) {
    double sum = 0;
    for (int i = 0; i < n.length; i++) {
      sum += logX[i] - Math.log(n[i]) + Math.log(denominator(i, x));
    }
    return new Curve(sum / n.length, x[0], x[1]);
  }

  private double denominator(int i, double[] x) {
    return 1 + x[0] * (n[i] - 1) + x[1] * n[i] * (double) (n[i] - 1);
  }

  /** Residuals with {@code ln X(1)} profiled out: {@code z_i - mean(z)}. */
  private double rss(double[] x) {
    double[] z = new double[n.length];
    double mean = 0;
    for (int i = 0; i < n.length; i++) {
      z[i] = logX[i] - Math.log(n[i]) + Math.log(denominator(i, x));
      mean += z[i];
    }
    mean /= n.length;
    double sum = 0;
    for (double zi : z) {
      sum += (zi - mean) * (zi - mean);
    }
    return sum;
  }

  /**
   * {@code J^T J} and {@code J^T r} for the profiled residuals; the Jacobian of {@code z_i - mean
   * z} is that of {@code z_i} with its column mean taken off.
   */
  private void normalEquations(double[] x, double[][] jtj, double[] g) {
    int m = n.length;
    double[] r = new double[m];
    double[][] jac = new double[m][2];
    double meanR = 0;
    double[] meanJ = new double[2];
    for (int i = 0; i < m; i++) {
      double d = denominator(i, x);
      r[i] = logX[i] - Math.log(n[i]) + Math.log(d);
      jac[i][0] = (n[i] - 1) / d;
      jac[i][1] = n[i] * (double) (n[i] - 1) / d;
      meanR += r[i];
      meanJ[0] += jac[i][0];
      meanJ[1] += jac[i][1];
    }
    meanR /= m;
    meanJ[0] /= m;
    meanJ[1] /= m;
    for (int i = 0; i < m; i++) {
      double ri = r[i] - meanR;
      for (int j = 0; j < 2; j++) {
        double jij = jac[i][j] - meanJ[j];
        g[j] += jij * ri;
        for (int k = 0; k < 2; k++) {
          jtj[j][k] += jij * (jac[i][k] - meanJ[k]);
        }
      }
    }
  }

  /** Solves {@code (J^T J + mu diag(J^T J)) d = -J^T r} over the free parameters. */
  private static double[] step(double[][] jtj, double[] g, boolean[] free, double mu) {
    double[][] a = new double[2][2];
    double floor = Math.max(Math.max(jtj[0][0], jtj[1][1]) * 1e-12, Double.MIN_NORMAL);
    for (int j = 0; j < 2; j++) {
      for (int k = 0; k < 2; k++) {
        a[j][k] = free[j] && free[k] ? jtj[j][k] : 0;
      }
      a[j][j] = free[j] ? jtj[j][j] + mu * Math.max(jtj[j][j], floor) : 1;
    }
    double[] b = {free[0] ? -g[0] : 0, free[1] ? -g[1] : 0};
    double det = a[0][0] * a[1][1] - a[0][1] * a[1][0];
    return new double[] {
      (b[0] * a[1][1] - a[0][1] * b[1]) / det, (a[0][0] * b[1] - b[0] * a[1][0]) / det
    };
  }

  /** Gauss-Jordan with partial pivoting; null when singular. */
  private static double[][] invert(double[][] m) {
    int p = m.length;
    double[][] a = new double[p][2 * p];
    for (int i = 0; i < p; i++) {
      System.arraycopy(m[i], 0, a[i], 0, p);
      a[i][p + i] = 1;
    }
    for (int col = 0; col < p; col++) {
      int pivot = col;
      for (int row = col + 1; row < p; row++) {
        if (Math.abs(a[row][col]) > Math.abs(a[pivot][col])) {
          pivot = row;
        }
      }
      if (Math.abs(a[pivot][col]) < 1e-300) {
        return null;
      }
      double[] t = a[col];
      a[col] = a[pivot];
      a[pivot] = t;
      double d = a[col][col];
      for (int k = 0; k < 2 * p; k++) {
        a[col][k] /= d;
      }
      for (int row = 0; row < p; row++) {
        if (row != col && a[row][col] != 0) {
          double f = a[row][col];
          for (int k = 0; k < 2 * p; k++) {
            a[row][k] -= f * a[col][k];
          }
        }
      }
    }
    double[][] inverse = new double[p][p];
    for (int i = 0; i < p; i++) {
      System.arraycopy(a[i], p, inverse[i], 0, p);
    }
    return inverse;
  }

  private static double[] add(double[] x, double[] d) {
    return new double[] {x[0] + d[0], x[1] + d[1]};
  }

  /** Keeps sigma in [0, 1] and kappa at or above 0. */
  private static double[] clamp(double[] x) {
    return new double[] {Math.min(1, Math.max(0, x[0])), Math.max(0, x[1])};
  }
}

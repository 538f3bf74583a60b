package dev.gil4j.lab.fit;

/**
 * One fitted scalability curve, {@code X(n) = X(1) n / (1 + sigma (n - 1) + kappa n (n - 1))};
 * Amdahl's law is the case {@code kappa = 0}, with {@code sigma} its serial fraction.
 */
record Curve(double logX1, double sigma, double kappa) {

  double speedup(double n) {
    return n / (1 + sigma * (n - 1) + kappa * n * (n - 1));
  }

  double throughput(double n) {
    return Math.exp(logX1) * speedup(n);
  }

  /** Where the speedup is highest over {@code n >= 1}; infinite when it never falls. */
  double peakThreads() {
    if (kappa > 0) {
      return Math.max(1, Math.sqrt((1 - sigma) / kappa));
    }
    return sigma < 1 ? Double.POSITIVE_INFINITY : 1;
  }

  /** The highest speedup over {@code n >= 1}: {@code 1 / sigma} when {@code kappa = 0}. */
  double maxSpeedup() {
    if (kappa > 0) {
      return speedup(peakThreads());
    }
    return 1 / sigma;
  }
}

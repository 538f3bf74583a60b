package dev.gil4j.lab.fit;

/**
 * A scalability law: how throughput {@code X(n)} grows with the number of threads {@code n}. Both
 * laws are fitted as {@code X(n) = X(1) * S(n)}, with {@code X(1)} a fitted parameter rather than
 * the measured one-thread runs, so that the noise at {@code n = 1} is shared like everyone else's.
 */
public enum Law {
  /**
   * Amdahl's law, {@code S(n) = 1 / (s + (1 - s) / n)} with serial fraction {@code s} in [0, 1]:
   * the share of the work that only one thread at a time can do. {@code s = 0} scales linearly,
   * {@code s = 1} not at all (a program under a GIL); speedup never exceeds {@code 1 / s} and never
   * falls as threads are added. Two parameters, {@code X(1)} and {@code s}; needs two thread
   * counts.
   */
  AMDAHL("Amdahl", 2),

  /**
   * Gunther's Universal Scalability Law, {@code S(n) = n / (1 + sigma (n - 1) + kappa n (n - 1))}
   * with contention {@code sigma} in [0, 1] (queueing for a shared resource: Amdahl's serial
   * fraction again) and coherency {@code kappa >= 0} (the cost of every pair of threads keeping
   * each other's view of shared data consistent: cache-line traffic, lock hand-offs). With {@code
   * kappa > 0} throughput peaks at {@code n* = sqrt((1 - sigma) / kappa)} and falls beyond it.
   * Three parameters, {@code X(1)}, {@code sigma} and {@code kappa}; needs three thread counts.
   */
  USL("USL", 3);

  private final String title;
  private final int parameters;

  Law(String title, int parameters) {
    this.title = title;
    this.parameters = parameters;
  }

  /** The law's name as a table prints it: {@code Amdahl} or {@code USL}. */
  public String title() {
    return title;
  }

  /**
   * The fewest distinct thread counts that determine the law's parameters; a held-out check needs
   * one more.
   */
  public int minimumThreadCounts() {
    return parameters;
  }

  boolean hasCoherency() {
    return this == USL;
  }
}

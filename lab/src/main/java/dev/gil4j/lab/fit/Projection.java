package dev.gil4j.lab.fit;

/**
 * The fitted law's speedup at {@code n} threads (or tokens, or cores) over the fitted one-thread
 * throughput, with the 90% bootstrap interval. Beyond the largest measured {@code n} this is an
 * extrapolation: it holds only as far as the law keeps describing the program, which the held-out
 * check tests on the measured range. The interval grows quickly beyond the measured range, since a
 * {@code kappa} too small to see at 8 threads can halve the speedup at 64.
 *
 * @param n the thread count
 * @param speedup the fitted law's {@code X(n) / X(1)}
 * @param low the lower end of the 90% interval, as for a {@link Parameter}
 * @param high the upper end of the 90% interval
 */
public record Projection(int n, double speedup, double low, double high) {

  /** For a table: {@code 64: 15.4x (90% 13.1x..19.1x)}. */
  public String format() {
    return n
        + ": "
        + Numbers.format(speedup)
        + "x (90% "
        + Numbers.format(low)
        + "x.."
        + Numbers.format(high)
        + "x)";
  }
}

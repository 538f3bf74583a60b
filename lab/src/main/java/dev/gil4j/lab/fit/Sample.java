package dev.gil4j.lab.fit;

/**
 * One measured run: the application's throughput with {@code n} threads (or {@code n} tokens,
 * cores, processes). Repeats at the same {@code n} are separate samples; a fit uses every one of
 * them, so their spread is what its intervals reflect.
 *
 * <p>Throughput is anything where higher is better and doubling the rate of work doubles the
 * number: operations per second, round trips per second, or {@code 1 / wall time} for a fixed
 * amount of work (see {@link #ofWallTime}). Its unit does not matter; speedups are ratios.
 *
 * @param n the number of threads (or tokens) the run had, at least 1
 * @param throughput the measured rate of work, positive and finite
 */
public record Sample(int n, double throughput) {

  /**
   * @throws IllegalArgumentException if {@code n < 1} or the throughput is not a positive finite
   *     number
   */
  public Sample {
    if (n < 1) {
      throw new IllegalArgumentException("sample n must be at least 1: " + n);
    }
    if (!(throughput > 0) || Double.isInfinite(throughput)) {
      throw new IllegalArgumentException(
          "sample throughput must be positive and finite: " + throughput + " at n=" + n);
    }
  }

  /**
   * A run that did a fixed amount of work in {@code wallTime} (any unit): its throughput is {@code
   * 1 / wallTime}, so that halving the wall time doubles the throughput. Do not use this when each
   * thread did its own fixed share of work (weak scaling); there the work grows with {@code n} and
   * the throughput is {@code n / wallTime}.
   *
   * @throws IllegalArgumentException if {@code n < 1} or the wall time is not positive and finite
   */
  public static Sample ofWallTime(int n, double wallTime) {
    if (!(wallTime > 0) || Double.isInfinite(wallTime)) {
      throw new IllegalArgumentException(
          "sample wall time must be positive and finite: " + wallTime + " at n=" + n);
    }
    return new Sample(n, 1 / wallTime);
  }
}

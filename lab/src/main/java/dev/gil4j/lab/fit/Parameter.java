package dev.gil4j.lab.fit;

/**
 * One fitted quantity with its uncertainty. The value is the fit to every run. The 90% interval
 * {@code [low, high]} is the union of two: a bootstrap's (the fit repeated on the runs resampled
 * with replacement at each thread count; the middle 90% of the repeats) and a likelihood interval's
 * (the range of the quantity over every curve that fits the runs nearly as well as the best, by an
 * F test at 90%). Read it as "with this much noise, the truth may be anywhere in here"; it says
 * nothing about whether the law itself is right, which the held-out check tests.
 *
 * <p>Names: {@link #X1}, {@link #SERIAL_FRACTION}, {@link #SIGMA}, {@link #KAPPA}, {@link #PEAK},
 * {@link #MAX_SPEEDUP}.
 *
 * <p>{@code stdError}, {@code low} and {@code high} are NaN (printed {@code ?}) when the runs hold
 * no noise estimate: one run at each thread count, and no more thread counts than the law has
 * parameters.
 *
 * @param name what the number is
 * @param value the fitted value
 * @param stdError for {@code X(1)}, {@code s}, {@code sigma} and {@code kappa} the classic
 *     linearised standard error (from the covariance {@code s^2 (J^T J)^-1}; it ignores the bounds,
 *     so near 0 or 1 trust the interval); for the peak and the maximum speedup the bootstrap's
 *     standard deviation, infinite when some resample never peaks
 * @param low the lower end of the 90% interval
 * @param high the upper end of the 90% interval
 */
public record Parameter(String name, double value, double stdError, double low, double high) {
  /** The fitted one-thread throughput, in the samples' unit; speedups are relative to it. */
  public static final String X1 = "X(1)";

  /** Amdahl's serial fraction: 0 scales linearly, 1 is a GIL. */
  public static final String SERIAL_FRACTION = "s";

  /** The USL's contention (queueing on a shared resource), in [0, 1]. */
  public static final String SIGMA = "sigma";

  /** The USL's coherency (cross-talk between every pair of threads), at least 0. */
  public static final String KAPPA = "kappa";

  /** The USL's thread count of highest throughput; infinite when throughput never falls. */
  public static final String PEAK = "peak n";

  /** The highest speedup the law allows at any thread count: {@code 1 / s} for Amdahl. */
  public static final String MAX_SPEEDUP = "max speedup";

  /** For a table: {@code sigma = 0.0500 ± 0.00300 (90% 0.0451..0.0549)}. */
  public String format() {
    return name
        + " = "
        + Numbers.format(value)
        + " ± "
        + Numbers.format(stdError)
        + " (90% "
        + Numbers.format(low)
        + ".."
        + Numbers.format(high)
        + ")";
  }
}

package dev.gil4j.lab.fit;

/**
 * The held-out check: the law fitted only to the runs below the largest thread count, used to
 * predict the largest one, then compared with what was measured there. A law that predicts the
 * point it did not see is a law one may extrapolate with; a large error means the program stops
 * following the law inside the measured range (a core count reached, a second bottleneck), and
 * projections beyond it are guesses.
 *
 * @param n the held-out (largest measured) thread count
 * @param predicted the throughput predicted at {@code n}
 * @param low the lower end of the prediction's 90% interval, as for a {@link Parameter}
 * @param high the upper end of the prediction's 90% interval
 * @param measured the median throughput measured at {@code n}
 * @param baseline the one-thread throughput {@code X(1)} of the fit on the smaller counts
 */
public record HeldOut(
    int n, double predicted, double low, double high, double measured, double baseline) {

  /** {@code predicted / measured - 1}: +0.10 means the law promised 10% more than was measured. */
  public double relativeError() {
    return predicted / measured - 1;
  }

  /** The predicted speedup at {@code n} over the held-out fit's {@code X(1)}. */
  public double predictedSpeedup() {
    return predicted / baseline;
  }

  /** The measured speedup at {@code n} over the held-out fit's {@code X(1)}. */
  public double measuredSpeedup() {
    return measured / baseline;
  }

  /**
   * For a table: {@code n=8 from n<8: predicted 5.10x (90% 4.80x..5.40x), measured 4.90x, +4.1%}.
   */
  public String format() {
    return "n="
        + n
        + " from n<"
        + n
        + ": predicted "
        + Numbers.format(predictedSpeedup())
        + "x (90% "
        + Numbers.format(low / baseline)
        + "x.."
        + Numbers.format(high / baseline)
        + "x), measured "
        + Numbers.format(measuredSpeedup())
        + "x, "
        + Numbers.percent(relativeError());
  }
}

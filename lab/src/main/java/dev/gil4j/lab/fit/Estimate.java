package dev.gil4j.lab.fit;

import java.util.function.ToDoubleFunction;

/**
 * A law fitted to runs, with the uncertainty of everything derived from it.
 *
 * <p>Design: two kinds of interval fail in different places, so each interval is the union of both.
 * The bootstrap ({@link Bootstrap}) follows noise that differs between thread counts, but fails at
 * a bound: when the runs cannot tell {@code kappa = 0.001} from 0 and the fit lands on 0, nearly
 * every resample lands there too, and the interval is [0, 0] while the projection to 64 threads is
 * off by half. The {@link LikelihoodRegion} asks instead which curves fit the runs nearly as well,
 * and keeps that {@code kappa}; but it assumes the same relative noise at every thread count.
 * (Estimate ± t standard errors was tried too: where sigma and kappa trade off against each other
 * it pushes kappa below 0, so its sigma interval was several times too wide.)
 */
final class Estimate {
  final Curve fit;
  final Parameter x1;
  final Parameter contention;
  final Parameter coherency;
  private final Curve[] boot;
  private final LikelihoodRegion region;

  private Estimate(Law law, int[] n, double[] logX, FitOptions options) {
    fit = LeastSquares.fit(law, n, logX, null);
    boot = Bootstrap.curves(law, n, logX, fit, options.rounds(), options.seed());
    double[] se = LeastSquares.standardErrors(law, n, logX, fit);
    region = LikelihoodRegion.of(law, n, logX, fit, se);
    double[] logX1 = region.logX1Range();
    x1 =
        widen(
            Bootstrap.summarize(Parameter.X1, fit, boot, c -> Math.exp(c.logX1())),
            new double[] {Math.exp(logX1[0]), Math.exp(logX1[1])},
            Math.exp(fit.logX1()) * se[0]);
    String contentionName = law.hasCoherency() ? Parameter.SIGMA : Parameter.SERIAL_FRACTION;
    contention =
        widen(
            Bootstrap.summarize(contentionName, fit, boot, Curve::sigma),
            region.range(Curve::sigma),
            se[1]);
    coherency =
        widen(
            Bootstrap.summarize(Parameter.KAPPA, fit, boot, Curve::kappa),
            region.range(Curve::kappa),
            se[2]);
  }

  /** Fits the law to runs {@code (n[i], exp(logX[i]))} and works out its uncertainty. */
  static Estimate of(Law law, int[] n, double[] logX, FitOptions options) {
    return new Estimate(law, n, logX, options);
  }

  /**
   * A quantity of the curve: its value on the fit, its bootstrap standard deviation, and the union
   * of its bootstrap and likelihood intervals. Both are NaN or neither: the runs hold a noise
   * estimate for both or for none.
   */
  Parameter derived(String name, ToDoubleFunction<Curve> f) {
    return widen(Bootstrap.summarize(name, fit, boot, f), region.range(f), Double.NaN);
  }

  /**
   * The union of the bootstrap's interval and {@code range}; the linearised standard error where
   * there is one, else the bootstrap's. NaN stands for "none".
   */
  private static Parameter widen(Parameter p, double[] range, double stdError) {
    return new Parameter(
        p.name(),
        p.value(),
        Double.isNaN(stdError) ? p.stdError() : stdError,
        Double.isNaN(range[0]) ? p.low() : Math.min(p.low(), range[0]),
        Double.isNaN(range[1]) ? p.high() : Math.max(p.high(), range[1]));
  }
}

package dev.gil4j.lab.fit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ScalingFitTest {

  /**
   * {@code repeats} runs at each {@code n} of a USL curve with {@code X(1) = 1000} (Amdahl's when
   * {@code kappa = 0}), each multiplied by {@code exp(cv * z)} with {@code z} drawn from a normal
   * seeded with 42 unless given: the same noise on every run of the test.
   */
  static List<Sample> runs(double sigma, double kappa, double cv, int repeats, int... ns) {
    return seededRuns(42, sigma, kappa, cv, repeats, ns);
  }

  static List<Sample> seededRuns(
      long seed, double sigma, double kappa, double cv, int repeats, int... ns) {
    Random random = new Random(seed);
    List<Sample> samples = new ArrayList<>();
    for (int n : ns) {
      for (int r = 0; r < repeats; r++) {
        double x = 1000 * new Curve(0, sigma, kappa).speedup(n);
        samples.add(new Sample(n, x * Math.exp(cv * random.nextGaussian())));
      }
    }
    return samples;
  }

  static void assertInside(Parameter p, double truth) {
    assertTrue(p.low() <= truth && truth <= p.high(), truth + " outside " + p.format());
  }

  @Test
  void amdahlRecoversTheSerialFractionOfExactData() {
    ScalingFit fit = ScalingFit.of(Law.AMDAHL, runs(0.1, 0, 0, 3, 1, 2, 4, 8, 16));

    assertEquals(Verdict.OK, fit.verdict(), fit.explanation());
    assertEquals(0.1, fit.parameter(Parameter.SERIAL_FRACTION).value(), 1e-9);
    assertEquals(1000, fit.parameter(Parameter.X1).value(), 1e-6);
    assertEquals(10, fit.parameter(Parameter.MAX_SPEEDUP).value(), 1e-6);
    Projection at64 = fit.projections().get(3);
    assertEquals(64, at64.n());
    assertEquals(1 / (0.1 + 0.9 / 64), at64.speedup(), 1e-9);
    assertEquals(at64.speedup(), at64.low(), 1e-9);
    assertEquals(at64.speedup(), at64.high(), 1e-9);
  }

  @Test
  void uslRecoversContentionAndCoherencyOfExactData() {
    ScalingFit fit = ScalingFit.of(Law.USL, runs(0.05, 0.002, 0, 3, 1, 2, 4, 8, 16, 32));

    assertEquals(Verdict.OK, fit.verdict(), fit.explanation());
    assertEquals(0.05, fit.parameter(Parameter.SIGMA).value(), 1e-9);
    assertEquals(0.002, fit.parameter(Parameter.KAPPA).value(), 1e-11);
    assertEquals(Math.sqrt(0.95 / 0.002), fit.parameter(Parameter.PEAK).value(), 1e-6);
    assertEquals(64 / (1 + 0.05 * 63 + 0.002 * 64 * 63), fit.projections().get(3).speedup(), 1e-9);
  }

  @Test
  void aParameterOnItsBoundIsExactlyOnIt() {
    ScalingFit fit = ScalingFit.of(Law.USL, runs(0.1, 0, 0, 1, 1, 2, 4, 8, 16));

    assertEquals(0, fit.parameter(Parameter.KAPPA).value());
    assertEquals(Double.POSITIVE_INFINITY, fit.parameter(Parameter.PEAK).value());
  }

  @Test
  void uslRecoversContentionAndCoherencyThroughNoise() {
    ScalingFit fit = ScalingFit.of(Law.USL, runs(0.05, 0.002, 0.02, 5, 1, 2, 4, 8, 16, 32));

    assertEquals(Verdict.OK, fit.verdict(), fit.explanation());
    assertEquals(0.05, fit.parameter(Parameter.SIGMA).value(), 0.01);
    assertEquals(0.002, fit.parameter(Parameter.KAPPA).value(), 0.0003);
    assertInside(fit.parameter(Parameter.SIGMA), 0.05);
    assertInside(fit.parameter(Parameter.KAPPA), 0.002);
    assertInside(fit.parameter(Parameter.X1), 1000);
  }

  @Test
  void amdahlRecoversTheSerialFractionThroughNoise() {
    ScalingFit fit = ScalingFit.of(Law.AMDAHL, runs(0.05, 0, 0.03, 5, 1, 2, 4, 8, 16));

    assertEquals(Verdict.OK, fit.verdict(), fit.explanation());
    assertEquals(0.05, fit.parameter(Parameter.SERIAL_FRACTION).value(), 0.005);
    assertInside(fit.parameter(Parameter.SERIAL_FRACTION), 0.05);
    Parameter s = fit.parameter(Parameter.SERIAL_FRACTION);
    assertTrue(s.stdError() > 0 && s.stdError() < 0.01, s.format());
  }

  @Test
  void theFitIsTheLeastSquaresMinimumOfLogThroughput() {
    List<Sample> samples = runs(0.08, 0.004, 0.05, 3, 1, 2, 4, 8, 16);
    ScalingFit fit = ScalingFit.of(Law.USL, samples);
    Curve best =
        new Curve(
            Math.log(fit.parameter(Parameter.X1).value()),
            fit.parameter(Parameter.SIGMA).value(),
            fit.parameter(Parameter.KAPPA).value());

    double bestRss = logResidualSquares(best, samples);
    for (int i = 0; i <= 200; i++) {
      for (int k = 0; k <= 200; k++) {
        double sigma = i / 200.0;
        double kappa = k * 0.01 / 200;
        double logX1 = 0;
        for (Sample s : samples) {
          logX1 += Math.log(s.throughput() / new Curve(0, sigma, kappa).speedup(s.n()));
        }
        Curve c = new Curve(logX1 / samples.size(), sigma, kappa);
        assertTrue(logResidualSquares(c, samples) >= bestRss * (1 - 1e-12), c.toString());
      }
    }
  }

  private static double logResidualSquares(Curve c, List<Sample> samples) {
    double sum = 0;
    for (Sample s : samples) {
      double r = Math.log(s.throughput()) - Math.log(c.throughput(s.n()));
      sum += r * r;
    }
    return sum;
  }

  @Test
  void aCoherencyTooSmallToSeeStillWidensTheFarProjection() {
    // kappa = 0.001 costs 5% at 8 threads, inside the noise, and halves the speedup at 64.
    ScalingFit fit = ScalingFit.of(Law.USL, runs(0.02, 0.001, 0.05, 3, 1, 2, 4, 8));

    assertEquals(0, fit.parameter(Parameter.KAPPA).value(), fit.format());
    assertInside(fit.parameter(Parameter.KAPPA), 0.001);
    Projection at64 = fit.projections().get(3);
    double truth = new Curve(0, 0.02, 0.001).speedup(64);
    assertTrue(at64.low() <= truth && truth < at64.speedup() / 2, at64.format());
    assertEquals(Verdict.TOO_NOISY, fit.verdict());
  }

  @Test
  void intervalsHoldTheTruthAboutNineTimesInTen() {
    FitOptions options = FitOptions.DEFAULTS.withRounds(300);
    double truth = new Curve(0, 0.05, 0.002).speedup(64);
    int sigmaInside = 0;
    int kappaInside = 0;
    int projectionInside = 0;
    for (int seed = 0; seed < 20; seed++) {
      ScalingFit fit =
          ScalingFit.of(Law.USL, seededRuns(seed, 0.05, 0.002, 0.03, 3, 1, 2, 4, 8, 16), options);
      Parameter sigma = fit.parameter(Parameter.SIGMA);
      Parameter kappa = fit.parameter(Parameter.KAPPA);
      Projection at64 = fit.projections().get(3);
      sigmaInside += sigma.low() <= 0.05 && 0.05 <= sigma.high() ? 1 : 0;
      kappaInside += kappa.low() <= 0.002 && 0.002 <= kappa.high() ? 1 : 0;
      projectionInside += at64.low() <= truth && truth <= at64.high() ? 1 : 0;
    }
    assertTrue(sigmaInside >= 16, sigmaInside + "/20");
    assertTrue(kappaInside >= 16, kappaInside + "/20");
    assertTrue(projectionInside >= 16, projectionInside + "/20");
  }

  @Test
  void gilLikeFlatDataHasSerialFractionNearOneAndIsFlat() {
    List<Sample> flat = runs(1, 0, 0.03, 3, 1, 2, 4, 8);

    ScalingFit amdahl = ScalingFit.of(Law.AMDAHL, flat);
    assertEquals(Verdict.FLAT, amdahl.verdict(), amdahl.explanation());
    assertTrue(amdahl.parameter(Parameter.SERIAL_FRACTION).value() > 0.95, amdahl.format());
    assertTrue(amdahl.explanation().startsWith("flat: no scaling: Amdahl allows at most 1.0"));
    assertTrue(amdahl.verdict().supportsProjection());

    ScalingFit usl = ScalingFit.of(Law.USL, flat);
    assertEquals(Verdict.FLAT, usl.verdict(), usl.explanation());
    assertTrue(usl.parameter(Parameter.SIGMA).value() > 0.95, usl.format());
  }

  @Test
  void throughputFallingWithThreadsIsFlatAndSaysSo() {
    ScalingFit fit = ScalingFit.of(Law.USL, runs(1, 0.05, 0.02, 3, 1, 2, 4, 8));

    assertEquals(Verdict.FLAT, fit.verdict(), fit.explanation());
    assertTrue(fit.explanation().contains("throughput falls to 0.7"), fit.explanation());
    assertEquals(0.05, fit.parameter(Parameter.KAPPA).value(), 0.01);
  }

  @Test
  void twoThreadCountsAreNotEnoughForTheUsl() {
    ScalingFit fit = ScalingFit.of(Law.USL, runs(0.1, 0, 0.01, 3, 1, 2));

    assertEquals(Verdict.NOT_ENOUGH_POINTS, fit.verdict());
    assertEquals(
        "not enough points: USL needs runs at 3 different thread counts, got 2 (n = 1, 2)",
        fit.explanation());
    assertTrue(fit.parameters().isEmpty());
    assertTrue(fit.projections().isEmpty());
    assertTrue(fit.heldOut().isEmpty());
    assertEquals(2, fit.levels().size());
    assertThrows(IllegalStateException.class, () -> fit.speedupAt(8));
  }

  @Test
  void amdahlOnTwoThreadCountsIsFittedButCannotBeChecked() {
    ScalingFit fit = ScalingFit.of(Law.AMDAHL, runs(0.1, 0, 0.01, 3, 1, 2));

    assertEquals(Verdict.NOT_ENOUGH_POINTS, fit.verdict());
    assertTrue(fit.explanation().endsWith("which leaves none to check it on; measure at least 3"));
    assertEquals(0.1, fit.parameter(Parameter.SERIAL_FRACTION).value(), 0.05);
    assertTrue(fit.heldOut().isEmpty());
    assertTrue(!fit.verdict().supportsProjection());
  }

  @Test
  void noRunsAreNotEnoughPoints() {
    ScalingFit fit = ScalingFit.of(Law.AMDAHL, List.of());

    assertEquals(Verdict.NOT_ENOUGH_POINTS, fit.verdict());
    assertEquals(
        "not enough points: Amdahl needs runs at 2 different thread counts, got none",
        fit.explanation());
  }

  @Test
  void exactlyDeterminedSingleRunsHaveNoInterval() {
    ScalingFit fit = ScalingFit.of(Law.USL, runs(0.1, 0.01, 0.03, 1, 1, 2, 4));

    assertEquals(Verdict.NOT_ENOUGH_POINTS, fit.verdict());
    Parameter sigma = fit.parameter(Parameter.SIGMA);
    assertTrue(Double.isNaN(sigma.low()) && Double.isNaN(sigma.stdError()), sigma.format());
    assertTrue(sigma.format().endsWith("± ? (90% ?..?)"), sigma.format());
  }

  @Test
  void singleRunsBorrowTheirNoiseFromTheOtherRuns() {
    ScalingFit fit = ScalingFit.of(Law.AMDAHL, runs(0.05, 0, 0.03, 1, 1, 2, 4, 8, 16));

    Parameter s = fit.parameter(Parameter.SERIAL_FRACTION);
    assertTrue(s.low() < s.value() && s.value() < s.high(), s.format());
  }

  @Test
  void wildlyNoisyRepeatsAreTooNoisy() {
    ScalingFit fit = ScalingFit.of(Law.AMDAHL, runs(0.1, 0, 0.4, 5, 1, 2, 4, 8));

    assertEquals(Verdict.TOO_NOISY, fit.verdict(), fit.explanation());
    assertTrue(fit.explanation().matches("too noisy: the 5 runs at n=\\d+ differ by \\d+% .*"));
    assertTrue(!fit.verdict().supportsProjection());
  }

  @Test
  void aFarProjectionTheDataCannotPinDownIsTooNoisy() {
    ScalingFit fit = ScalingFit.of(Law.USL, runs(0.02, 0.001, 0.05, 3, 1, 2, 4, 8));

    assertEquals(Verdict.TOO_NOISY, fit.verdict(), fit.format());
    assertTrue(fit.explanation().startsWith("too noisy: the 90% interval at n=64 spans "));
    Projection at64 = fit.projections().get(3);
    assertTrue(at64.high() / at64.low() > 2, at64.format());
  }

  @Test
  void heldOutPredictionOfExactDataIsExact() {
    ScalingFit fit = ScalingFit.of(Law.USL, runs(0, 0.02, 0, 2, 1, 2, 4, 8, 16));

    HeldOut h = fit.heldOut().orElseThrow();
    assertEquals(16, h.n());
    assertEquals(0, h.relativeError(), 1e-9);
    assertEquals(16 / (1 + 0.02 * 16 * 15), h.measuredSpeedup(), 1e-9);
    assertEquals(Verdict.OK, fit.verdict(), fit.explanation());
    assertTrue(
        fit.explanation().endsWith("fitted on n<16 it predicted n=16 to within 0.0% (limit 25%)"),
        fit.explanation());
  }

  @Test
  void aLawThatMissesTheHeldOutPointIsAPoorPrediction() {
    List<Sample> retrograde = runs(0, 0.02, 0.01, 3, 1, 2, 4, 8, 16);

    ScalingFit amdahl = ScalingFit.of(Law.AMDAHL, retrograde);
    assertEquals(Verdict.POOR_PREDICTION, amdahl.verdict(), amdahl.explanation());
    assertTrue(amdahl.heldOut().orElseThrow().relativeError() > 0.25);
    assertTrue(amdahl.explanation().startsWith("poor prediction: fitted on n<16, Amdahl predicts"));

    ScalingFit usl = ScalingFit.of(Law.USL, retrograde);
    assertEquals(Verdict.OK, usl.verdict(), usl.explanation());
    assertTrue(Math.abs(usl.heldOut().orElseThrow().relativeError()) < 0.05, usl.format());
  }

  @Test
  void theSameRunsAndSeedGiveTheSameFit() {
    List<Sample> samples = runs(0.05, 0.002, 0.03, 3, 1, 2, 4, 8, 16);

    assertEquals(ScalingFit.of(Law.USL, samples), ScalingFit.of(Law.USL, samples));
  }

  @Test
  void theBootstrapIsDeterministicForASeed() {
    List<Sample> samples = runs(0.05, 0.002, 0.03, 3, 1, 2, 4, 8, 16);
    int[] n = samples.stream().mapToInt(Sample::n).toArray();
    double[] logX = samples.stream().mapToDouble(s -> Math.log(s.throughput())).toArray();
    Curve fit = LeastSquares.fit(Law.USL, n, logX, null);

    Curve[] first = Bootstrap.curves(Law.USL, n, logX, fit, 200, 1);
    assertEquals(List.of(first), List.of(Bootstrap.curves(Law.USL, n, logX, fit, 200, 1)));
    assertNotEquals(List.of(first), List.of(Bootstrap.curves(Law.USL, n, logX, fit, 200, 2)));
  }

  @Test
  void theThroughputUnitDoesNotChangeSpeedups() {
    List<Sample> perSecond = runs(0.05, 0.002, 0.03, 3, 1, 2, 4, 8, 16);
    List<Sample> perMinute =
        perSecond.stream().map(s -> new Sample(s.n(), s.throughput() * 60)).toList();

    ScalingFit a = ScalingFit.of(Law.USL, perSecond);
    ScalingFit b = ScalingFit.of(Law.USL, perMinute);
    assertEquals(a.parameter(Parameter.X1).value() * 60, b.parameter(Parameter.X1).value(), 1e-6);
    for (int i = 0; i < a.projections().size(); i++) {
      assertEquals(a.projections().get(i).speedup(), b.projections().get(i).speedup(), 1e-9);
      assertEquals(a.projections().get(i).low(), b.projections().get(i).low(), 1e-6);
    }
  }

  @Test
  void projectionsAreAtTheRequestedCounts() {
    FitOptions options = FitOptions.DEFAULTS.withProjectAt(3, 100).withRounds(200);
    ScalingFit fit = ScalingFit.of(Law.AMDAHL, runs(0.1, 0, 0.01, 3, 1, 2, 4, 8), options);

    assertEquals(List.of(3, 100), fit.projections().stream().map(Projection::n).toList());
    assertEquals(fit.speedupAt(100), fit.projections().get(1).speedup(), 1e-12);
    assertEquals(1 / (0.1 + 0.9 / 100), fit.speedupAt(100), 0.1);
  }

  @Test
  void levelsSummariseTheRunsAtEachCount() {
    List<Sample> samples =
        List.of(new Sample(2, 190), new Sample(1, 100), new Sample(2, 210), new Sample(2, 200));

    List<Level> levels = ScalingFit.of(Law.AMDAHL, samples).levels();
    assertEquals(List.of(new Level(1, 1, 100, 0), new Level(2, 3, 200, 0.1)), levels);
  }

  @Test
  void formatPrintsEveryNumberForATable() {
    ScalingFit fit = ScalingFit.of(Law.USL, runs(0.05, 0.002, 0.02, 3, 1, 2, 4, 8, 16));

    String[] lines = fit.format().split(System.lineSeparator());
    assertEquals(11, lines.length, fit.format());
    assertTrue(lines[0].startsWith("USL: ok: USL fits the runs at 5 thread counts"), lines[0]);
    assertTrue(lines[1].matches("  X\\(1\\) = \\d+ ± [0-9.]+ \\(90% \\d+\\.\\.\\d+\\)"), lines[1]);
    assertTrue(lines[2].startsWith("  sigma = 0.0"), lines[2]);
    assertTrue(lines[3].startsWith("  kappa = 0.00"), lines[3]);
    assertTrue(lines[4].startsWith("  peak n = "), lines[4]);
    assertTrue(lines[5].startsWith("  max speedup = "), lines[5]);
    assertTrue(
        lines[6].matches("  speedup at 8: [0-9.]+x \\(90% [0-9.]+x\\.\\.[0-9.]+x\\)"), lines[6]);
    assertTrue(lines[10].startsWith("  held out n=16 from n<16: predicted "), lines[10]);
  }

  @Test
  void numbersAreFormattedForPeople() {
    assertEquals(
        "sigma = 0.0500 ± 0.00300 (90% 0.0451..0.0549)",
        new Parameter("sigma", 0.05, 0.003, 0.0451, 0.0549).format());
    assertEquals(
        "X(1) = 12346 ± 12.0 (90% 999..1000)",
        new Parameter("X(1)", 12345.6, 12, 999.4, 999.5).format());
    assertEquals(
        "peak n = inf ± ? (90% 3.00e-05..inf)",
        new Parameter("peak n", Double.POSITIVE_INFINITY, Double.NaN, 3e-5, 1 / 0.0).format());
    assertEquals("64: 15.4x (90% 13.1x..19.1x)", new Projection(64, 15.4, 13.1, 19.1).format());
    assertEquals(
        "n=8 from n<8: predicted 5.10x (90% 4.80x..5.40x), measured 4.90x, +4.1%",
        new HeldOut(8, 510, 480, 540, 490, 100).format());
  }
}

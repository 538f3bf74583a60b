package dev.gil4j.lab.fit;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * A scalability law fitted to measured runs, with what it projects and whether the runs support the
 * projection.
 *
 * <p><b>Model.</b> Throughput {@code X(n) = X(1) S(n)} with {@code S} from {@link Law}. The fit
 * minimises the squared differences of {@code ln X} over every run (so each run counts by its
 * relative error), with {@code 0 <= s, sigma <= 1} and {@code kappa >= 0}. {@code X(1)} is fitted,
 * not taken from the one-thread runs, and every speedup here is relative to it.
 *
 * <p><b>Uncertainty.</b> Every {@link Parameter} and {@link Projection} has a 90% interval, the
 * union of a stratified bootstrap's (runs redrawn with replacement within each thread count and the
 * law refitted, {@link FitOptions#rounds()} times, with a fixed seed) and a likelihood interval's
 * (the range over all curves whose residuals pass an F test at 90% against the best). The bootstrap
 * sees noise that differs between thread counts; the likelihood interval stays honest when a
 * parameter sits on its bound, where the bootstrap collapses. The same samples and options always
 * give the same numbers.
 *
 * <p><b>Validation.</b> The law is refitted to the runs below the largest thread count and its
 * prediction there compared with the measured median ({@link HeldOut}).
 *
 * <p><b>What the numbers mean.</b> {@code s} (Amdahl) or {@code sigma} (USL) is the share of the
 * work that queues for something only one thread can hold: a GIL gives about 1, a lock-free
 * workload about 0. {@code kappa} is the price of threads talking to each other, which grows with
 * the number of pairs and eventually makes adding threads slower; {@code peak n} is where that
 * happens. {@code max speedup} is the ceiling no number of cores will pass.
 *
 * <p>Points measured beyond the machine's core count show the cores running out, which both laws
 * read as contention; fit only the counts that had a core each, or read {@code sigma} accordingly.
 *
 * @param law the law fitted
 * @param verdict whether the runs support the projection
 * @param explanation one sentence beginning with the verdict's label, with the numbers behind it
 * @param levels the runs summarised per thread count, in increasing {@code n}
 * @param parameters {@code X(1)}, then {@code s} (Amdahl) or {@code sigma}, {@code kappa}, {@code
 *     peak n} (USL), then {@code max speedup}; empty when the law could not be fitted
 * @param projections the speedup at each of {@link FitOptions#projectAt()}; empty when the law
 *     could not be fitted
 * @param heldOut the held-out check, absent when there were too few thread counts for it
 */
public record ScalingFit(
    Law law,
    Verdict verdict,
    String explanation,
    List<Level> levels,
    List<Parameter> parameters,
    List<Projection> projections,
    Optional<HeldOut> heldOut) {

  public ScalingFit {
    levels = List.copyOf(levels);
    parameters = List.copyOf(parameters);
    projections = List.copyOf(projections);
  }

  /** Fits the law to the samples with {@link FitOptions#DEFAULTS}. */
  public static ScalingFit of(Law law, List<Sample> samples) {
    return of(law, samples, FitOptions.DEFAULTS);
  }

  /**
   * Fits the law to the samples, bootstraps its uncertainty, checks it on the held-out largest
   * thread count and judges it. Never fails for lack of data: that is {@link
   * Verdict#NOT_ENOUGH_POINTS}.
   */
  public static ScalingFit of(Law law, List<Sample> samples, FitOptions options) {
    List<Level> levels = levels(samples);
    if (levels.size() < law.minimumThreadCounts()) {
      String why =
          String.format(
              Locale.ROOT,
              "%s needs runs at %d different thread counts, got %s",
              law.title(),
              law.minimumThreadCounts(),
              levels.isEmpty() ? "none" : levels.size() + " (" + counts(levels) + ")");
      return new ScalingFit(
          law,
          Verdict.NOT_ENOUGH_POINTS,
          Verdict.NOT_ENOUGH_POINTS.label() + ": " + why,
          levels,
          List.of(),
          List.of(),
          Optional.empty());
    }
    int[] n = samples.stream().mapToInt(Sample::n).toArray();
    double[] logX = samples.stream().mapToDouble(s -> Math.log(s.throughput())).toArray();
    Estimate e = Estimate.of(law, n, logX, options);

    List<Parameter> parameters = new ArrayList<>(List.of(e.x1, e.contention));
    if (law.hasCoherency()) {
      parameters.add(e.coherency);
      parameters.add(e.derived(Parameter.PEAK, Curve::peakThreads));
    }
    Parameter maxSpeedup = e.derived(Parameter.MAX_SPEEDUP, Curve::maxSpeedup);
    parameters.add(maxSpeedup);

    List<Projection> projections = new ArrayList<>();
    for (int at : options.projectAt()) {
      Parameter p = e.derived("S(" + at + ")", c -> c.speedup(at));
      projections.add(new Projection(at, p.value(), p.low(), p.high()));
    }

    Optional<HeldOut> heldOut =
        levels.size() > law.minimumThreadCounts()
            ? Optional.of(holdOut(law, samples, levels.get(levels.size() - 1), options))
            : Optional.empty();

    Judgement j = judge(law, levels, maxSpeedup, projections, heldOut, options);
    return new ScalingFit(
        law,
        j.verdict(),
        j.verdict().label() + ": " + j.why(),
        levels,
        parameters,
        projections,
        heldOut);
  }

  /**
   * The named parameter.
   *
   * @throws IllegalArgumentException if this fit has no parameter of that name
   */
  public Parameter parameter(String name) {
    return parameters.stream()
        .filter(p -> p.name().equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "no parameter '"
                        + name
                        + "' in this "
                        + law.title()
                        + " fit; it has: "
                        + parameters.stream()
                            .map(Parameter::name)
                            .collect(Collectors.joining(", "))));
  }

  /**
   * The fitted law's speedup {@code X(n) / X(1)} at any {@code n >= 1}, without interval.
   *
   * @throws IllegalStateException if the law could not be fitted
   */
  public double speedupAt(double n) {
    if (parameters.isEmpty()) {
      throw new IllegalStateException("no " + law.title() + " fit: " + explanation);
    }
    Curve c =
        law.hasCoherency()
            ? new Curve(0, parameter(Parameter.SIGMA).value(), parameter(Parameter.KAPPA).value())
            : new Curve(0, parameter(Parameter.SERIAL_FRACTION).value(), 0);
    return c.speedup(n);
  }

  /** The fit as text, one item a line: the explanation, then parameters, projections, held-out. */
  public String format() {
    List<String> lines = new ArrayList<>();
    lines.add(law.title() + ": " + explanation);
    parameters.forEach(p -> lines.add("  " + p.format()));
    projections.forEach(p -> lines.add("  speedup at " + p.format()));
    heldOut.ifPresent(h -> lines.add("  held out " + h.format()));
    return String.join(System.lineSeparator(), lines);
  }

  private static List<Level> levels(List<Sample> samples) {
    Map<Integer, List<Double>> byN = new TreeMap<>();
    for (Sample s : samples) {
      byN.computeIfAbsent(s.n(), k -> new ArrayList<>()).add(s.throughput());
    }
    List<Level> levels = new ArrayList<>();
    byN.forEach(
        (n, xs) -> {
          double[] v = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
          double median = Bootstrap.percentile(v, 0.5);
          levels.add(new Level(n, v.length, median, (v[v.length - 1] - v[0]) / median));
        });
    return levels;
  }

  private static HeldOut holdOut(Law law, List<Sample> samples, Level last, FitOptions options) {
    List<Sample> below = samples.stream().filter(s -> s.n() < last.n()).toList();
    int[] n = below.stream().mapToInt(Sample::n).toArray();
    double[] logX = below.stream().mapToDouble(s -> Math.log(s.throughput())).toArray();
    Estimate e = Estimate.of(law, n, logX, options);
    Parameter predicted = e.derived("X(" + last.n() + ")", c -> c.throughput(last.n()));
    return new HeldOut(
        last.n(),
        predicted.value(),
        predicted.low(),
        predicted.high(),
        last.median(),
        e.x1.value());
  }

  private record Judgement(Verdict verdict, String why) {}

  /** The first rule that applies decides. */
  private static Judgement judge(
      Law law,
      List<Level> levels,
      Parameter maxSpeedup,
      List<Projection> projections,
      Optional<HeldOut> heldOut,
      FitOptions options) {
    if (heldOut.isEmpty()) {
      return new Judgement(
          Verdict.NOT_ENOUGH_POINTS,
          String.format(
              Locale.ROOT,
              "%s is determined by %d thread counts (%s), which leaves none to check it on;"
                  + " measure at least %d",
              law.title(),
              levels.size(),
              counts(levels),
              law.minimumThreadCounts() + 1));
    }
    Level noisiest = levels.stream().max(Comparator.comparingDouble(Level::spread)).orElseThrow();
    if (noisiest.spread() > options.maxRunSpread()) {
      return new Judgement(
          Verdict.TOO_NOISY,
          String.format(
              Locale.ROOT,
              "the %d runs at n=%d differ by %.0f%% of their median (limit %.0f%%)",
              noisiest.runs(),
              noisiest.n(),
              noisiest.spread() * 100,
              options.maxRunSpread() * 100));
    }
    if (maxSpeedup.high() < options.flatMaxSpeedup()) {
      Level last = levels.get(levels.size() - 1);
      Level first = levels.get(0);
      double ratio = last.median() / first.median();
      String falls =
          ratio < 0.9
              ? String.format(
                  Locale.ROOT,
                  "; throughput falls to %sx of n=%d's at n=%d",
                  Numbers.format(ratio),
                  first.n(),
                  last.n())
              : "";
      return new Judgement(
          Verdict.FLAT,
          String.format(
              Locale.ROOT,
              "%s allows at most %sx (90%% up to %sx) at any thread count: threads take turns,"
                  + " as under a GIL%s",
              law.title(),
              Numbers.format(maxSpeedup.value()),
              Numbers.format(maxSpeedup.high()),
              falls));
    }
    Projection furthest =
        projections.stream().filter(p -> p.n() == options.furthest()).findFirst().orElseThrow();
    if (furthest.high() / furthest.low() > options.maxProjectionRatio()) {
      return new Judgement(
          Verdict.TOO_NOISY,
          String.format(
              Locale.ROOT,
              "the 90%% interval at n=%d spans %sx..%sx, a factor of %s (limit %s)",
              furthest.n(),
              Numbers.format(furthest.low()),
              Numbers.format(furthest.high()),
              Numbers.format(furthest.high() / furthest.low()),
              Numbers.format(options.maxProjectionRatio())));
    }
    HeldOut h = heldOut.get();
    if (Math.abs(h.relativeError()) > options.maxHeldOutError()) {
      return new Judgement(
          Verdict.POOR_PREDICTION,
          String.format(
              Locale.ROOT,
              "fitted on n<%d, %s predicts %sx at n=%d but %sx was measured (%s, limit ±%.0f%%);"
                  + " the program stops following the law within the measured range",
              h.n(),
              law.title(),
              Numbers.format(h.predictedSpeedup()),
              h.n(),
              Numbers.format(h.measuredSpeedup()),
              Numbers.percent(h.relativeError()),
              options.maxHeldOutError() * 100));
    }
    return new Judgement(
        Verdict.OK,
        String.format(
            Locale.ROOT,
            "%s fits the runs at %d thread counts (%s); fitted on n<%d it predicted n=%d to"
                + " within %.1f%% (limit %.0f%%)",
            law.title(),
            levels.size(),
            counts(levels),
            h.n(),
            h.n(),
            Math.abs(h.relativeError()) * 100,
            options.maxHeldOutError() * 100));
  }

  private static String counts(List<Level> levels) {
    return "n = "
        + levels.stream().map(l -> Integer.toString(l.n())).collect(Collectors.joining(", "));
  }
}

package dev.gil4j.lab.fit;

import java.util.List;
import java.util.stream.IntStream;

/**
 * How a {@link ScalingFit} projects, bootstraps and judges. Immutable; start from {@link #DEFAULTS}
 * and change with the {@code with...} methods.
 *
 * @param projectAt the thread counts to project the speedup at (default 8, 16, 32, 64); the largest
 *     is the one whose interval decides {@link Verdict#TOO_NOISY}
 * @param rounds bootstrap resamples (default 1000), at least 100 for a 90% interval to mean much
 * @param seed the bootstrap's random seed; the same samples and seed give the same result
 * @param maxRunSpread repeats at one thread count whose {@code (max - min) / median} exceeds this
 *     are too noisy (default 0.5)
 * @param maxProjectionRatio a furthest projection whose interval's {@code high / low} exceeds this
 *     is too noisy (default 2: the data cannot tell 20x from 40x)
 * @param maxHeldOutError a held-out prediction off by more than this fraction of the measured value
 *     is a poor prediction (default 0.25)
 * @param flatMaxSpeedup a law whose highest speedup at any thread count is below this is flat
 *     (default 1.25: a serial fraction above 0.8)
 */
public record FitOptions(
    List<Integer> projectAt,
    int rounds,
    long seed,
    double maxRunSpread,
    double maxProjectionRatio,
    double maxHeldOutError,
    double flatMaxSpeedup) {

  public static final FitOptions DEFAULTS =
      new FitOptions(List.of(8, 16, 32, 64), 1000, 20240601L, 0.5, 2.0, 0.25, 1.25);

  /**
   * @throws IllegalArgumentException naming the field, the bad value and what is accepted
   */
  public FitOptions {
    projectAt = List.copyOf(projectAt);
    if (projectAt.isEmpty() || projectAt.stream().anyMatch(n -> n < 1)) {
      throw new IllegalArgumentException(
          "bad projectAt: " + projectAt + "; accepted: one or more thread counts, each at least 1");
    }
    if (rounds < 100) {
      throw new IllegalArgumentException("bad rounds: " + rounds + "; accepted: 100 or more");
    }
    if (!(maxRunSpread > 0)) {
      throw new IllegalArgumentException(
          "bad maxRunSpread: " + maxRunSpread + "; accepted: a number above 0");
    }
    if (!(maxProjectionRatio > 1)) {
      throw new IllegalArgumentException(
          "bad maxProjectionRatio: " + maxProjectionRatio + "; accepted: a number above 1");
    }
    if (!(maxHeldOutError > 0)) {
      throw new IllegalArgumentException(
          "bad maxHeldOutError: " + maxHeldOutError + "; accepted: a number above 0");
    }
    if (!(flatMaxSpeedup >= 1)) {
      throw new IllegalArgumentException(
          "bad flatMaxSpeedup: " + flatMaxSpeedup + "; accepted: a number of at least 1");
    }
  }

  /** These options projecting at the given thread counts. */
  public FitOptions withProjectAt(int... ns) {
    return new FitOptions(
        IntStream.of(ns).boxed().toList(),
        rounds,
        seed,
        maxRunSpread,
        maxProjectionRatio,
        maxHeldOutError,
        flatMaxSpeedup);
  }

  /** These options with this many bootstrap rounds. */
  public FitOptions withRounds(int rounds) {
    return new FitOptions(
        projectAt, rounds, seed, maxRunSpread, maxProjectionRatio, maxHeldOutError, flatMaxSpeedup);
  }

  /** These options with this bootstrap seed. */
  public FitOptions withSeed(long seed) {
    return new FitOptions(
        projectAt, rounds, seed, maxRunSpread, maxProjectionRatio, maxHeldOutError, flatMaxSpeedup);
  }

  int furthest() {
    return projectAt.stream().mapToInt(Integer::intValue).max().orElseThrow();
  }
}

package dev.gil4j.lab.fit;

/**
 * Whether the measured points support a projection. {@link ScalingFit#explanation()} gives the
 * sentence with the numbers behind it.
 */
public enum Verdict {
  /** The law fits, the noise is small enough and it predicted the held-out point. */
  OK("ok"),

  /**
   * Too few distinct thread counts to fit the law, or to fit it and still hold one out to check it.
   * Parameters are reported when the law could be fitted, but they are not validated.
   */
  NOT_ENOUGH_POINTS("not enough points"),

  /**
   * The runs disagree too much: repeats at some thread count spread too widely, or the interval of
   * the furthest projection spans too large a factor. Measure with more repeats, longer runs or a
   * quieter machine.
   */
  TOO_NOISY("too noisy"),

  /**
   * No scaling: the law allows hardly any speedup at any thread count (Amdahl's serial fraction
   * near 1), as when every thread needs one lock, like a GIL. The projection is valid: more threads
   * will not help.
   */
  FLAT("flat: no scaling"),

  /**
   * Fitted on the smaller thread counts, the law missed the largest measured one by more than the
   * limit: the program does not follow this law over the measured range, and extrapolating it is
   * not supported.
   */
  POOR_PREDICTION("poor prediction");

  private final String label;

  Verdict(String label) {
    this.label = label;
  }

  /** A few words for a table column: {@code ok}, {@code too noisy}, {@code flat: no scaling}... */
  public String label() {
    return label;
  }

  /** Whether the projections may be read as a forecast: {@link #OK} and {@link #FLAT}. */
  public boolean supportsProjection() {
    return this == OK || this == FLAT;
  }
}

package dev.gil4j.lab;

/**
 * One figure of one experiment as CPython measured it and as gil4j's GIL made the Java twin measure
 * it, with their ratio and a one-word verdict: {@code close} when gil4j is within {@value
 * #TOLERANCE}x of CPython either way (0.67x to 1.5x), {@code differs} when it is further off, and
 * {@code failed} when a side has no figure because its run failed.
 *
 * <p>The tolerance is wide because these are timings of different programs on a machine that may be
 * busy: the same experiment run twice on a noisy 2-core machine varies by 30% and more. What the
 * figures must show is the GIL's shape — no CPU speedup on threads, full overlap of sleepers, one
 * hand-off per switch interval, the convoy — and a GIL that behaved otherwise would be off by far
 * more (a speedup of 2 instead of 1, millions of hand-offs per second instead of hundreds).
 *
 * @param id a stable name for tools, e.g. {@code cpu.threads2.speedup}
 * @param experiment the experiment, as the table shows it
 * @param figure the figure and its unit, as the table shows it
 * @param cpython CPython's figure; NaN if its run failed
 * @param gil4j gil4j's figure; NaN if its run failed
 */
record FidelityRow(String id, String experiment, String figure, double cpython, double gil4j) {
  /** How far off, as a factor either way, gil4j may be and still be called close. */
  static final double TOLERANCE = 1.5;

  /** gil4j's figure over CPython's; NaN if either is missing or CPython's is 0. */
  double ratio() {
    if (Double.isNaN(cpython) || Double.isNaN(gil4j) || cpython == 0) {
      return Double.NaN;
    }
    return gil4j / cpython;
  }

  /** {@code close}, {@code differs} or {@code failed}. */
  String verdict() {
    double r = ratio();
    if (Double.isNaN(r)) {
      return "failed";
    }
    return r >= 1 / TOLERANCE && r <= TOLERANCE ? "close" : "differs";
  }
}

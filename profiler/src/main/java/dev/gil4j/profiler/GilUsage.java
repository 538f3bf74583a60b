package dev.gil4j.profiler;

import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * A snapshot of how the GIL was used, taken once (at exit, or on demand) and then only read.
 *
 * <p>Times are nanoseconds of wall-clock time. For every thread, {@code heldNanos + waitNanos +
 * releasedNanos} covers its registered lifetime: holding the GIL, waiting to take it, and running
 * without it (blocked at a blocking point, or revoked by the safety net).
 *
 * @param elapsedNanos wall time since the GIL was installed
 * @param policy the policy in force, as the option spells it ({@code cpython}, {@code ticks})
 * @param switchIntervalNanos the switch interval
 * @param tokens how many threads may hold the GIL at once
 * @param handOffs times the GIL passed to a different thread (CPython's {@code switch_number})
 * @param forcedDrops drops made because a waiter asked for the GIL (drop requests honoured)
 * @param dropRequests drop requests made by waiters that saw no switch during one interval
 * @param monitorReleases times a holder blocked on a contended monitor and so counted as released
 * @param nativeReleases times a holder asleep in a library's native call released the GIL there
 * @param revocations times the safety net took the GIL from a holder blocked elsewhere
 * @param waits wait times, in nanoseconds, of every take that had to wait
 * @param threads per-thread rows, in registration order
 * @param revokedStacks the most frequent stacks of holders the safety net revoked, most first
 */
public record GilUsage(
    long elapsedNanos,
    String policy,
    long switchIntervalNanos,
    int tokens,
    long handOffs,
    long forcedDrops,
    long dropRequests,
    long monitorReleases,
    long nativeReleases,
    long revocations,
    Histogram waits,
    List<ThreadRow> threads,
    List<RevokedStack> revokedStacks) {

  /**
   * One registered thread.
   *
   * @param id the thread's number in registration order: the same thread in every snapshot
   * @param name the thread's name when it registered
   * @param lifetimeNanos registered lifetime, up to its end or to the snapshot
   * @param heldNanos time holding the GIL
   * @param waitNanos time waiting to take the GIL
   * @param takes times it took the GIL
   * @param contendedTakes takes that had to wait
   * @param forcedDrops drops it made on request
   * @param revocations times the safety net revoked its GIL
   * @param waits its wait times in nanoseconds
   * @param alive whether it was still registered at the snapshot
   */
  public record ThreadRow(
      long id,
      String name,
      long lifetimeNanos,
      long heldNanos,
      long waitNanos,
      long takes,
      long contendedTakes,
      long forcedDrops,
      long revocations,
      Histogram waits,
      boolean alive) {

    /** Time running without the GIL: blocked, or revoked. */
    public long releasedNanos() {
      return Math.max(0, lifetimeNanos - heldNanos - waitNanos);
    }
  }

  /**
   * Every thread's time added up.
   *
   * @param lifetimeNanos the registered lifetimes
   * @param heldNanos time holding the GIL
   * @param waitNanos time waiting to take it
   */
  public record Totals(long lifetimeNanos, long heldNanos, long waitNanos) {
    /** Time running without the GIL: blocked, or revoked. */
    public long releasedNanos() {
      return Math.max(0, lifetimeNanos - heldNanos - waitNanos);
    }
  }

  /** Every thread's time added up. */
  public Totals totals() {
    long lifetime = 0;
    long held = 0;
    long wait = 0;
    for (ThreadRow t : threads) {
      lifetime += t.lifetimeNanos();
      held += t.heldNanos();
      wait += t.waitNanos();
    }
    return new Totals(lifetime, held, wait);
  }

  /**
   * A stack the safety net saw in a holder it revoked: where a blocking point is missing.
   *
   * @param reason why the holder counted as not running ({@code BLOCKED}, {@code WAITING}, …, or
   *     {@code STALLED} for a runnable holder whose CPU time did not advance)
   * @param frames the top frames, outermost last
   * @param count how many revocations saw this stack
   */
  public record RevokedStack(String reason, List<String> frames, long count) {}
}

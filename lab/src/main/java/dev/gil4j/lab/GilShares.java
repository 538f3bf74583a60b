package dev.gil4j.lab;

import dev.gil4j.analysis.RecordingSummary;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How a run's registered threads used the GIL, read from its recordings ({@code
 * gil4j.GilStatistics} and {@code gil4j.ContentionHistogram}): shares of their registered time
 * spent holding it, waiting for it and released (blocked elsewhere), the GIL's hand-offs per
 * second, the safety net's revocations, and the application's most waited-for locks.
 *
 * @param held share of registered thread time holding the GIL, 0..1; NaN (as the other GIL figures)
 *     when the run had no GIL
 * @param waiting share waiting for it
 * @param released share released at blocking calls
 * @param handOffsPerSecond hand-offs of the GIL per second of the recording
 * @param revocations times the safety net took the GIL from a holder
 * @param topLocks the locks with the most total wait, most first, at most three
 */
public record GilShares(
    double held,
    double waiting,
    double released,
    double handOffsPerSecond,
    long revocations,
    List<LockWait> topLocks) {

  /** One lock's total wait over the run. */
  public record LockWait(String lock, double waitMs) {}

  static final int TOP_LOCKS = 3;

  /**
   * Adds up the recordings of one run: the parent's and, in mode {@code procs}, its children's.
   * Returns null when they hold neither GIL statistics nor lock waits.
   */
  static GilShares read(List<Path> recordings)
      throws RecordingSummary.UnreadableRecordingException {
    long held = 0;
    long waiting = 0;
    long released = 0;
    long handOffs = 0;
    long revocations = 0;
    double seconds = 0;
    Map<String, Long> waits = new HashMap<>();
    for (Path file : recordings) {
      RecordingSummary s = RecordingSummary.read(file);
      RecordingSummary.GilThread all = s.gilOverall();
      if (all.registeredNanos() > 0) {
        held += all.heldNanos();
        waiting += all.waitNanos();
        released += all.releasedNanos();
        handOffs += all.handOffs();
        revocations += all.revocations();
        seconds = Math.max(seconds, s.duration().toNanos() / 1e9);
      }
      for (RecordingSummary.Lock lock : s.locks()) {
        if (lock.totalWaitNanos() > 0) {
          waits.merge(lock.lockClass() + " " + lock.site(), lock.totalWaitNanos(), Long::sum);
        }
      }
    }
    long total = held + waiting + released;
    if (total == 0 && waits.isEmpty()) {
      return null;
    }
    List<LockWait> top = new ArrayList<>();
    waits.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()))
        .limit(TOP_LOCKS)
        .forEach(e -> top.add(new LockWait(e.getKey(), e.getValue() / 1e6)));
    return new GilShares(
        share(held, total),
        share(waiting, total),
        share(released, total),
        seconds > 0 ? handOffs / seconds : Double.NaN,
        revocations,
        List.copyOf(top));
  }

  private static double share(long part, long total) {
    return total == 0 ? Double.NaN : (double) part / total;
  }

  /** Whether a GIL was imposed, so that the shares are numbers. */
  boolean hasGil() {
    return !Double.isNaN(held);
  }
}

package dev.gil4j.gil.internal;

import dev.gil4j.profiler.GilUsage;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * What the GIL keeps of ended threads for the exit report, in memory that does not grow with every
 * thread the application ever ran: the {@value #KEPT} ended threads that used the GIL longest (held
 * and waiting), each as itself, and the rest added up into one row. Keeping every one cost 4 KB per
 * ended virtual thread and 20 KB per ended platform thread (most of it the wait histogram): an
 * application that starts a virtual thread per task grew by 870 MB per 200,000 tasks.
 *
 * <p>The exit report shows the {@code 20} threads with the most GIL time, so keeping the longest
 * ended ones changes no row it prints; the totals include the rest.
 *
 * <p>Not thread-safe: called with the GIL's mutex held.
 */
final class EndedThreads {
  static final int KEPT = 64;

  private final List<ThreadState> kept = new ArrayList<>();
  private long folded;
  private long lifetimeNanos;
  private long heldNanos;
  private long waitNanos;
  private long takes;
  private long contendedTakes;
  private long forcedDrops;
  private long revocations;
  private Histogram waits;

  /**
   * {@code st} ended. Returns the ended thread that is no longer kept as itself (it or one kept
   * before, whichever used the GIL least), now part of the {@link #row}; {@code null} while fewer
   * than {@value #KEPT} ended.
   */
  ThreadState retire(ThreadState st) {
    kept.add(st);
    if (kept.size() <= KEPT) {
      return null;
    }
    int least = 0;
    for (int i = 1; i < kept.size(); i++) {
      if (gilTime(kept.get(i)) < gilTime(kept.get(least))) {
        least = i;
      }
    }
    ThreadState out = kept.remove(least);
    folded++;
    lifetimeNanos += out.endedAt - out.registeredAt;
    heldNanos += out.heldNanos;
    waitNanos += out.waitNanos;
    takes += out.takes;
    contendedTakes += out.contendedTakes;
    forcedDrops += out.forcedDrops;
    revocations += out.revocations;
    if (out.waits != null) {
      if (waits == null) {
        waits = new Histogram(2);
      }
      waits.add(out.waits);
      // the periodic reader, which may still hold the thread for its last period, reads no waits
      out.waits = null;
    }
    return out;
  }

  /**
   * The ended threads no longer kept as themselves, as one row; {@code null} when there are none.
   */
  GilUsage.ThreadRow row() {
    if (folded == 0) {
      return null;
    }
    return new GilUsage.ThreadRow(
        -1,
        folded + " others",
        lifetimeNanos,
        heldNanos,
        waitNanos,
        takes,
        contendedTakes,
        forcedDrops,
        revocations,
        waits == null ? new Histogram(2) : waits.copy(),
        false);
  }

  private static long gilTime(ThreadState st) {
    return st.heldNanos + st.waitNanos;
  }
}

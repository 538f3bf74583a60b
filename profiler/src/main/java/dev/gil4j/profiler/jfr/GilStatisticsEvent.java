package dev.gil4j.profiler.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Frequency;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Percentage;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * {@code gil4j.GilStatistics}, periodic: how the GIL was used during the last period — CPython's
 * {@code gil_load} — one event per registered thread that lived in the period and one with {@code
 * overall} set for all of them. Written by {@link JfrEvents} from the GIL's {@code GilUsage}.
 *
 * <p>For a thread, {@code heldTime + waitingTime + releasedTime} is its registered time in the
 * period, and the three shares are those times over it. A wait is counted in the period it ends in,
 * so a long wait can make one period's waiting share look low and the next one's high.
 */
@Name(GilStatisticsEvent.NAME)
@Category("gil4j")
@Label("GIL Statistics")
@Description(
    "How the GIL was used in the last period, per thread and overall: held, waiting, released"
        + " shares, hand-offs, forced drops, revocations")
@StackTrace(false)
@Period("1 s")
public final class GilStatisticsEvent extends Event {
  public static final String NAME = "gil4j.GilStatistics";

  private static final GilStatisticsEvent PROBE = new GilStatisticsEvent();

  /** Whether any running recording has this event enabled. */
  static boolean enabled() {
    return PROBE.isEnabled();
  }

  @Label("Thread")
  @Description("The thread's name when it registered; 'all threads' in the overall event")
  public String thread;

  @Label("Overall")
  @Description("Whether this event sums all registered threads")
  public boolean overall;

  @Label("Held")
  @Description("Share of the registered time spent holding the GIL")
  @Percentage
  public double held;

  @Label("Waiting")
  @Description("Share of the registered time spent waiting to take the GIL")
  @Percentage
  public double waiting;

  @Label("Released")
  @Description("Share of the registered time spent running without the GIL (blocked, or revoked)")
  @Percentage
  public double released;

  @Label("Held Time")
  @Timespan(Timespan.NANOSECONDS)
  public long heldTime;

  @Label("Waiting Time")
  @Timespan(Timespan.NANOSECONDS)
  public long waitingTime;

  @Label("Released Time")
  @Timespan(Timespan.NANOSECONDS)
  public long releasedTime;

  @Label("Takes")
  @Description("Times the thread (overall: any thread) took the GIL in the period")
  public long takes;

  @Label("Contended Takes")
  @Description("Takes that had to wait")
  public long contendedTakes;

  @Label("Hand-offs per Second")
  @Description(
      "Rate at which the GIL passed to a different thread in the period (CPython's switch"
          + " number); the GIL's, the same in every event of one period")
  @Frequency
  public double handOffsPerSecond;

  @Label("Forced Drops")
  @Description("Drops made in the period because a waiter asked")
  public long forcedDrops;

  @Label("Revocations")
  @Description("Times in the period the safety net took the GIL from a holder that was not running")
  public long revocations;

  @Label("Interval")
  @Description("The period these figures cover")
  @Timespan(Timespan.NANOSECONDS)
  public long interval;
}

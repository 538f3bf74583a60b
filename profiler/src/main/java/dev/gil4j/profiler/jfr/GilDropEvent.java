package dev.gil4j.profiler.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.SettingDefinition;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * {@code gil4j.GilDrop}: a thread let go of the GIL — forced (a waiter asked, and the holder
 * honoured the request at a checkpoint) or voluntary (at a blocking point, or at its end). Its
 * thread is the one that held the GIL; {@code heldTime} how long it had held it, so the hold spans
 * {@code [startTime - heldTime, startTime]}. Written through {@link JfrEvents#gilDrop}.
 *
 * <p>Only drops that ended a hold of at least the setting {@code heldThreshold} are written ({@link
 * HeldThresholdSetting}; 10 ms unless a recording says otherwise, 1 ms in {@code gil4j.jfc}): the
 * short holds between blocking calls come by the tens of thousands a second. {@code
 * gil4j.GilStatistics} and the exit report count every drop whatever this setting says.
 */
@Name(GilDropEvent.NAME)
@Category("gil4j")
@Label("GIL Drop")
@Description(
    "A thread let go of gil4j's GIL, forced (a waiter asked) or voluntary (at a blocking point);"
        + " how long it had held it")
@StackTrace(false)
public final class GilDropEvent extends Event {
  public static final String NAME = "gil4j.GilDrop";

  private static final GilDropEvent PROBE = new GilDropEvent();

  @Label("Forced")
  @Description("Whether a waiting thread asked for the drop (true) or the holder dropped by itself")
  public boolean forced;

  @Label("Held Time")
  @Description("How long the thread had held the GIL before this drop")
  @Timespan(Timespan.NANOSECONDS)
  public long heldTime;

  /** JFR asks this before writing: whether the hold reached the {@code heldThreshold} setting. */
  @Name("heldThreshold")
  @Label("Held Threshold")
  @Description("Write a drop only when the hold it ended lasted at least this long")
  @SettingDefinition
  protected boolean heldThreshold(HeldThresholdSetting threshold) {
    return heldTime >= threshold.thresholdNanos();
  }

  /** Whether any running recording has this event enabled. Allocation-free. */
  static boolean enabled() {
    return PROBE.isEnabled();
  }

  /**
   * Commits a drop by the calling thread when a recording wants it and the hold reached the
   * threshold; allocates only then.
   *
   * @param forced whether a waiter asked for it
   * @param heldNanos how long the caller had held the GIL
   */
  static void emit(boolean forced, long heldNanos) {
    if (heldNanos >= HeldThresholdSetting.nanos() && PROBE.isEnabled()) {
      GilDropEvent e = new GilDropEvent();
      e.forced = forced;
      e.heldTime = heldNanos;
      e.commit();
    }
  }
}

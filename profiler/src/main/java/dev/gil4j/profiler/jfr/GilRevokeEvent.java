package dev.gil4j.profiler.jfr;

import java.util.List;
import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * {@code gil4j.GilRevoke}: the safety net took the GIL from a holder that was not running — a place
 * where a blocking point is missing. The event's own thread is the safety net's; {@code holder} and
 * {@code holderStack} say whom it revoked and where that thread stood. Written through {@link
 * JfrEvents#gilRevoke}.
 */
@Name(GilRevokeEvent.NAME)
@Category("gil4j")
@Label("GIL Revoke")
@Description(
    "gil4j's safety net took the GIL from a holder that was not running (blocked, waiting, or"
        + " stalled without CPU progress): where a blocking point is missing")
@StackTrace(false)
public final class GilRevokeEvent extends Event {
  public static final String NAME = "gil4j.GilRevoke";

  private static final GilRevokeEvent PROBE = new GilRevokeEvent();

  @Label("Holder")
  @Description("The thread that lost the GIL")
  public Thread holder;

  @Label("Reason")
  @Description(
      "Why the holder counted as not running: its thread state (BLOCKED, WAITING, …), or STALLED"
          + " for a runnable holder whose CPU time did not advance")
  public String reason;

  @Label("Holder Stack")
  @Description("The holder's top frames when it was revoked, one per line, innermost first")
  public String holderStack;

  /** Whether any running recording has this event enabled. Allocation-free. */
  static boolean enabled() {
    return PROBE.isEnabled();
  }

  /**
   * Commits a revocation when a recording wants it.
   *
   * @param holder the thread that lost the GIL
   * @param reason why it counted as not running
   * @param frames its top frames, innermost first ({@code StackTraceElement.toString()} each)
   */
  static void emit(Thread holder, String reason, List<String> frames) {
    if (PROBE.isEnabled()) {
      GilRevokeEvent e = new GilRevokeEvent();
      e.holder = holder;
      e.reason = reason;
      e.holderStack = String.join("\n", frames);
      e.commit();
    }
  }
}

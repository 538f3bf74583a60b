package dev.gil4j.profiler.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;

/**
 * {@code gil4j.GilWait}: a registered thread waited to take the GIL. The event's duration is the
 * wait, its thread the waiter, its stack trace where the waiter stood.
 *
 * <p>Written through {@link JfrEvents#gilWaitBegins} and {@link JfrEvents#gilWaitEnds}.
 */
@Name(GilWaitEvent.NAME)
@Category("gil4j")
@Label("GIL Wait")
@Description(
    "A thread waited to take gil4j's GIL (global interpreter lock); the duration is the wait,"
        + " the stack trace where the thread waited")
@StackTrace(true)
@Threshold("10 ms")
public final class GilWaitEvent extends Event {
  public static final String NAME = "gil4j.GilWait";

  private static final GilWaitEvent PROBE = new GilWaitEvent();

  /**
   * gil4j's frames above the application's (or the JDK's) at every commit: {@link #commitIfBegun},
   * {@link JfrEvents#gilWaitEnds}, the GIL's {@code take}, the GIL's entry point that called it
   * ({@code checkpoint}, {@code afterBlocking}, {@code threadBegins}, {@code acquireEnds}, {@code
   * exitNative}), and two frames of {@code Hooks}, which every path into the GIL's wait crosses.
   */
  static final int OWN_FRAMES = 6;

  /** The classes of gil4j's frames between the application's (or the JDK's) and the commit. */
  static final String[] OWN_CLASSES = {
    "dev.gil4j.profiler.jfr.GilWaitEvent",
    "dev.gil4j.profiler.jfr.JfrEvents",
    "dev.gil4j.gil.internal.GilCore",
    "dev.gil4j.runtime.Hooks"
  };

  /** Whether any running recording has this event enabled. Allocation-free. */
  static boolean enabled() {
    return PROBE.isEnabled();
  }

  /**
   * A begun event when a recording wants it, otherwise {@code null}; allocates only in the first
   * case.
   */
  static GilWaitEvent beginIfEnabled() {
    if (!PROBE.isEnabled()) {
      return null;
    }
    GilWaitEvent e = new GilWaitEvent();
    e.begin();
    return e;
  }

  /** Ends {@code event} now and commits it if it lasted at least the threshold; null is ignored. */
  static void commitIfBegun(GilWaitEvent event) {
    if (event != null) {
      event.commit();
    }
  }
}

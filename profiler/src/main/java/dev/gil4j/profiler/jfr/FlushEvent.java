package dev.gil4j.profiler.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;

/**
 * {@code gil4j.Flush}: never written. Its end-of-chunk hook emits gil4j's periodic events for the
 * partial period, so that a recording that stops (at exit too: JFR stops recordings in its shutdown
 * hook) keeps the figures of its last second.
 *
 * <p>Design: JFR runs end-of-chunk hooks inside the stop, before the last chunk is closed; a
 * periodic event has one period, so this second type carries the end-of-chunk trigger.
 */
@Name(FlushEvent.NAME)
@Category("gil4j")
@Label("gil4j Flush")
@Description(
    "Internal: at the end of each chunk gil4j writes its periodic events for the partial period;"
        + " never written itself")
@StackTrace(false)
@Period("endChunk")
public final class FlushEvent extends Event {
  public static final String NAME = "gil4j.Flush";
}

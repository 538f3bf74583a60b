package dev.gil4j.profiler.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * {@code gil4j.ContentionHistogram}, periodic: one contention site's wait or hold times during the
 * last period, all of them (no threshold), as percentiles and as the full HdrHistogram.
 *
 * <p>{@code histogram} is the period's {@code org.HdrHistogram.Histogram} (nanoseconds, 2
 * significant digits) in its compressed encoding ({@code encodeIntoCompressedByteBuffer}), Base64
 * encoded: {@code Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder()
 * .decode(histogram)), 0)} restores it, and adding the periods' histograms gives a site's whole
 * distribution. JFR drops array fields, hence the string.
 */
@Name(ContentionHistogramEvent.NAME)
@Category("gil4j")
@Label("Contention Histogram")
@Description(
    "One lock's (or pipe's) wait or hold times in the last period: count, percentiles, total, and"
        + " the full HdrHistogram, compressed and Base64-encoded")
@StackTrace(false)
@Period("10 s")
public final class ContentionHistogramEvent extends Event {
  public static final String NAME = "gil4j.ContentionHistogram";

  private static final ContentionHistogramEvent PROBE = new ContentionHistogramEvent();

  /** Whether any running recording has this event enabled. */
  static boolean enabled() {
    return PROBE.isEnabled();
  }

  public static final String WAIT = "wait";
  public static final String HOLD = "hold";

  @Label("Lock Class")
  @Description(
      "What contends: the lock's class (ReentrantLock, Semaphore, …), monitor, pipe or GIL")
  public String lockClass;

  @Label("Site")
  @Description("Where it was created, e.g. com.acme.Cache.<init>(Cache.java:42)")
  public String site;

  @Label("Kind")
  @Description("wait: time to acquire (or to read, write, pass); hold: time held")
  public String kind;

  @Label("Count")
  public long count;

  @Label("Total")
  @Description("Sum of the times, within the histogram's precision (1%)")
  @Timespan(Timespan.NANOSECONDS)
  public long total;

  @Label("P50")
  @Timespan(Timespan.NANOSECONDS)
  public long p50;

  @Label("P90")
  @Timespan(Timespan.NANOSECONDS)
  public long p90;

  @Label("P99")
  @Timespan(Timespan.NANOSECONDS)
  public long p99;

  @Label("P99.9")
  @Timespan(Timespan.NANOSECONDS)
  public long p999;

  @Label("Max")
  @Timespan(Timespan.NANOSECONDS)
  public long max;

  @Label("Histogram")
  @Description("HdrHistogram's compressed encoding of the period's times (ns), Base64")
  public String histogram;

  @Label("Interval")
  @Description("The period these figures cover")
  @Timespan(Timespan.NANOSECONDS)
  public long interval;
}

package dev.gil4j.profiler.jfr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import dev.gil4j.profiler.ContentionRecorder;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.EventType;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Percentage;
import jdk.jfr.SettingDescriptor;
import jdk.jfr.Timespan;
import jdk.jfr.ValueDescriptor;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class JfrEventsTest {
  private static final List<Class<? extends jdk.jfr.Event>> EVENTS =
      List.of(
          GilWaitEvent.class,
          GilDropEvent.class,
          GilRevokeEvent.class,
          PipeIoEvent.class,
          GilStatisticsEvent.class,
          ContentionHistogramEvent.class,
          FlushEvent.class);

  @Test
  void everyEventIsNamedUnderGil4jWithLabelsDescriptionsAndUnits() {
    for (Class<? extends jdk.jfr.Event> c : EVENTS) {
      EventType t = EventType.getEventType(c);
      assertTrue(t.getName().startsWith("gil4j."), t.getName());
      assertEquals(List.of("gil4j"), t.getCategoryNames(), t.getName());
      assertNotNull(t.getLabel(), t.getName());
      assertNotNull(t.getDescription(), t.getName());
      for (ValueDescriptor f : t.getFields()) {
        assertNotNull(f.getLabel(), t.getName() + "." + f.getName());
      }
    }
    Map<String, Class<?>> units =
        Map.of(
            "gil4j.GilDrop.heldTime", Timespan.class,
            "gil4j.PipeIo.bytes", DataAmount.class,
            "gil4j.GilStatistics.waiting", Percentage.class,
            "gil4j.GilStatistics.heldTime", Timespan.class,
            "gil4j.ContentionHistogram.p999", Timespan.class,
            "gil4j.ContentionHistogram.total", Timespan.class);
    for (Class<? extends jdk.jfr.Event> c : EVENTS) {
      EventType t = EventType.getEventType(c);
      for (ValueDescriptor f : t.getFields()) {
        Class<?> unit = units.get(t.getName() + "." + f.getName());
        if (unit != null) {
          assertNotNull(
              f.getAnnotation(unit.asSubclass(java.lang.annotation.Annotation.class)),
              t.getName() + "." + f.getName());
        }
      }
    }
    assertNotNull(GilDropEvent.class.getAnnotation(Category.class));
  }

  @Test
  void gilDropHasAHeldThresholdSettingWithATimespanDefault() {
    SettingDescriptor held =
        EventType.getEventType(GilDropEvent.class).getSettingDescriptors().stream()
            .filter(d -> d.getName().equals("heldThreshold"))
            .findFirst()
            .orElseThrow();
    assertEquals("10 ms", held.getDefaultValue());
    assertEquals(Timespan.class.getName(), held.getContentType());
    assertNotNull(held.getLabel());
  }

  @Test
  void heldThresholdReadsJfrTimespansAndTheShortestOfSeveralWins() {
    assertEquals(0, HeldThresholdSetting.parse("0 ns"));
    assertEquals(500_000, HeldThresholdSetting.parse("500 us"));
    assertEquals(1_000_000, HeldThresholdSetting.parse("1ms"));
    assertEquals(2_000_000_000L, HeldThresholdSetting.parse(" 2 s "));
    assertEquals(-1, HeldThresholdSetting.parse("fast"));
    assertEquals(-1, HeldThresholdSetting.parse("1 week"));
    HeldThresholdSetting s = new HeldThresholdSetting();
    assertEquals("500 us", s.combine(java.util.Set.of("1 ms", "500 us", "nonsense")));
    assertEquals("10 ms", s.combine(java.util.Set.of()));
  }

  @Test
  void emittingAllocatesNothingWhileNoRecordingWantsTheEvents() {
    // JFR initialized, as by a recording any other test may or may not have started before
    FlightRecorder.getFlightRecorder();
    JfrEvents.install(null);
    assertTrue(JfrEvents.started(), "JFR initialized: the event classes are in play");
    assertTrue(
        FlightRecorder.getFlightRecorder().getRecordings().stream()
            .noneMatch(r -> r.getState() == jdk.jfr.RecordingState.RUNNING));
    ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    long id = Thread.currentThread().getId();
    for (int i = 0; i < 20_000; i++) {
      emitAll(i);
    }
    long before = mx.getThreadAllocatedBytes(id);
    for (int i = 0; i < 100_000; i++) {
      emitAll(i);
    }
    long allocated = mx.getThreadAllocatedBytes(id) - before;
    assertTrue(allocated < 1024, "allocated " + allocated + " bytes in 100000 emissions");
    assertFalse(GilDropEvent.enabled());
  }

  private static void emitAll(int i) {
    JfrEvents.gilWaitEnds(JfrEvents.gilWaitBegins());
    JfrEvents.gilDrop((i & 1) == 0, i);
    JfrEvents.pipeIoEnds(JfrEvents.pipeIoBegins(), "pipe", PipeIoEvent.READ, i);
  }

  @Test
  void histogramsTravelAsCompressedBase64ThatDecodesToTheSameHistogram() throws Exception {
    Histogram h = new Histogram(2);
    for (int i = 1; i <= 10_000; i++) {
      h.recordValue(i * 997L);
    }
    String encoded = JfrEvents.encode(h);
    Histogram back =
        Histogram.decodeFromCompressedByteBuffer(
            ByteBuffer.wrap(Base64.getDecoder().decode(encoded)), 0);
    assertEquals(h, back);
    assertTrue(encoded.length() < 4096, "encoded length " + encoded.length());
  }

  @Test
  void intervalsHandEachValueToOneReaderOnceWhileSnapshotsStayCumulative() {
    ContentionRecorder.Site s = ContentionRecorder.site("Semaphore", "IntervalTest.java:1");
    ContentionRecorder.interval();
    s.recordWait(1_000);
    s.recordWait(2_000);
    ContentionRecorder.Interval first = ContentionRecorder.interval();
    s.recordHold(3_000);
    ContentionRecorder.snapshot();
    ContentionRecorder.Interval second = ContentionRecorder.interval();
    ContentionRecorder.Interval third = ContentionRecorder.interval();
    assertEquals(2, find(first, "IntervalTest.java:1").waits().getTotalCount());
    assertEquals(0, find(second, "IntervalTest.java:1").waits().getTotalCount());
    assertEquals(1, find(second, "IntervalTest.java:1").holds().getTotalCount());
    assertTrue(third.sites().stream().noneMatch(x -> x.name().equals("IntervalTest.java:1")));
    assertTrue(first.endNanos() <= second.startNanos());
    ContentionRecorder.SiteSnapshot all =
        ContentionRecorder.snapshot().stream()
            .filter(x -> x.name().equals("IntervalTest.java:1"))
            .findFirst()
            .orElseThrow();
    assertEquals(2, all.waits().getTotalCount());
    assertEquals(1, all.holds().getTotalCount());
  }

  @Test
  void ratesAndSharesCarryTheDigitsTheyMeasure() {
    assertEquals(0.376, JfrEvents.significant(0.3756610488223498));
    assertEquals(101.0, JfrEvents.significant(100.6));
    assertEquals(12300.0, JfrEvents.significant(12345.6));
    assertEquals(0.0, JfrEvents.significant(0));
    assertEquals(0.4863, JfrEvents.share(486_312, 1_000_000));
    assertEquals(1.0, JfrEvents.share(7, 7));
  }

  private static ContentionRecorder.SiteSnapshot find(ContentionRecorder.Interval i, String name) {
    return i.sites().stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
  }
}

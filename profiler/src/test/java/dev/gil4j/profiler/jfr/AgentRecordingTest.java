package dev.gil4j.profiler.jfr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gil4j.profiler.ContentionRecorder;
import dev.gil4j.testkit.Child;
import dev.gil4j.testkit.ChildRun;
import dev.gil4j.testkit.Jdk;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmc.common.item.Attribute;
import org.openjdk.jmc.common.item.IAttribute;
import org.openjdk.jmc.common.item.IItem;
import org.openjdk.jmc.common.item.IItemCollection;
import org.openjdk.jmc.common.item.IItemIterable;
import org.openjdk.jmc.common.item.IMemberAccessor;
import org.openjdk.jmc.common.item.ItemFilters;
import org.openjdk.jmc.common.unit.IQuantity;
import org.openjdk.jmc.common.unit.UnitLookup;
import org.openjdk.jmc.flightrecorder.JfrLoaderToolkit;

/**
 * One recording made in this JVM with {@link AgentRecording}, read back by three readers: the JDK's
 * {@code RecordingFile}, the JDK's {@code jfr} tool, and JDK Mission Control's parser.
 */
class AgentRecordingTest {
  private static final String SITE = "AgentRecordingTest.<init>(AgentRecordingTest.java:1)";
  private static final String PIPE = "PipedInputStream AgentRecordingTest.java:2";

  @TempDir static Path dir;
  private static Path file;

  @BeforeAll
  static void record() throws Exception {
    long started = System.nanoTime();
    JfrEvents.install(() -> RecordingDemo.usage(System.nanoTime() - started));
    file = dir.resolve("in-process.jfr");
    try (AgentRecording recording = AgentRecording.start(file, null)) {
      ContentionRecorder.Site site = ContentionRecorder.site("ReentrantLock", SITE);
      for (int i = 1; i <= 500; i++) {
        site.recordWait(i * 10_000L);
        site.recordHold(20_000L);
      }
      JfrEvents.gilDrop(true, 5_000_000L);
      JfrEvents.gilDrop(false, 1_200_000L);
      JfrEvents.gilDrop(false, 300_000L);
      Object wait = JfrEvents.gilWaitBegins();
      Thread.sleep(3);
      JfrEvents.gilWaitEnds(wait);
      JfrEvents.gilWaitEnds(JfrEvents.gilWaitBegins());
      JfrEvents.gilRevoke(
          Thread.currentThread(), "BLOCKED", List.of("a.B.c(B.java:1)", "a.B.d(B.java:2)"));
      Object io = JfrEvents.pipeIoBegins();
      Thread.sleep(2);
      JfrEvents.pipeIoEnds(io, PIPE, PipeIoEvent.READ, 4096);
      // one 1 s period of gil4j.GilStatistics and gil4j.ContentionHistogram, then the flush's
      Thread.sleep(1300);
      for (int i = 1; i <= 500; i++) {
        site.recordWait(i * 10_000L);
      }
      assertFalse(Files.exists(file), "written before close");
    }
  }

  private static List<RecordedEvent> events(String name) throws Exception {
    return RecordingFile.readAllEvents(file).stream()
        .filter(e -> e.getEventType().getName().equals(name))
        .collect(Collectors.toList());
  }

  @Test
  void closeWritesTheFileAndLeavesNoTemporaryFile() throws Exception {
    assertTrue(Files.size(file) > 0);
    try (var files = Files.list(dir)) {
      assertEquals(List.of(file), files.collect(Collectors.toList()));
    }
  }

  @Test
  void recordingFileReadsEveryGil4jEventWithItsFields() throws Exception {
    List<RecordedEvent> drops = events("gil4j.GilDrop");
    assertEquals(2, drops.size(), "the drop after a 0.3 ms hold is under gil4j.jfc's 1 ms");
    assertTrue(drops.get(0).getBoolean("forced"));
    assertEquals(Duration.ofMillis(5), drops.get(0).getDuration("heldTime"));
    assertFalse(drops.get(1).getBoolean("forced"));

    List<RecordedEvent> waits = events("gil4j.GilWait");
    assertEquals(1, waits.size(), "the wait under the 1 ms threshold is not written");
    assertTrue(waits.get(0).getDuration().toNanos() >= 3_000_000L);
    assertTrue(waits.get(0).getStackTrace().getFrames().size() > 0);

    RecordedEvent revoke = events("gil4j.GilRevoke").get(0);
    assertEquals(Thread.currentThread().getName(), revoke.getThread("holder").getJavaName());
    assertEquals("BLOCKED", revoke.getString("reason"));
    assertEquals("a.B.c(B.java:1)\na.B.d(B.java:2)", revoke.getString("holderStack"));

    RecordedEvent io = events("gil4j.PipeIo").get(0);
    assertEquals(PIPE, io.getString("pipe"));
    assertEquals("read", io.getString("direction"));
    assertEquals(4096, io.getLong("bytes"));
  }

  @Test
  void histogramPeriodsAddUpToEveryValueRecordedTheLastPartialPeriodIncluded() throws Exception {
    List<RecordedEvent> waits =
        events("gil4j.ContentionHistogram").stream()
            .filter(e -> e.getString("site").equals(SITE) && e.getString("kind").equals("wait"))
            .collect(Collectors.toList());
    assertTrue(waits.size() >= 2, "a periodic event and the flush's: " + waits.size());
    Histogram all = new Histogram(2);
    long count = 0;
    for (RecordedEvent e : waits) {
      assertEquals("ReentrantLock", e.getString("lockClass"));
      Histogram h =
          Histogram.decodeFromCompressedByteBuffer(
              ByteBuffer.wrap(Base64.getDecoder().decode(e.getString("histogram"))), 0);
      assertEquals(e.getLong("count"), h.getTotalCount());
      assertEquals(e.getDuration("max").toNanos(), h.getMaxValue());
      assertTrue(e.getDuration("interval").toNanos() > 0);
      all.add(h);
      count += e.getLong("count");
    }
    assertEquals(1000, count);
    assertEquals(1000, all.getTotalCount());
    assertEquals(5_000_000, all.getMaxValue(), 50_000);
    assertEquals(2_500_000, all.getValueAtPercentile(50), 50_000);
  }

  @Test
  void gilStatisticsCarryPerThreadAndOverallShares() throws Exception {
    List<RecordedEvent> stats = events("gil4j.GilStatistics");
    Map<String, List<RecordedEvent>> byThread =
        stats.stream().collect(Collectors.groupingBy(e -> e.getString("thread")));
    assertTrue(
        byThread.keySet().containsAll(List.of("main", "worker", "all threads")),
        "" + byThread.keySet());
    RecordedEvent main = byThread.get("main").get(0);
    assertEquals(0.4, main.getDouble("held"), 0.01);
    assertEquals(0.5, main.getDouble("waiting"), 0.01);
    assertEquals(0.1, main.getDouble("released"), 0.01);
    RecordedEvent all = byThread.get("all threads").get(0);
    assertTrue(all.getBoolean("overall"));
    assertEquals(0.45, all.getDouble("held"), 0.01);
    assertEquals(200, all.getDouble("handOffsPerSecond"), 1);
  }

  @Test
  void jfrToolPrintsAndSummarizesTheRecording() throws Exception {
    for (Jdk jdk : Jdk.available().toList()) {
      String print = run(jdk, "print", "--events", "gil4j.GilDrop", file.toString());
      assertTrue(print.contains("gil4j.GilDrop"), print);
      assertTrue(print.contains("forced = true"), print);
      assertTrue(
          print.contains("heldTime = 5.00 ms") || print.contains("heldTime = 5.000 ms"), print);
      String summary = run(jdk, "summary", file.toString());
      for (String name :
          List.of(
              "gil4j.GilDrop",
              "gil4j.GilWait",
              "gil4j.ContentionHistogram",
              "gil4j.GilStatistics")) {
        assertTrue(summary.contains(name), name + " in\n" + summary);
      }
    }
  }

  private static String run(Jdk jdk, String... args) {
    List<String> cmd = new ArrayList<>(List.of(jdk.tool("jfr").toString()));
    cmd.addAll(List.of(args));
    ChildRun run = Child.command(cmd).withTimeout(Duration.ofSeconds(60)).withLabel("jfr").run();
    String out = run.stdout() + run.stderr();
    assertEquals(0, run.exitCode(), out);
    return out;
  }

  @Test
  void jmcParserReadsGil4jEventsWithUnits() throws Exception {
    IItemCollection items = JfrLoaderToolkit.loadEvents(file.toFile());
    IItemCollection drops = items.apply(ItemFilters.type("gil4j.GilDrop"));
    assertEquals(
        2, drops.getAggregate(org.openjdk.jmc.common.item.Aggregators.count()).longValue());
    IAttribute<IQuantity> held = Attribute.attr("heldTime", "heldTime", UnitLookup.TIMESPAN);
    List<Long> nanos = new ArrayList<>();
    for (IItemIterable it : drops) {
      IMemberAccessor<IQuantity, IItem> a = held.getAccessor(it.getType());
      for (IItem item : it) {
        nanos.add(a.getMember(item).clampedLongValueIn(UnitLookup.NANOSECOND));
      }
    }
    assertTrue(nanos.contains(5_000_000L), "" + nanos);
    IItemCollection stats = items.apply(ItemFilters.type("gil4j.GilStatistics"));
    IAttribute<IQuantity> waiting = Attribute.attr("waiting", "waiting", UnitLookup.PERCENTAGE);
    for (IItemIterable it : stats) {
      IMemberAccessor<IQuantity, IItem> a = waiting.getAccessor(it.getType());
      for (IItem item : it) {
        double percent = a.getMember(item).doubleValueIn(UnitLookup.PERCENT);
        assertTrue(percent >= 0 && percent <= 100, "" + percent);
      }
    }
  }

  @Test
  void settingsLayerTheJdkDefaultThenGil4jThenTheUsersFile() throws Exception {
    Map<String, String> plain = AgentRecording.settings(null);
    assertEquals("1 ms", plain.get("gil4j.GilWait#threshold"));
    assertEquals("1 ms", plain.get("jdk.ThreadPark#threshold"));
    assertEquals("true", plain.get("jdk.ActiveSetting#enabled"), "from the JDK's default");
    Path mine = dir.resolve("mine.jfc");
    Files.writeString(
        mine,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<configuration version=\"2.0\">\n"
            + "  <event name=\"gil4j.GilWait\"><setting name=\"threshold\">0 ms</setting></event>\n"
            + "</configuration>\n");
    Map<String, String> layered = AgentRecording.settings(mine);
    assertEquals("0 ms", layered.get("gil4j.GilWait#threshold"));
    assertEquals("1 ms", layered.get("gil4j.LockWait#threshold"));
    Files.delete(mine);
  }

  @Test
  void aBadSettingsFileOrAMissingDirectoryIsRefusedBeforeRecording() throws Exception {
    Path bad = dir.resolve("bad.jfc");
    Files.writeString(bad, "not xml");
    assertThrows(ParseException.class, () -> AgentRecording.settings(bad));
    Files.delete(bad);
    assertThrows(NoSuchFileException.class, () -> AgentRecording.settings(dir.resolve("none.jfc")));
    assertThrows(
        NoSuchFileException.class,
        () -> AgentRecording.start(dir.resolve("no/such/dir/x.jfr"), null));
  }
}

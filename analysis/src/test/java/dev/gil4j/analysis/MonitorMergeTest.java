package dev.gil4j.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gil4j.profiler.ContentionRecorder;
import dev.gil4j.profiler.jfr.AgentRecording;
import dev.gil4j.profiler.jfr.JfrEvents;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A monitor that gil4j timed at a line and that {@code jdk.JavaMonitorEnter} saw contended at the
 * same line is one row of the report: every wait from gil4j's histogram, the owners from the JDK's
 * events.
 */
class MonitorMergeTest {
  /** The monitor, a class of its own so that both sources name it. */
  static final class Vault {}

  private static final Vault VAULT = new Vault();

  @TempDir Path dir;

  @Test
  void gil4jsHistogramAndTheJdksEventsOfOneMonitorLineAreOneLock() throws Exception {
    JfrEvents.install(null);
    Path file = dir.resolve("monitor.jfr");
    String frame;
    try (AgentRecording recording = AgentRecording.start(file, null)) {
      CountDownLatch holding = new CountDownLatch(1);
      Thread owner =
          new Thread(
              () -> {
                synchronized (VAULT) {
                  holding.countDown();
                  sleep(60);
                }
              },
              "vault-owner");
      owner.start();
      holding.await();
      int line = new Throwable().getStackTrace()[0].getLineNumber() + 1;
      synchronized (VAULT) {
        frame =
            MonitorMergeTest.class.getName()
                + ".gil4jsHistogramAndTheJdksEventsOfOneMonitorLineAreOneLock(MonitorMergeTest.java:"
                + line
                + ")";
      }
      owner.join();
      ContentionRecorder.Site site =
          ContentionRecorder.site("synchronized", Vault.class.getName() + " " + frame);
      site.recordWait(50_000_000L);
      site.recordWait(2_000L);
    }
    RecordingSummary s = RecordingSummary.read(file);
    List<RecordingSummary.Lock> vault =
        s.locks().stream()
            .filter(
                l ->
                    l.site().contains(Vault.class.getName())
                        || l.lockClass().contains(Vault.class.getName()))
            .toList();
    assertEquals(1, vault.size(), () -> "one row for the monitor: " + describe(s));
    RecordingSummary.Lock l = vault.get(0);
    assertEquals("synchronized", l.lockClass());
    assertTrue(l.complete(), "every wait, from gil4j's histogram");
    assertEquals(2, l.waits().getTotalCount());
    assertTrue(
        l.owners().stream().anyMatch(o -> o.getKey().equals("vault-owner")),
        () -> "owner from jdk.JavaMonitorEnter: " + l.owners());
  }

  private static String describe(RecordingSummary s) {
    StringBuilder b = new StringBuilder();
    for (RecordingSummary.Lock l : s.locks()) {
      b.append("\n  ")
          .append(l.source())
          .append(' ')
          .append(l.lockClass())
          .append(' ')
          .append(l.site());
    }
    return b.toString();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

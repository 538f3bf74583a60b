package dev.gil4j.profiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ContentionRecorderTest {
  private static ContentionRecorder.SiteSnapshot find(String name) {
    return ContentionRecorder.snapshot().stream()
        .filter(s -> s.name().equals(name))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void siteNamesReadAsStackFramesDo() {
    assertEquals(
        "com.acme.Cache.<init>(Cache.java:42)",
        ContentionRecorder.siteName("com/acme/Cache", "<init>", "Cache.java", 42));
    assertEquals(
        "com.acme.Gen.run(Unknown Source)",
        ContentionRecorder.siteName("com.acme.Gen", "run", null, -1));
    assertEquals(
        "com.acme.Gen.run(Unknown Source)",
        ContentionRecorder.siteName("com.acme.Gen", "run", null, 7));
    assertEquals(
        "com.acme.Main.main(Main.java)",
        ContentionRecorder.siteName("com.acme.Main", "main", "Main.java", -1));
    StackTraceElement here = new Throwable().getStackTrace()[0];
    assertEquals(
        here.toString(),
        ContentionRecorder.siteName(
            here.getClassName(), here.getMethodName(), here.getFileName(), here.getLineNumber()));
  }

  @Test
  void recordsFromManyThreadsAreMergedPerSite() throws Exception {
    ContentionRecorder.Site site = ContentionRecorder.site("Lock", "Merged.<init>(Merged.java:1)");
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      Thread th =
          new Thread(
              () -> {
                for (int i = 1; i <= 1000; i++) {
                  site.recordWait(i * 1_000L);
                  site.recordHold(5_000L);
                }
              });
      threads.add(th);
      th.start();
    }
    for (Thread th : threads) {
      th.join();
    }
    ContentionRecorder.SiteSnapshot s = find("Merged.<init>(Merged.java:1)");
    assertEquals(4000, s.waits().getTotalCount());
    assertEquals(4000, s.holds().getTotalCount());
    assertEquals(500_000, s.waits().getValueAtPercentile(50), 5_000);
    assertEquals(1_000_000, s.waits().getMaxValue(), 10_000);
  }

  @Test
  void tablesOfEndedThreadsAreMergedIntoTheSitesAndDropped() throws Exception {
    ContentionRecorder.Site site = ContentionRecorder.site("synchronized", "PerTask.java:9");
    int threads = 3000;
    for (int i = 0; i < threads; i++) {
      Thread t = new Thread(() -> site.recordWait(7_000L));
      t.start();
      t.join();
    }
    assertTrue(
        ContentionRecorder.tables() <= 1024 + 8,
        "tables kept while threads come and go: " + ContentionRecorder.tables());
    assertEquals(threads, find("PerTask.java:9").waits().getTotalCount(), "nothing lost");
    assertTrue(ContentionRecorder.tables() <= 8, "after a drain: " + ContentionRecorder.tables());
  }

  @Test
  void snapshotsAreCumulativeAndSitesAreSharedByName() {
    ContentionRecorder.Site a = ContentionRecorder.site("Semaphore", "Cumulative.java:7");
    assertTrue(a == ContentionRecorder.site("Semaphore", "Cumulative.java:7"));
    a.recordWait(10);
    assertEquals(1, find("Cumulative.java:7").waits().getTotalCount());
    a.recordWait(20);
    assertEquals(2, find("Cumulative.java:7").waits().getTotalCount());
    assertEquals(0, find("Cumulative.java:7").holds().getTotalCount());
  }

  @Test
  void aSiteWithNothingRecordedIsNotReported() {
    ContentionRecorder.site("Event", "Silent.java:3");
    assertTrue(
        ContentionRecorder.snapshot().stream().noneMatch(s -> s.name().equals("Silent.java:3")));
  }
}

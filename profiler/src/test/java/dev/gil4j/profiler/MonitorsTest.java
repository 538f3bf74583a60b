package dev.gil4j.profiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** What {@link Monitors} tells apart by looking at a monitor's header, called here directly. */
class MonitorsTest {
  @Test
  void aFreeMonitorIsNotTimedAndNeitherIsARecursiveEntry() {
    Object free = new Object();
    assertTrue(Monitors.detectsContention());
    assertEquals(0, Monitors.arrive(free));
    synchronized (free) {
      assertEquals(0, Monitors.arrive(free), "held by this thread: a recursive entry");
    }
    assertEquals(0, Monitors.arrive(null));
  }

  @Test
  void aMonitorHeldByAnotherThreadIsTimedAndItsWaitRecorded() throws Exception {
    Object held = new Object();
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Thread owner =
        new Thread(
            () -> {
              synchronized (held) {
                holding.countDown();
                try {
                  release.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
            });
    owner.start();
    holding.await();
    long arrived = Monitors.arrive(held);
    assertNotEquals(0, arrived);
    Thread.sleep(20);
    release.countDown();
    synchronized (held) {
      Monitors.entered(held, arrived, "MonitorsTest.java:1");
    }
    owner.join();
    ContentionRecorder.SiteSnapshot s =
        site(Monitors.ENTRY, "java.lang.Object MonitorsTest.java:1");
    assertEquals(1, s.waits().getTotalCount());
    assertTrue(s.waits().getMaxValue() >= 15_000_000L, "waited " + s.waits().getMaxValue());
  }

  @Test
  void entriesThatDidNotBlockAndUntimedOnesAreNotRecorded() {
    Object o = new Object();
    Monitors.entered(o, 0, "MonitorsTest.java:2");
    Monitors.entered(o, System.nanoTime(), "MonitorsTest.java:2");
    assertTrue(
        ContentionRecorder.snapshot().stream().noneMatch(s -> s.name().contains("java:2")),
        "nothing recorded");
  }

  @Test
  void waitsAreRecordedPerMonitorClassAndLocationAClassBeingItsOwnMonitor() {
    Monitors.waited("a string", System.nanoTime() - 5_000_000L, "MonitorsTest.java:3");
    Monitors.waited(String.class, System.nanoTime() - 5_000_000L, "MonitorsTest.java:3");
    assertEquals(
        1, site(Monitors.WAIT, "java.lang.String MonitorsTest.java:3").waits().getTotalCount());
    assertEquals(
        1,
        site(Monitors.WAIT, "java.lang.String.class MonitorsTest.java:3").waits().getTotalCount());
  }

  private static ContentionRecorder.SiteSnapshot site(String kind, String name) {
    return ContentionRecorder.snapshot().stream()
        .filter(s -> s.kind().equals(kind) && s.name().equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new AssertionError(kind + " " + name + " not in " + ContentionRecorder.snapshot()));
  }
}

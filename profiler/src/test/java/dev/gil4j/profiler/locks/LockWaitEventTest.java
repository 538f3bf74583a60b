package dev.gil4j.profiler.locks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gil4j.profiler.jfr.JfrEvents;
import dev.gil4j.profiler.jfr.LockWaitEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import jdk.jfr.EventType;
import jdk.jfr.Recording;
import jdk.jfr.SettingDescriptor;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code gil4j.LockWait} events the swapped-in synchronizers emit, read back from a real JFR
 * file: one per contended wait, with class, site, owner, duration and the waiter's stack.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LockWaitEventTest {
  private static final String SITE = "Recorded.<init>(Recorded.java:1)";
  private static final String QUIET = "Recorded.<init>(Recorded.java:2)";

  @TempDir Path dir;

  @Test
  void contendedWaitsBecomeEventsWithClassSiteOwnerAndStack() throws Exception {
    Path file = dir.resolve("lockwait.jfr");
    // As the agent does; without it the events were written only when another test had done so.
    JfrEvents.install(null);
    try (Recording recording = new Recording()) {
      recording.enable("gil4j.LockWait").withThreshold(Duration.ZERO).withStackTrace();
      recording.start();

      ProfiledReentrantLock lock = new ProfiledReentrantLock(SITE);
      CountDownLatch held = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      CountDownLatch waited = new CountDownLatch(1);
      // The owner outlives the wait: JFR on JDK 17 cannot name a thread that has ended.
      TestThread holder =
          TestThread.start(
              "holder",
              () -> {
                lock.lock();
                held.countDown();
                release.await();
                lock.unlock();
                waited.await();
              });
      held.await();
      TestThread waiter =
          TestThread.start(
              "lock-waiter",
              () -> {
                lock.lock();
                lock.unlock();
              });
      TestThread.eventually(() -> lock.hasQueuedThread(waiter.thread()), "waiter to queue");
      Thread.sleep(20);
      release.countDown();
      waiter.join();
      waited.countDown();
      holder.join();

      ProfiledReentrantReadWriteLock rw = new ProfiledReentrantReadWriteLock(SITE);
      rw.writeLock().lock();
      TestThread reader =
          TestThread.start(
              "read-waiter",
              () -> {
                rw.readLock().lock();
                rw.readLock().unlock();
              });
      TestThread.eventually(() -> rw.hasQueuedThread(reader.thread()), "reader to queue");
      rw.writeLock().unlock();
      reader.join();

      ProfiledSemaphore semaphore = new ProfiledSemaphore(0, SITE);
      TestThread acquirer = TestThread.start("permit-waiter", semaphore::acquire);
      TestThread.eventually(semaphore::hasQueuedThreads, "acquirer to queue");
      semaphore.release();
      acquirer.join();

      ProfiledReentrantLock quiet = new ProfiledReentrantLock(QUIET);
      for (int i = 0; i < 100; i++) {
        quiet.lock();
        assertTrue(quiet.tryLock(1, TimeUnit.SECONDS));
        quiet.unlock();
        quiet.unlock();
      }

      recording.stop();
      recording.dump(file);
    }
    List<RecordedEvent> events =
        RecordingFile.readAllEvents(file).stream()
            .filter(e -> e.getEventType().getName().equals("gil4j.LockWait"))
            .toList();
    assertTrue(events.stream().noneMatch(e -> QUIET.equals(e.getString("site"))));

    RecordedEvent lockWait = only(events, "ReentrantLock");
    assertEquals("lock-waiter", lockWait.getThread().getJavaName());
    assertEquals("holder", lockWait.getThread("owner").getJavaName());
    assertTrue(lockWait.getDuration().toMillis() >= 20, lockWait.getDuration().toString());
    List<RecordedFrame> frames = lockWait.getStackTrace().getFrames();
    assertTrue(
        frames.stream()
            .anyMatch(
                f ->
                    f.getMethod().getType().getName().equals(ProfiledReentrantLock.class.getName())
                        && f.getMethod().getName().equals("lock")),
        "stack starts in the profiled lock");
    assertTrue(
        frames.stream()
            .anyMatch(
                f -> f.getMethod().getType().getName().equals(LockWaitEventTest.class.getName())),
        "stack reaches the waiting code");

    RecordedEvent readWait = only(events, "ReentrantReadWriteLock.read");
    assertEquals("read-waiter", readWait.getThread().getJavaName());
    assertEquals(Thread.currentThread().getName(), readWait.getThread("owner").getJavaName());

    RecordedEvent permitWait = only(events, "Semaphore");
    assertEquals("permit-waiter", permitWait.getThread().getJavaName());
    assertNull(permitWait.getThread("owner"));
  }

  @Test
  void eventTypeIsDescribedForJdkMissionControl() {
    EventType type = EventType.getEventType(LockWaitEvent.class);
    assertEquals("gil4j.LockWait", type.getName());
    assertEquals(List.of("gil4j"), type.getCategoryNames());
    assertEquals("Lock Wait", type.getLabel());
    assertFalse(type.getDescription().isEmpty());
    assertEquals("Lock Class", type.getField("lockClass").getLabel());
    assertEquals("Site", type.getField("site").getLabel());
    assertEquals("Owner", type.getField("owner").getLabel());
    assertEquals(
        "1 ms",
        type.getSettingDescriptors().stream()
            .filter(s -> s.getName().equals("threshold"))
            .map(SettingDescriptor::getDefaultValue)
            .findFirst()
            .orElseThrow());
  }

  private static RecordedEvent only(List<RecordedEvent> events, String lockClass) {
    List<RecordedEvent> matching =
        events.stream()
            .filter(e -> SITE.equals(e.getString("site")))
            .filter(e -> lockClass.equals(e.getString("lockClass")))
            .toList();
    assertEquals(1, matching.size(), () -> lockClass + " events: " + matching);
    return matching.get(0);
  }
}

package dev.gil4j.profiler.locks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gil4j.profiler.ContentionRecorder;
import dev.gil4j.profiler.ContentionRecorder.SiteSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the swapped-in synchronizers record in {@link ContentionRecorder}: a wait for each contended
 * acquire, holds that someone waited for, nothing for uncontended use. Each test uses its own
 * creation sites.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ContentionRecordingTest {
  private static final long MS = 1_000_000;

  @Test
  void uncontendedUseRecordsNothing() throws Exception {
    String site = "Quiet.<init>(Quiet.java:1)";
    for (boolean fair : new boolean[] {false, true}) {
      ProfiledReentrantLock lock = new ProfiledReentrantLock(fair, site);
      ProfiledReentrantReadWriteLock rw = new ProfiledReentrantReadWriteLock(fair, site);
      ProfiledSemaphore semaphore = new ProfiledSemaphore(2, fair, site);
      for (int i = 0; i < 1000; i++) {
        lock.lock();
        lock.lockInterruptibly();
        assertTrue(lock.tryLock(1, TimeUnit.SECONDS));
        assertTrue(lock.tryLock());
        for (int k = 0; k < 4; k++) {
          lock.unlock();
        }
        rw.readLock().lock();
        rw.readLock().lockInterruptibly();
        assertTrue(rw.readLock().tryLock(1, TimeUnit.SECONDS));
        for (int k = 0; k < 3; k++) {
          rw.readLock().unlock();
        }
        rw.writeLock().lock();
        rw.writeLock().lockInterruptibly();
        assertTrue(rw.writeLock().tryLock(1, TimeUnit.SECONDS));
        rw.readLock().lock();
        for (int k = 0; k < 3; k++) {
          rw.writeLock().unlock();
        }
        rw.readLock().unlock();
        semaphore.acquire();
        semaphore.acquireUninterruptibly();
        semaphore.release(2);
        semaphore.acquire(2);
        semaphore.release(2);
        assertTrue(semaphore.tryAcquire(1, TimeUnit.SECONDS));
        assertTrue(semaphore.tryAcquire(1, 1, TimeUnit.SECONDS));
        semaphore.release(2);
      }
    }
    ProfiledCountDownLatch latch = new ProfiledCountDownLatch(0, site);
    latch.await();
    assertTrue(latch.await(1, TimeUnit.SECONDS));
    ProfiledCyclicBarrier barrier = new ProfiledCyclicBarrier(1, site);
    assertEquals(0, barrier.await());
    assertEquals(0, barrier.await(1, TimeUnit.SECONDS));
    ProfiledPhaser phaser = new ProfiledPhaser(1, site);
    assertEquals(1, phaser.arriveAndAwaitAdvance());
    assertEquals(1, phaser.awaitAdvance(0));
    assertEquals(1, phaser.awaitAdvanceInterruptibly(0, 1, TimeUnit.SECONDS));
    ProfiledReentrantLock held = new ProfiledReentrantLock(site);
    TestThread holder = TestThread.start("holder", held::lock);
    holder.join();
    assertFalse(held.tryLock());
    assertFalse(held.tryLock(0, TimeUnit.SECONDS));
    Thread.currentThread().interrupt();
    assertThrows(InterruptedException.class, held::lockInterruptibly);
    Thread.currentThread().interrupt();
    assertThrows(InterruptedException.class, new ProfiledCountDownLatch(1, site)::await);
    Thread.currentThread().interrupt();
    assertThrows(InterruptedException.class, new ProfiledSemaphore(0, site)::acquire);
    Thread.currentThread().interrupt();
    assertThrows(
        InterruptedException.class, () -> new ProfiledPhaser(2, site).awaitAdvanceInterruptibly(0));
    assertTrue(
        ContentionRecorder.snapshot().stream().noneMatch(s -> s.name().equals(site)),
        () -> ContentionRecorder.snapshot().toString());
  }

  @Test
  void contendedLockRecordsTheWaitAndTheHoldsAroundIt() throws Exception {
    String site = "Busy.<init>(Busy.java:1)";
    ProfiledReentrantLock lock = new ProfiledReentrantLock(site);
    CountDownLatch release = new CountDownLatch(1);
    TestThread holder = ReentrantLockBehaviourTest.holdUntil(lock, release);
    TestThread waiter =
        TestThread.queued(
            "waiter",
            lock::hasQueuedThread,
            () -> {
              lock.lock();
              lock.lock();
              Thread.sleep(10);
              lock.unlock();
              lock.unlock();
            });
    Thread.sleep(50);
    release.countDown();
    holder.join();
    waiter.join();
    SiteSnapshot s = recorded("ReentrantLock", site);
    assertEquals(1, s.waits().getTotalCount());
    assertTrue(s.waits().getMinValue() >= 50 * MS, () -> describe(s.waits()));
    assertEquals(2, s.holds().getTotalCount(), "the holder's hold and the waiter's, once each");
    assertTrue(s.holds().getMinValue() >= 10 * MS, () -> describe(s.holds()));
    assertTrue(s.holds().getMaxValue() >= 50 * MS, () -> describe(s.holds()));
  }

  @Test
  void aWaitIsRecordedWhenTheWaiterLetsTheLockGoNeverInsideItsHold() throws Exception {
    String site = "LetGo.<init>(LetGo.java:1)";
    ProfiledReentrantLock lock = new ProfiledReentrantLock(site);
    Condition condition = lock.newCondition();
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch checked = new CountDownLatch(1);
    boolean[] signalled = {false};
    TestThread holder = ReentrantLockBehaviourTest.holdUntil(lock, release);
    TestThread waiter =
        TestThread.queued(
            "waiter",
            lock::hasQueuedThread,
            () -> {
              lock.lock();
              try {
                holding.countDown();
                checked.await();
                while (!signalled[0]) {
                  condition.await();
                }
              } finally {
                lock.unlock();
              }
            });
    Thread.sleep(20);
    release.countDown();
    holder.join();
    holding.await();
    assertEquals(
        0L,
        find("ReentrantLock", site).map(s -> s.waits().getTotalCount()).orElse(0L),
        "nothing recorded while the waiter holds the lock it waited for");
    checked.countDown();
    // the holder is gone: a free lock means the waiter's await let it go
    TestThread.eventually(() -> !lock.isLocked(), "the waiter awaiting the condition");
    SiteSnapshot s = recorded("ReentrantLock", site);
    assertEquals(1, s.waits().getTotalCount(), "recorded when the await let the lock go");
    assertTrue(s.waits().getMinValue() >= 20 * MS, () -> describe(s.waits()));
    lock.lock();
    signalled[0] = true;
    condition.signal();
    lock.unlock();
    waiter.join();
    assertEquals(1, recorded("ReentrantLock", site).waits().getTotalCount());
    assertEquals(1, recorded("ReentrantLock.condition", site).waits().getTotalCount());
  }

  @Test
  void timedOutTryLockRecordsAWait() throws Exception {
    String site = "TimedOut.<init>(TimedOut.java:1)";
    ProfiledReentrantLock lock = new ProfiledReentrantLock(true, site);
    CountDownLatch release = new CountDownLatch(1);
    TestThread holder = ReentrantLockBehaviourTest.holdUntil(lock, release);
    assertFalse(lock.tryLock(30, TimeUnit.MILLISECONDS));
    release.countDown();
    holder.join();
    SiteSnapshot s = recorded("ReentrantLock", site);
    assertEquals(1, s.waits().getTotalCount());
    assertTrue(s.waits().getMinValue() >= 30 * MS, () -> describe(s.waits()));
    assertEquals(1, s.holds().getTotalCount(), "the holder's hold, which someone waited for");
  }

  @Test
  void fairLockReentryPastQueuedThreadsRecordsNoWait() throws Exception {
    String site = "FairReentry.<init>(FairReentry.java:1)";
    ProfiledReentrantLock lock = new ProfiledReentrantLock(true, site);
    lock.lock();
    TestThread waiter =
        TestThread.queued(
            "waiter",
            lock::hasQueuedThread,
            () -> {
              lock.lock();
              lock.unlock();
            });
    lock.lock();
    lock.lockInterruptibly();
    assertTrue(lock.tryLock(1, TimeUnit.SECONDS));
    for (int i = 0; i < 4; i++) {
      lock.unlock();
    }
    waiter.join();
    SiteSnapshot s = recorded("ReentrantLock", site);
    assertEquals(1, s.waits().getTotalCount(), "only the waiter waited");
    assertEquals(2, s.holds().getTotalCount());
  }

  @Test
  void conditionAwaitIsRecordedAndEndsTheHold() throws Exception {
    String site = "Signalled.<init>(Signalled.java:1)";
    ProfiledReentrantLock lock = new ProfiledReentrantLock(site);
    Condition condition = lock.newCondition();
    boolean[] ready = {false};
    TestThread signaller =
        TestThread.start(
            "signaller",
            () -> {
              TestThread.eventually(
                  () -> {
                    lock.lock();
                    try {
                      return lock.hasWaiters(condition);
                    } finally {
                      lock.unlock();
                    }
                  },
                  "an awaiting thread");
              lock.lock();
              ready[0] = true;
              condition.signal();
              Thread.sleep(20);
              lock.unlock();
            });
    lock.lock();
    while (!ready[0]) {
      condition.await();
    }
    lock.unlock();
    signaller.join();
    SiteSnapshot waits = recorded("ReentrantLock.condition", site);
    assertEquals(1, waits.waits().getTotalCount());
    assertTrue(waits.waits().getMinValue() >= 20 * MS, () -> describe(waits.waits()));
    SiteSnapshot lockSite = recorded("ReentrantLock", site);
    assertEquals(0, lockSite.waits().getTotalCount());
    assertEquals(1, lockSite.holds().getTotalCount(), "the hold after the await, from its return");
  }

  @Test
  void readWriteLockRecordsReadAndWriteSidesApart() throws Exception {
    String site = "Shared.<init>(Shared.java:1)";
    ProfiledReentrantReadWriteLock rw = new ProfiledReentrantReadWriteLock(site);
    rw.writeLock().lock();
    CountDownLatch readerIn = new CountDownLatch(1);
    CountDownLatch readerOut = new CountDownLatch(1);
    TestThread reader =
        TestThread.queued(
            "reader",
            rw::hasQueuedThread,
            () -> {
              rw.readLock().lock();
              readerIn.countDown();
              readerOut.await();
              rw.readLock().unlock();
            });
    Thread.sleep(30);
    rw.writeLock().unlock();
    readerIn.await();
    TestThread writer =
        TestThread.queued(
            "writer",
            rw::hasQueuedThread,
            () -> {
              rw.writeLock().lock();
              rw.writeLock().unlock();
            });
    TestThread lateReader =
        TestThread.start(
            "late-reader",
            () -> {
              rw.readLock().lock();
              rw.readLock().unlock();
            });
    TestThread.eventually(
        () -> rw.hasQueuedThread(lateReader.thread()), "late reader to queue behind the writer");
    readerOut.countDown();
    reader.join();
    writer.join();
    lateReader.join();
    SiteSnapshot read = recorded("ReentrantReadWriteLock.read", site);
    SiteSnapshot write = recorded("ReentrantReadWriteLock.write", site);
    assertEquals(2, read.waits().getTotalCount(), "one reader behind each writer");
    assertEquals(0, read.holds().getTotalCount());
    assertEquals(1, write.waits().getTotalCount());
    assertEquals(
        2,
        write.holds().getTotalCount(),
        "the hold a reader waited for, and the writer's that began with a wait");
    assertTrue(write.holds().getMaxValue() >= 30 * MS, () -> describe(write.holds()));
  }

  @Test
  void readReentryAndDowngradePastAWaitingWriterRecordNoWait() throws Exception {
    String site = "Reentry.<init>(Reentry.java:1)";
    ReentrantReadWriteLock rw = new ProfiledReentrantReadWriteLock(site);
    rw.readLock().lock();
    TestThread writer =
        TestThread.queued(
            "writer",
            rw::hasQueuedThread,
            () -> {
              rw.writeLock().lock();
              rw.writeLock().unlock();
            });
    rw.readLock().lock();
    rw.readLock().lockInterruptibly();
    assertTrue(rw.readLock().tryLock(1, TimeUnit.SECONDS));
    for (int i = 0; i < 4; i++) {
      rw.readLock().unlock();
    }
    writer.join();
    assertTrue(find("ReentrantReadWriteLock.read", site).isEmpty());
  }

  @Test
  void semaphoreRecordsWaitsButNoHolds() throws Exception {
    String site = "Permits.<init>(Permits.java:1)";
    ProfiledSemaphore semaphore = new ProfiledSemaphore(0, site);
    List<TestThread> waiters = new ArrayList<>();
    waiters.add(TestThread.start("acquire", semaphore::acquire));
    waiters.add(TestThread.start("acquire-2", () -> semaphore.acquire(2)));
    waiters.add(TestThread.start("uninterruptibly", semaphore::acquireUninterruptibly));
    waiters.add(
        TestThread.start("timed", () -> assertTrue(semaphore.tryAcquire(10, TimeUnit.SECONDS))));
    TestThread.eventually(() -> semaphore.getQueueLength() == 4, "all four to queue");
    semaphore.release(5);
    for (TestThread t : waiters) {
      t.join();
    }
    SiteSnapshot s = recorded("Semaphore", site);
    assertEquals(4, s.waits().getTotalCount());
    assertEquals(0, s.holds().getTotalCount());
  }

  @Test
  void latchRecordsEachAwaitThatFoundItClosed() throws Exception {
    String site = "Gate.<init>(Gate.java:1)";
    ProfiledCountDownLatch latch = new ProfiledCountDownLatch(1, site);
    TestThread a = TestThread.start("await", latch::await);
    TestThread b = TestThread.start("timed", () -> assertTrue(latch.await(10, TimeUnit.SECONDS)));
    a.awaitParked();
    b.awaitParked();
    latch.countDown();
    a.join();
    b.join();
    latch.await();
    assertEquals(2, recorded("CountDownLatch", site).waits().getTotalCount());
  }

  @Test
  void barrierRecordsEveryArrivalButTheTrippingOne() throws Exception {
    String site = "Rendezvous.<init>(Rendezvous.java:1)";
    ProfiledCyclicBarrier barrier = new ProfiledCyclicBarrier(3, () -> {}, site);
    List<TestThread> parties = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      parties.add(
          TestThread.start(
              "party-" + i,
              () -> {
                barrier.await();
                barrier.await(10, TimeUnit.SECONDS);
              }));
    }
    for (TestThread t : parties) {
      t.join();
    }
    assertEquals(4, recorded("CyclicBarrier", site).waits().getTotalCount());
  }

  @Test
  void phaserRecordsWaitsButNotTheArrivalThatAdvancesIt() throws Exception {
    String rootSite = "Rounds.<init>(Rounds.java:1)";
    ProfiledPhaser phaser = new ProfiledPhaser(2, rootSite);
    for (int round = 0; round < 3; round++) {
      TestThread waiter = TestThread.start("waiter", phaser::arriveAndAwaitAdvance);
      waiter.awaitParked();
      phaser.arriveAndAwaitAdvance();
      waiter.join();
    }
    TestThread watcher = TestThread.start("watcher", () -> phaser.awaitAdvance(3));
    watcher.awaitParked();
    phaser.arrive();
    phaser.arrive();
    watcher.join();
    assertEquals(4, recorded("Phaser", rootSite).waits().getTotalCount());

    String treeRoot = "Tree.<init>(Tree.java:1)";
    String treeChild = "Tree.<init>(Tree.java:2)";
    ProfiledPhaser root = new ProfiledPhaser(treeRoot);
    ProfiledPhaser child = new ProfiledPhaser(root, 2, treeChild);
    TestThread waiter = TestThread.start("waiter", child::arriveAndAwaitAdvance);
    waiter.awaitParked();
    child.arriveAndAwaitAdvance();
    waiter.join();
    assertEquals(
        2,
        recorded("Phaser", treeChild).waits().getTotalCount(),
        "a child's last arrival still arrives at the parent, so it is timed");
    assertTrue(find("Phaser", treeRoot).isEmpty(), "the child's arrival completed the root");
  }

  private static Optional<SiteSnapshot> find(String kind, String site) {
    return ContentionRecorder.snapshot().stream()
        .filter(s -> s.kind().equals(kind) && s.name().equals(site))
        .findFirst();
  }

  private static SiteSnapshot recorded(String kind, String site) {
    return find(kind, site)
        .orElseThrow(() -> new AssertionError("nothing recorded for " + kind + " " + site));
  }

  private static String describe(Histogram h) {
    return String.format(
        "n=%d min=%.3fms max=%.3fms",
        h.getTotalCount(), h.getMinValue() / 1e6, h.getMaxValue() / 1e6);
  }
}

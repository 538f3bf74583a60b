package dev.gil4j.profiler.locks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.jupiter.api.Named.named;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One behavioural suite run against the JDK's {@link ReentrantReadWriteLock} and {@link
 * ProfiledReentrantReadWriteLock}, fair and not.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ReentrantReadWriteLockBehaviourTest {
  private static final String SITE = "RwBehaviour.<init>(RwBehaviour.java:1)";

  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.METHOD)
  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.gil4j.profiler.locks.ReentrantReadWriteLockBehaviourTest#locks")
  @interface EachLock {}

  static Stream<Named<Supplier<ReentrantReadWriteLock>>> locks() {
    return Stream.of(
        named("ReentrantReadWriteLock", ReentrantReadWriteLock::new),
        named("ReentrantReadWriteLock(fair)", () -> new ReentrantReadWriteLock(true)),
        named("ProfiledReentrantReadWriteLock", () -> new ProfiledReentrantReadWriteLock(SITE)),
        named(
            "ProfiledReentrantReadWriteLock(fair)",
            () -> new ProfiledReentrantReadWriteLock(true, SITE)));
  }

  @EachLock
  void readersShareTheLock(Supplier<ReentrantReadWriteLock> factory) throws Exception {
    ReentrantReadWriteLock rw = factory.get();
    CountDownLatch bothInside = new CountDownLatch(2);
    TestThread.Body reader =
        () -> {
          rw.readLock().lock();
          try {
            bothInside.countDown();
            assertTrue(bothInside.await(TestThread.PATIENCE_MS, TimeUnit.MILLISECONDS));
          } finally {
            rw.readLock().unlock();
          }
        };
    TestThread a = TestThread.start("reader-a", reader);
    TestThread b = TestThread.start("reader-b", reader);
    a.join();
    b.join();
    assertEquals(0, rw.getReadLockCount());
  }

  @EachLock
  void writerExcludesReadersAndWriters(Supplier<ReentrantReadWriteLock> factory) throws Exception {
    ReentrantReadWriteLock rw = factory.get();
    rw.writeLock().lock();
    assertTrue(rw.isWriteLocked());
    assertTrue(rw.isWriteLockedByCurrentThread());
    assertEquals(1, rw.getWriteHoldCount());
    TestThread other =
        TestThread.start(
            "other",
            () -> {
              assertFalse(rw.readLock().tryLock());
              assertFalse(rw.writeLock().tryLock());
              assertFalse(rw.readLock().tryLock(20, TimeUnit.MILLISECONDS));
              assertFalse(rw.writeLock().tryLock(20, TimeUnit.MILLISECONDS));
              assertFalse(rw.isWriteLockedByCurrentThread());
            });
    other.join();
    rw.writeLock().unlock();
    assertFalse(rw.isWriteLocked());
  }

  @EachLock
  void readerExcludesWriters(Supplier<ReentrantReadWriteLock> factory) throws Exception {
    ReentrantReadWriteLock rw = factory.get();
    rw.readLock().lock();
    assertEquals(1, rw.getReadLockCount());
    assertEquals(1, rw.getReadHoldCount());
    TestThread other =
        TestThread.start(
            "other",
            () -> {
              assertFalse(rw.writeLock().tryLock(20, TimeUnit.MILLISECONDS));
              assertTrue(rw.readLock().tryLock());
              rw.readLock().unlock();
            });
    other.join();
    rw.readLock().unlock();
  }

  @EachLock
  void writeLockDowngradesToReadButReadCannotUpgrade(Supplier<ReentrantReadWriteLock> factory)
      throws Exception {
    ReentrantReadWriteLock rw = factory.get();
    rw.writeLock().lock();
    rw.readLock().lock();
    rw.writeLock().unlock();
    assertFalse(rw.isWriteLocked());
    assertEquals(1, rw.getReadHoldCount());
    TestThread other =
        TestThread.start(
            "other",
            () -> {
              assertTrue(rw.readLock().tryLock(1, TimeUnit.SECONDS));
              rw.readLock().unlock();
              assertFalse(rw.writeLock().tryLock());
            });
    other.join();
    assertFalse(rw.writeLock().tryLock());
    assertFalse(rw.writeLock().tryLock(10, TimeUnit.MILLISECONDS));
    rw.readLock().unlock();
    assertTrue(rw.writeLock().tryLock());
    rw.writeLock().unlock();
  }

  @EachLock
  void newReaderQueuesBehindAWaitingWriter(Supplier<ReentrantReadWriteLock> factory)
      throws Exception {
    ReentrantReadWriteLock rw = factory.get();
    rw.readLock().lock();
    TestThread writer =
        TestThread.queued("writer", rw::hasQueuedThread, () -> lockAndUnlock(rw.writeLock()));
    TestThread reader =
        TestThread.start(
            "reader", () -> assertFalse(rw.readLock().tryLock(50, TimeUnit.MILLISECONDS)));
    reader.join();
    TestThread blockedReader =
        TestThread.start("blocked-reader", () -> lockAndUnlock(rw.readLock()));
    TestThread.eventually(
        () -> rw.hasQueuedThread(blockedReader.thread()), "blocked reader to queue");
    rw.readLock().unlock();
    writer.join();
    blockedReader.join();
  }

  @EachLock
  void holderReentersPastAWaitingWriter(Supplier<ReentrantReadWriteLock> factory) throws Exception {
    ReentrantReadWriteLock rw = factory.get();
    rw.readLock().lock();
    TestThread writer =
        TestThread.queued("writer", rw::hasQueuedThread, () -> lockAndUnlock(rw.writeLock()));
    rw.readLock().lock();
    rw.readLock().lockInterruptibly();
    assertTrue(rw.readLock().tryLock(1, TimeUnit.MILLISECONDS));
    assertEquals(4, rw.getReadHoldCount());
    for (int i = 0; i < 4; i++) {
      rw.readLock().unlock();
    }
    writer.join();
  }

  @EachLock
  void writerTakesTheReadLockPastQueuedThreads(Supplier<ReentrantReadWriteLock> factory)
      throws Exception {
    ReentrantReadWriteLock rw = factory.get();
    rw.writeLock().lock();
    TestThread reader =
        TestThread.queued("reader", rw::hasQueuedThread, () -> lockAndUnlock(rw.readLock()));
    rw.readLock().lock();
    rw.writeLock().lock();
    assertEquals(2, rw.getWriteHoldCount());
    rw.writeLock().unlock();
    rw.writeLock().unlock();
    rw.readLock().unlock();
    reader.join();
  }

  @EachLock
  void waitingAcquisitionsAreInterruptible(Supplier<ReentrantReadWriteLock> factory)
      throws Exception {
    ReentrantReadWriteLock rw = factory.get();
    rw.writeLock().lock();
    for (Lock lock : List.of(rw.readLock(), rw.writeLock())) {
      TestThread waiter =
          TestThread.queued(
              "waiter",
              rw::hasQueuedThread,
              () -> assertThrows(InterruptedException.class, lock::lockInterruptibly));
      waiter.thread().interrupt();
      waiter.join();
    }
    rw.writeLock().unlock();
    Thread.currentThread().interrupt();
    assertThrows(InterruptedException.class, () -> rw.readLock().lockInterruptibly());
    Thread.currentThread().interrupt();
    assertThrows(InterruptedException.class, () -> rw.writeLock().tryLock(1, TimeUnit.SECONDS));
    assertFalse(Thread.interrupted());
    assertEquals(0, rw.getReadLockCount());
    assertFalse(rw.isWriteLocked());
  }

  @EachLock
  void unlockingWhatIsNotHeldThrows(Supplier<ReentrantReadWriteLock> factory) {
    ReentrantReadWriteLock rw = factory.get();
    assertThrows(IllegalMonitorStateException.class, () -> rw.readLock().unlock());
    assertThrows(IllegalMonitorStateException.class, () -> rw.writeLock().unlock());
  }

  @EachLock
  void onlyTheWriteLockHasConditions(Supplier<ReentrantReadWriteLock> factory) throws Exception {
    ReentrantReadWriteLock rw = factory.get();
    assertThrows(UnsupportedOperationException.class, () -> rw.readLock().newCondition());
    Condition condition = rw.writeLock().newCondition();
    boolean[] flag = {false};
    TestThread waiter =
        TestThread.start(
            "waiter",
            () -> {
              rw.writeLock().lock();
              try {
                while (!flag[0]) {
                  condition.await();
                }
                assertEquals(1, rw.getWriteHoldCount());
              } finally {
                rw.writeLock().unlock();
              }
            });
    TestThread.eventually(
        () -> {
          rw.writeLock().lock();
          try {
            return rw.getWaitQueueLength(condition) == 1;
          } finally {
            rw.writeLock().unlock();
          }
        },
        "waiter to await");
    rw.writeLock().lock();
    assertTrue(rw.hasWaiters(condition));
    flag[0] = true;
    condition.signal();
    rw.writeLock().unlock();
    waiter.join();
    assertThrows(IllegalMonitorStateException.class, condition::await);
  }

  @EachLock
  void toStringShowsTheState(Supplier<ReentrantReadWriteLock> factory) {
    ReentrantReadWriteLock rw = factory.get();
    assertTrue(rw.toString().endsWith("[Write locks = 0, Read locks = 0]"), rw.toString());
    rw.readLock().lock();
    assertTrue(rw.readLock().toString().endsWith("[Read locks = 1]"));
    rw.readLock().unlock();
    rw.writeLock().lock();
    assertTrue(
        rw.writeLock()
            .toString()
            .endsWith("[Locked by thread " + Thread.currentThread().getName() + "]"));
    rw.writeLock().unlock();
    assertTrue(rw.writeLock().toString().endsWith("[Unlocked]"));
  }

  @EachLock
  void fairLockServesReadersAndWritersInArrivalOrder(Supplier<ReentrantReadWriteLock> factory)
      throws Exception {
    ReentrantReadWriteLock rw = factory.get();
    assumeTrue(rw.isFair());
    List<String> order = new CopyOnWriteArrayList<>();
    rw.writeLock().lock();
    List<TestThread> waiters = new CopyOnWriteArrayList<>();
    String[] names = {"writer-0", "reader-1", "writer-2"};
    for (String name : names) {
      Lock lock = name.startsWith("writer") ? rw.writeLock() : rw.readLock();
      TestThread t =
          TestThread.queued(
              name,
              rw::hasQueuedThread,
              () -> {
                lock.lock();
                order.add(name);
                lock.unlock();
              });
      waiters.add(t);
    }
    rw.writeLock().unlock();
    rw.readLock().lock();
    order.add("newcomer");
    rw.readLock().unlock();
    for (TestThread t : waiters) {
      t.join();
    }
    assertEquals(List.of("writer-0", "reader-1", "writer-2", "newcomer"), order);
  }

  @EachLock
  void fairWriteLockDoesNotLetANewcomerPassAQueuedThread(Supplier<ReentrantReadWriteLock> factory)
      throws Exception {
    ReentrantReadWriteLock rw = factory.get();
    assumeTrue(rw.isFair());
    List<String> order = new CopyOnWriteArrayList<>();
    rw.writeLock().lock();
    TestThread waiter =
        TestThread.queued(
            "waiter",
            rw::hasQueuedThread,
            () -> {
              rw.writeLock().lock();
              order.add("waiter");
              rw.writeLock().unlock();
            });
    rw.writeLock().unlock();
    rw.writeLock().lock();
    order.add("newcomer");
    rw.writeLock().unlock();
    waiter.join();
    assertEquals(List.of("waiter", "newcomer"), order);
  }

  private static void lockAndUnlock(Lock lock) {
    lock.lock();
    lock.unlock();
  }
}

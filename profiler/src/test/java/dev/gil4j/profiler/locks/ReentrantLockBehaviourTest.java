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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One behavioural suite run against the JDK's {@link ReentrantLock} and {@link
 * ProfiledReentrantLock}, fair and not: the swapped-in lock must be indistinguishable.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ReentrantLockBehaviourTest {
  private static final String SITE =
      "ReentrantLockBehaviourTest.<init>(ReentrantLockBehaviourTest.java:1)";

  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.METHOD)
  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.gil4j.profiler.locks.ReentrantLockBehaviourTest#locks")
  @interface EachLock {}

  static Stream<Named<Supplier<ReentrantLock>>> locks() {
    return Stream.of(
        named("ReentrantLock", ReentrantLock::new),
        named("ReentrantLock(fair)", () -> new ReentrantLock(true)),
        named("ProfiledReentrantLock", () -> new ProfiledReentrantLock(SITE)),
        named("ProfiledReentrantLock(fair)", () -> new ProfiledReentrantLock(true, SITE)));
  }

  @EachLock
  void excludesOtherThreadsFromTheCriticalSection(Supplier<ReentrantLock> factory)
      throws Exception {
    ReentrantLock lock = factory.get();
    int[] counter = {0};
    AtomicBoolean inside = new AtomicBoolean();
    AtomicBoolean overlapped = new AtomicBoolean();
    List<TestThread> threads = new CopyOnWriteArrayList<>();
    for (int t = 0; t < 4; t++) {
      threads.add(
          TestThread.start(
              "worker-" + t,
              () -> {
                for (int i = 0; i < 20_000; i++) {
                  lock.lock();
                  try {
                    if (!inside.compareAndSet(false, true)) {
                      overlapped.set(true);
                    }
                    counter[0]++;
                    inside.set(false);
                  } finally {
                    lock.unlock();
                  }
                }
              }));
    }
    for (TestThread t : threads) {
      t.join();
    }
    assertFalse(overlapped.get());
    assertEquals(80_000, counter[0]);
    assertFalse(lock.isLocked());
  }

  @EachLock
  void reentrantAcquisitionsNeedAsManyUnlocks(Supplier<ReentrantLock> factory) throws Exception {
    ReentrantLock lock = factory.get();
    lock.lock();
    lock.lockInterruptibly();
    assertTrue(lock.tryLock(1, TimeUnit.SECONDS));
    assertTrue(lock.tryLock());
    assertEquals(4, lock.getHoldCount());
    lock.unlock();
    lock.unlock();
    lock.unlock();
    assertTrue(lock.isHeldByCurrentThread());
    TestThread other = TestThread.start("other", () -> assertFalse(lock.tryLock()));
    other.join();
    lock.unlock();
    assertFalse(lock.isLocked());
    assertEquals(0, lock.getHoldCount());
  }

  @EachLock
  void unlockWithoutHoldingThrows(Supplier<ReentrantLock> factory) throws Exception {
    ReentrantLock lock = factory.get();
    assertThrows(IllegalMonitorStateException.class, lock::unlock);
    TestThread holder = TestThread.start("holder", lock::lock);
    holder.join();
    assertThrows(IllegalMonitorStateException.class, lock::unlock);
    assertTrue(lock.isLocked());
  }

  @EachLock
  void timedTryLockTimesOutWhileAnotherThreadHolds(Supplier<ReentrantLock> factory)
      throws Exception {
    ReentrantLock lock = factory.get();
    CountDownLatch release = new CountDownLatch(1);
    TestThread holder = holdUntil(lock, release);
    long start = System.nanoTime();
    assertFalse(lock.tryLock(50, TimeUnit.MILLISECONDS));
    assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(50));
    assertFalse(lock.tryLock(0, TimeUnit.SECONDS));
    assertFalse(lock.tryLock(-1, TimeUnit.SECONDS));
    assertFalse(lock.isHeldByCurrentThread());
    release.countDown();
    holder.join();
  }

  @EachLock
  void timedTryLockSucceedsWhenReleasedInTime(Supplier<ReentrantLock> factory) throws Exception {
    ReentrantLock lock = factory.get();
    CountDownLatch release = new CountDownLatch(1);
    TestThread holder = holdUntil(lock, release);
    TestThread waiter =
        TestThread.queued(
            "waiter",
            lock::hasQueuedThread,
            () -> {
              assertTrue(lock.tryLock(PATIENCE_S, TimeUnit.SECONDS));
              lock.unlock();
            });
    release.countDown();
    waiter.join();
    holder.join();
  }

  @EachLock
  void waitingLockInterruptiblyThrowsWhenInterrupted(Supplier<ReentrantLock> factory)
      throws Exception {
    ReentrantLock lock = factory.get();
    lock.lock();
    TestThread waiter =
        TestThread.queued(
            "waiter",
            lock::hasQueuedThread,
            () -> {
              assertThrows(InterruptedException.class, lock::lockInterruptibly);
              assertFalse(Thread.currentThread().isInterrupted());
              assertFalse(lock.isHeldByCurrentThread());
            });
    waiter.thread().interrupt();
    waiter.join();
    assertFalse(lock.hasQueuedThreads());
    lock.unlock();
  }

  @EachLock
  void interruptedCallerThrowsEvenWhenTheLockIsFree(Supplier<ReentrantLock> factory) {
    ReentrantLock lock = factory.get();
    Thread.currentThread().interrupt();
    assertThrows(InterruptedException.class, lock::lockInterruptibly);
    assertFalse(Thread.interrupted());
    Thread.currentThread().interrupt();
    assertThrows(InterruptedException.class, () -> lock.tryLock(1, TimeUnit.SECONDS));
    assertFalse(Thread.interrupted());
    assertFalse(lock.isLocked());
  }

  @EachLock
  void lockIgnoresInterruptsAndKeepsTheFlag(Supplier<ReentrantLock> factory) {
    ReentrantLock lock = factory.get();
    Thread.currentThread().interrupt();
    lock.lock();
    assertTrue(lock.tryLock());
    assertTrue(Thread.interrupted());
    assertEquals(2, lock.getHoldCount());
    lock.unlock();
    lock.unlock();
  }

  @EachLock
  void nullTimeUnitIsRejected(Supplier<ReentrantLock> factory) {
    ReentrantLock lock = factory.get();
    assertThrows(NullPointerException.class, () -> lock.tryLock(1, null));
    assertFalse(lock.isLocked());
  }

  @EachLock
  void conditionAwaitReleasesTheLockUntilSignalled(Supplier<ReentrantLock> factory)
      throws Exception {
    ReentrantLock lock = factory.get();
    Condition ready = lock.newCondition();
    boolean[] flag = {false};
    lock.lock();
    lock.lock();
    TestThread signaller =
        TestThread.start(
            "signaller",
            () -> {
              lock.lock();
              try {
                flag[0] = true;
                ready.signal();
              } finally {
                lock.unlock();
              }
            });
    while (!flag[0]) {
      ready.await();
    }
    assertEquals(2, lock.getHoldCount());
    lock.unlock();
    lock.unlock();
    signaller.join();
  }

  @EachLock
  void everyAwaitVariantReleasesAndReacquires(Supplier<ReentrantLock> factory) throws Exception {
    ReentrantLock lock = factory.get();
    Condition never = lock.newCondition();
    lock.lock();
    assertTrue(never.awaitNanos(TimeUnit.MILLISECONDS.toNanos(20)) <= 0);
    assertFalse(never.await(20, TimeUnit.MILLISECONDS));
    assertFalse(never.awaitUntil(new java.util.Date(System.currentTimeMillis() + 20)));
    assertTrue(lock.isHeldByCurrentThread());
    Condition signalled = lock.newCondition();
    TestThread signaller =
        TestThread.start(
            "signaller",
            () -> {
              lock.lock();
              try {
                signalled.signalAll();
              } finally {
                lock.unlock();
              }
            });
    signalled.awaitUninterruptibly();
    assertEquals(1, lock.getHoldCount());
    lock.unlock();
    signaller.join();
  }

  @EachLock
  void awaitWithoutTheLockThrows(Supplier<ReentrantLock> factory) {
    ReentrantLock lock = factory.get();
    Condition condition = lock.newCondition();
    assertThrows(IllegalMonitorStateException.class, condition::await);
    assertThrows(IllegalMonitorStateException.class, condition::signal);
    assertThrows(IllegalMonitorStateException.class, condition::awaitUninterruptibly);
  }

  @EachLock
  void interruptedAwaitThrowsWithTheLockHeld(Supplier<ReentrantLock> factory) throws Exception {
    ReentrantLock lock = factory.get();
    Condition condition = lock.newCondition();
    TestThread waiter =
        TestThread.start(
            "waiter",
            () -> {
              lock.lock();
              try {
                assertThrows(InterruptedException.class, condition::await);
                assertTrue(lock.isHeldByCurrentThread());
              } finally {
                lock.unlock();
              }
            });
    TestThread.eventually(() -> waitersOf(lock, condition) == 1, "waiter to await");
    waiter.thread().interrupt();
    waiter.join();
  }

  @EachLock
  void conditionWaitersAreVisibleToTheLock(Supplier<ReentrantLock> factory) throws Exception {
    ReentrantLock lock = factory.get();
    Condition condition = lock.newCondition();
    TestThread waiter =
        TestThread.start(
            "waiter",
            () -> {
              lock.lock();
              try {
                condition.await();
              } finally {
                lock.unlock();
              }
            });
    TestThread.eventually(() -> waitersOf(lock, condition) == 1, "waiter to await");
    lock.lock();
    assertTrue(lock.hasWaiters(condition));
    condition.signal();
    assertFalse(lock.hasWaiters(condition));
    lock.unlock();
    waiter.join();
    ReentrantLock other = factory.get();
    other.lock();
    assertThrows(IllegalArgumentException.class, () -> other.hasWaiters(condition));
    assertThrows(IllegalArgumentException.class, () -> other.getWaitQueueLength(condition));
    assertThrows(NullPointerException.class, () -> other.hasWaiters(null));
    other.unlock();
    assertThrows(IllegalMonitorStateException.class, () -> lock.hasWaiters(condition));
  }

  @EachLock
  void queueAndOwnerAreObservable(Supplier<ReentrantLock> factory) throws Exception {
    ReentrantLock lock = factory.get();
    assertTrue(lock.toString().endsWith("[Unlocked]"));
    CountDownLatch release = new CountDownLatch(1);
    TestThread holder = holdUntil(lock, release);
    assertTrue(lock.toString().endsWith("[Locked by thread holder]"), lock.toString());
    TestThread waiter =
        TestThread.queued(
            "waiter",
            lock::hasQueuedThread,
            () -> {
              lock.lock();
              lock.unlock();
            });
    assertTrue(lock.hasQueuedThreads());
    assertEquals(1, lock.getQueueLength());
    assertTrue(lock.isLocked());
    assertFalse(lock.isHeldByCurrentThread());
    release.countDown();
    waiter.join();
    holder.join();
    assertFalse(lock.hasQueuedThreads());
  }

  @EachLock
  void fairLockGrantsInArrivalOrder(Supplier<ReentrantLock> factory) throws Exception {
    ReentrantLock lock = factory.get();
    assumeTrue(lock.isFair());
    List<String> order = new CopyOnWriteArrayList<>();
    lock.lock();
    List<TestThread> waiters = new CopyOnWriteArrayList<>();
    for (int i = 0; i < 4; i++) {
      String name = "waiter-" + i;
      TestThread t =
          TestThread.queued(
              name,
              lock::hasQueuedThread,
              () -> {
                lock.lock();
                order.add(name);
                lock.unlock();
              });
      waiters.add(t);
    }
    lock.unlock();
    for (TestThread t : waiters) {
      t.join();
    }
    assertEquals(List.of("waiter-0", "waiter-1", "waiter-2", "waiter-3"), order);
  }

  @EachLock
  void fairLockDoesNotLetANewcomerPassAQueuedThread(Supplier<ReentrantLock> factory)
      throws Exception {
    ReentrantLock lock = factory.get();
    assumeTrue(lock.isFair());
    List<String> order = new CopyOnWriteArrayList<>();
    lock.lock();
    TestThread waiter =
        TestThread.queued(
            "waiter",
            lock::hasQueuedThread,
            () -> {
              lock.lock();
              order.add("waiter");
              lock.unlock();
            });
    lock.unlock();
    lock.lock();
    order.add("newcomer");
    lock.unlock();
    waiter.join();
    assertEquals(List.of("waiter", "newcomer"), order);
  }

  @EachLock
  void fairLockLetsItsOwnerReenterPastQueuedThreads(Supplier<ReentrantLock> factory)
      throws Exception {
    ReentrantLock lock = factory.get();
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
    assertTrue(lock.tryLock(1, TimeUnit.MILLISECONDS));
    assertEquals(4, lock.getHoldCount());
    for (int i = 0; i < 4; i++) {
      lock.unlock();
    }
    waiter.join();
  }

  private static final long PATIENCE_S = TestThread.PATIENCE_MS / 1000;

  private static int waitersOf(ReentrantLock lock, Condition condition) {
    lock.lock();
    try {
      return lock.getWaitQueueLength(condition);
    } finally {
      lock.unlock();
    }
  }

  /** A thread that takes {@code lock} and holds it until {@code release} opens. */
  static TestThread holdUntil(ReentrantLock lock, CountDownLatch release)
      throws InterruptedException {
    CountDownLatch held = new CountDownLatch(1);
    TestThread holder =
        TestThread.start(
            "holder",
            () -> {
              lock.lock();
              try {
                held.countDown();
                release.await();
              } finally {
                lock.unlock();
              }
            });
    held.await();
    return holder;
  }
}

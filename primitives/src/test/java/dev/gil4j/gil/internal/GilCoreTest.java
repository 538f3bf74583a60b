package dev.gil4j.gil.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gil4j.gil.GilConfig;
import dev.gil4j.gil.Policy;
import dev.gil4j.profiler.GilUsage;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The GIL core driven directly, without the agent: threads register, take, checkpoint and end
 * through {@link GilCore}'s own methods, as instrumented code does through the hooks.
 */
@Timeout(30)
class GilCoreTest {
  private volatile boolean breaker;

  private GilCore gil(GilConfig config) {
    GilCore core = new GilCore(config, pending -> breaker = pending);
    core.startWatchdog();
    return core;
  }

  /** A checkpoint as the woven code has it: one read of the breaker, then the slow path. */
  private void checkpoint(GilCore core) {
    if (breaker) {
      core.checkpoint();
    }
  }

  /**
   * Starts a thread that takes the GIL, runs {@code body} holding it, and ends; returns once the
   * thread holds the GIL.
   */
  private static Thread holder(GilCore core, Runnable body) throws InterruptedException {
    CountDownLatch holding = new CountDownLatch(1);
    Thread t =
        start(
            () -> {
              core.registerCurrentThread();
              holding.countDown();
              body.run();
              core.threadEnded();
            });
    holding.await();
    return t;
  }

  /** Computes for {@code nanos} with neither a checkpoint nor a call, as a long C call does. */
  private static void compute(AtomicLong sink, long nanos) {
    long x = 1;
    long end = System.nanoTime() + nanos;
    while (System.nanoTime() < end) {
      x = x * 6364136223846793005L + 1442695040888963407L;
    }
    sink.set(x);
  }

  /** How long (ms) a new thread waits to take the GIL from {@code holder}, joined too. */
  private static long msToTakeOver(GilCore core, Thread holder) throws InterruptedException {
    long t0 = System.nanoTime();
    Thread waiter = start(core::registerCurrentThread);
    waiter.join();
    holder.join();
    return (System.nanoTime() - t0) / 1_000_000;
  }

  private static Thread start(Runnable r) {
    Thread t = new Thread(r);
    t.start();
    return t;
  }

  @Test
  void onlyOneThreadRunsBetweenCheckpointsAndTheGilChangesHands() throws Exception {
    GilCore core = gil(GilConfig.CPYTHON.withSwitchInterval(1, TimeUnit.MILLISECONDS));
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger overlaps = new AtomicInteger();
    long end = System.nanoTime() + 300_000_000L;
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      threads.add(
          start(
              () -> {
                core.registerCurrentThread();
                while (System.nanoTime() < end) {
                  if (inside.incrementAndGet() != 1) {
                    overlaps.incrementAndGet();
                  }
                  Thread.onSpinWait();
                  inside.decrementAndGet();
                  checkpoint(core);
                }
                core.threadEnded();
              }));
    }
    for (Thread t : threads) {
      t.join();
    }
    GilUsage u = core.usage();
    assertEquals(0, overlaps.get(), "two threads ran between checkpoints at once");
    assertTrue(u.handOffs() > 20, "the GIL should change hands every ~1ms: " + u.handOffs());
    // Every request is honoured, but for one a thread may still have pending when it ends.
    assertTrue(u.forcedDrops() <= u.dropRequests() && u.forcedDrops() >= u.dropRequests() - 4);
    assertEquals(0, u.revocations());
  }

  @Test
  void aWaiterAsksForTheGilAfterOneSwitchIntervalAndGetsIt() throws Exception {
    GilCore core = gil(GilConfig.CPYTHON.withSwitchInterval(20, TimeUnit.MILLISECONDS));
    AtomicBoolean stop = new AtomicBoolean();
    Thread holder =
        holder(
            core,
            () -> {
              while (!stop.get()) {
                checkpoint(core);
              }
            });
    AtomicLong waited = new AtomicLong();
    Thread waiter =
        start(
            () -> {
              long t0 = System.nanoTime();
              core.registerCurrentThread();
              waited.set(System.nanoTime() - t0);
              stop.set(true);
              core.threadEnded();
            });
    waiter.join();
    holder.join();
    long ms = waited.get() / 1_000_000;
    assertTrue(ms >= 15 && ms < 500, "waited " + ms + " ms for a 20 ms switch interval");
    assertEquals(1, core.usage().forcedDrops());
  }

  /**
   * CPython's I/O convoy: a thread that releases the GIL around a blocking call finds it taken when
   * it comes back, however short the call, by the thread that was waiting for it.
   */
  @Test
  void aReleaseAroundABlockingCallHandsTheGilToTheThreadWaitingForIt() throws Exception {
    GilCore core = gil(GilConfig.CPYTHON.withSwitchInterval(1, TimeUnit.SECONDS));
    CountDownLatch waiting = new CountDownLatch(1);
    AtomicLong waiterHeldAt = new AtomicLong();
    AtomicLong holderBackAt = new AtomicLong();
    AtomicLong sink = new AtomicLong();
    Thread holder =
        holder(
            core,
            () -> {
              // Spinning, not parked: this GilCore has no hooks, so a holder parked in the latch
              // holds the GIL where it blocks, and the watchdog, woken by the first waiter,
              // revoked it before it ran again when the machine was busy (a fresh-clone CI).
              while (waiting.getCount() > 0 || !core.hasWaiters()) {
                Thread.onSpinWait();
              }
              if (core.beforeBlocking()) {
                core.afterBlocking();
              }
              holderBackAt.set(System.nanoTime());
            });
    Thread waiter =
        start(
            () -> {
              waiting.countDown();
              core.registerCurrentThread();
              waiterHeldAt.set(System.nanoTime());
              compute(sink, 100_000_000L);
              core.threadEnded();
            });
    waiter.join();
    holder.join();
    assertTrue(waiterHeldAt.get() != 0 && holderBackAt.get() > waiterHeldAt.get());
    long ms = (holderBackAt.get() - waiterHeldAt.get()) / 1_000_000;
    assertTrue(ms >= 90, "the releaser was back " + ms + " ms after the waiter took the GIL");
  }

  /**
   * CPython's lock acquire: a wait inside releases the GIL, and the thread takes it again only when
   * the acquisition ends (owning the lock), not after each wait inside it.
   */
  @Test
  void aWaitInsideALockAcquisitionKeepsTheGilReleasedUntilTheAcquisitionEnds() throws Exception {
    GilCore core = gil(GilConfig.CPYTHON.withSwitchInterval(1, TimeUnit.SECONDS));
    CountDownLatch parkedOnce = new CountDownLatch(1);
    CountDownLatch otherRan = new CountDownLatch(1);
    AtomicBoolean retakeAfterPark = new AtomicBoolean(true);
    AtomicBoolean retakeAfterSecondPark = new AtomicBoolean(true);
    Thread acquirer =
        start(
            () -> {
              core.registerCurrentThread();
              assertTrue(core.acquireBegins());
              retakeAfterPark.set(core.beforeBlocking());
              parkedOnce.countDown();
              try {
                otherRan.await();
              } catch (InterruptedException e) {
                throw new AssertionError(e);
              }
              retakeAfterSecondPark.set(core.beforeBlocking());
              core.acquireEnds();
              core.threadEnded();
            });
    parkedOnce.await();
    long t0 = System.nanoTime();
    Thread other =
        start(
            () -> {
              core.registerCurrentThread();
              core.threadEnded();
              otherRan.countDown();
            });
    other.join();
    acquirer.join();
    long waitedMs = (System.nanoTime() - t0) / 1_000_000;
    assertFalse(retakeAfterPark.get(), "a park inside an acquisition re-took the GIL after it");
    assertFalse(retakeAfterSecondPark.get());
    assertTrue(waitedMs < 500, "the GIL was not free during the wait: " + waitedMs + " ms");
    GilUsage.ThreadRow row = core.usage().threads().get(0);
    assertEquals(2, row.takes(), "registering, then once when the acquisition ended");
    assertEquals(0, core.usage().forcedDrops());
  }

  @Test
  void forcedSwitchingLetsBothCpuBoundThreadsRunInTurn() throws Exception {
    GilCore core = gil(GilConfig.CPYTHON.withSwitchInterval(2, TimeUnit.MILLISECONDS));
    long end = System.nanoTime() + 400_000_000L;
    AtomicInteger[] turns = {new AtomicInteger(), new AtomicInteger()};
    AtomicInteger last = new AtomicInteger(-1);
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      int me = i;
      threads.add(
          start(
              () -> {
                core.registerCurrentThread();
                while (System.nanoTime() < end) {
                  if (last.getAndSet(me) != me) {
                    turns[me].incrementAndGet();
                  }
                  checkpoint(core);
                }
                core.threadEnded();
              }));
    }
    for (Thread t : threads) {
      t.join();
    }
    // 400 ms at 2 ms: ~100 turns each if every request switches; the dropper never wins it back.
    assertTrue(turns[0].get() > 25 && turns[1].get() > 25, "turns " + turns[0] + "/" + turns[1]);
  }

  @Test
  void theTicksPolicyReleasesEveryNCheckpointsWithOneOrMoreTokens() throws Exception {
    for (int tokens : new int[] {1, 2}) {
      GilCore core =
          gil(GilConfig.CPYTHON.withPolicy(Policy.TICKS).withTicks(10).withTokens(tokens));
      Thread t =
          start(
              () -> {
                core.registerCurrentThread();
                for (int i = 0; i < 1000; i++) {
                  checkpoint(core);
                }
                core.threadEnded();
              });
      t.join();
      // one take to start, then one per 10 checkpoints
      assertEquals(101, core.usage().threads().get(0).takes(), "tokens=" + tokens);
      assertEquals(0, core.usage().forcedDrops());
    }
  }

  @Test
  void kTokensLetKThreadsHoldAtOnce() throws Exception {
    GilCore core = gil(GilConfig.CPYTHON.withTokens(2));
    CountDownLatch both = new CountDownLatch(2);
    AtomicBoolean overlapped = new AtomicBoolean();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      threads.add(
          start(
              () -> {
                core.registerCurrentThread();
                both.countDown();
                try {
                  overlapped.set(both.await(5, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
                core.threadEnded();
              }));
    }
    for (Thread t : threads) {
      t.join();
    }
    assertTrue(overlapped.get(), "two threads held the two tokens at once");
    assertEquals(0, core.usage().forcedDrops());
  }

  @Test
  void aHolderBlockedWithoutReleasingLosesTheGilToTheSafetyNet() throws Exception {
    GilCore core = gil(GilConfig.CPYTHON);
    Thread holder =
        holder(
            core,
            () -> {
              LockSupport.parkNanos(2_000_000_000L); // a blocking point gil4j does not know
              checkpoint(core); // re-takes the revoked GIL
            });
    long t0 = System.nanoTime();
    Thread waiter = start(core::registerCurrentThread);
    waiter.join();
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(ms < 1000, "the safety net took " + ms + " ms");
    GilUsage u = core.usage();
    assertEquals(1, u.revocations());
    assertEquals("TIMED_WAITING", u.revokedStacks().get(0).reason());
    assertTrue(u.revokedStacks().get(0).frames().get(0).contains("park"));
    LockSupport.unpark(holder);
    holder.join(5000);
    assertFalse(holder.isAlive());
  }

  @Test
  void aHolderBlockedOnAContendedMonitorCountsAsReleasedNotRevoked() throws Exception {
    GilCore core = gil(GilConfig.CPYTHON);
    Object monitor = new Object();
    Thread holder;
    synchronized (monitor) {
      holder =
          holder(
              core,
              () -> {
                synchronized (monitor) {
                  checkpoint(core); // re-takes the GIL, as after every monitorenter
                }
              });
      Thread waiter =
          start(
              () -> {
                core.registerCurrentThread();
                core.threadEnded();
              });
      waiter.join(5000);
      assertFalse(waiter.isAlive(), "the waiter never got the GIL");
    }
    holder.join(5000);
    GilUsage u = core.usage();
    assertEquals(1, u.monitorReleases());
    assertEquals(0, u.revocations());
  }

  @Test
  void aRunnableHolderWithoutCpuProgressIsRevokedAsStalled() throws Exception {
    GilCore core = gil(GilConfig.CPYTHON);
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CountDownLatch holding = new CountDownLatch(1);
      Thread holder =
          start(
              () -> {
                core.registerCurrentThread();
                holding.countDown();
                try {
                  server.accept(); // blocked in native code: RUNNABLE, but no CPU time
                } catch (Exception closed) {
                  core.threadEnded();
                }
              });
      holding.await();
      Thread waiter = start(core::registerCurrentThread);
      waiter.join(10_000);
      assertFalse(waiter.isAlive(), "the waiter never got the GIL");
      GilUsage u = core.usage();
      assertEquals(1, u.revocations());
      assertEquals("STALLED", u.revokedStacks().get(0).reason());
      server.close();
      holder.join(5000);
    }
  }

  @Test
  void aComputingHolderKeepsTheGilWithoutCheckpoints() throws Exception {
    GilCore core = gil(GilConfig.CPYTHON);
    AtomicLong sink = new AtomicLong();
    Thread holder = holder(core, () -> compute(sink, 300_000_000L));
    long ms = msToTakeOver(core, holder);
    assertEquals(0, core.usage().revocations(), "a computing holder is not revoked");
    assertTrue(ms >= 200, "the waiter got the GIL after " + ms + " ms, before the holder was done");
  }

  @Test
  void anInterruptWhileWaitingForTheGilIsKept() throws Exception {
    GilCore core = gil(GilConfig.CPYTHON.withSwitchInterval(50, TimeUnit.MILLISECONDS));
    AtomicBoolean stop = new AtomicBoolean();
    Thread holder =
        holder(
            core,
            () -> {
              while (!stop.get()) {
                checkpoint(core);
              }
            });
    AtomicBoolean interrupted = new AtomicBoolean();
    Thread waiter =
        start(
            () -> {
              core.registerCurrentThread();
              interrupted.set(Thread.currentThread().isInterrupted());
              stop.set(true);
              core.threadEnded();
            });
    Thread.sleep(10);
    waiter.interrupt();
    waiter.join();
    holder.join();
    assertTrue(interrupted.get(), "the interrupt must survive the wait for the GIL");
  }

  @Test
  void anEndingThreadReleasesTheGilForGood() throws Exception {
    GilCore core = gil(GilConfig.CPYTHON);
    Thread first =
        start(
            () -> {
              core.registerCurrentThread();
              core.threadEnded();
            });
    first.join();
    long t0 = System.nanoTime();
    Thread second =
        start(
            () -> {
              core.registerCurrentThread();
              core.threadEnded();
            });
    second.join();
    assertTrue(System.nanoTime() - t0 < 1_000_000_000L);
    GilUsage u = core.usage();
    assertEquals(0, u.revocations());
    assertTrue(u.threads().stream().noneMatch(GilUsage.ThreadRow::alive));
  }

  @Test
  void aStartedThreadTakesTheGilBeforeItsBodyAndKeepsItsStateWhenThreadLocalsAreErased()
      throws Exception {
    GilCore core = gil(GilConfig.CPYTHON);
    core.registerCurrentThread();
    AtomicBoolean ranWhileParentHeld = new AtomicBoolean();
    AtomicBoolean parentHolds = new AtomicBoolean(true);
    AtomicBoolean stillKnown = new AtomicBoolean();
    Thread child =
        new Thread(
            () -> {
              core.threadBegins();
              ranWhileParentHeld.set(parentHolds.get());
              // What ForkJoinPool's innocuous workers do after every task.
              ThreadLocal<Object> any = new ThreadLocal<>();
              any.set(this);
              eraseThreadLocals(Thread.currentThread());
              stillKnown.set(core.beforeBlocking());
              core.afterBlocking();
              core.threadEnded();
            });
    assertTrue(core.threadStarting(child));
    child.start();
    // Spinning, not sleeping: a sleeping holder would lose the GIL to the safety net.
    long until = System.nanoTime() + 50_000_000L;
    while (System.nanoTime() < until) {
      Thread.onSpinWait();
    }
    assertTrue(child.isAlive(), "the child ran its body while the parent held the GIL");
    parentHolds.set(false);
    assertTrue(core.beforeBlocking());
    child.join(5000);
    core.afterBlocking();
    assertFalse(ranWhileParentHeld.get());
    assertTrue(stillKnown.get(), "the child's GIL state was lost with its thread-locals");
    assertFalse(breaker, "every re-take owed is settled");
    core.threadEnded();
  }

  /** {@code Thread.threadLocals = null}, as {@code ThreadLocalRandom.eraseThreadLocals} does. */
  private static void eraseThreadLocals(Thread t) {
    try {
      var field = Thread.class.getDeclaredField("threadLocals");
      field.setAccessible(true);
      field.set(t, null);
    } catch (ReflectiveOperationException | RuntimeException e) {
      // java.base not opened to this test: the erasure is covered by the integration tests.
    }
  }

  @Test
  void aStartedThreadWaitingForItsFirstTakeLeavesTheHoldersCheckpointsFast() throws Exception {
    // A long interval: the child waits for its first take without asking for a drop.
    GilCore core = gil(GilConfig.CPYTHON.withSwitchInterval(10, TimeUnit.SECONDS));
    core.registerCurrentThread();
    Thread child =
        new Thread(
            () -> {
              core.threadBegins();
              core.threadEnded();
            });
    assertTrue(core.threadStarting(child));
    assertTrue(breaker, "a started thread owes the GIL until it takes it");
    child.start();
    long until = System.nanoTime() + 5_000_000_000L;
    while (breaker && System.nanoTime() < until) {
      Thread.onSpinWait();
    }
    assertTrue(child.isAlive(), "the child waits for the GIL the parent holds");
    assertFalse(
        breaker, "a waiting child owes nothing: the holder's checkpoints would all go slow");
    assertTrue(core.beforeBlocking());
    child.join(5000);
    core.afterBlocking();
    core.threadEnded();
  }

  @Test
  void aThreadWhoseStartFailsOwesNothing() {
    GilCore core = gil(GilConfig.CPYTHON);
    core.registerCurrentThread();
    Thread never = new Thread(() -> {});
    assertTrue(core.threadStarting(never));
    assertTrue(breaker, "a started thread owes the GIL until it takes it");
    core.threadStartFailed(never);
    assertFalse(breaker);
    assertFalse(core.usage().threads().get(1).alive(), "the thread that never ran is ended");
    core.threadEnded();
  }

  @Test
  void aHolderAsleepInANativeCallReleasesTheGilAndTheMethodIsLearnedToBlock() throws Exception {
    GilCore core = gil(GilConfig.CPYTHON);
    int accept = core.nativeMethod("test.Native.accept");
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CountDownLatch holding = new CountDownLatch(1);
      AtomicBoolean retook = new AtomicBoolean();
      Thread holder =
          start(
              () -> {
                core.registerCurrentThread();
                int entered = core.enterNative(accept);
                holding.countDown();
                try {
                  server.accept();
                } catch (Exception closed) {
                  // the test closes the socket to end the call
                }
                core.exitNative(entered);
                retook.set(core.beforeBlocking());
                core.threadEnded();
              });
      holding.await();
      Thread waiter =
          start(
              () -> {
                core.registerCurrentThread();
                core.threadEnded();
              });
      waiter.join(10_000);
      assertFalse(waiter.isAlive(), "the waiter never got the GIL");
      GilUsage u = core.usage();
      assertEquals(0, u.revocations(), "a release in a native call is no revocation");
      assertEquals(1, u.nativeReleases());
      server.close();
      holder.join(5000);
      assertTrue(retook.get(), "the holder re-takes the GIL when the native call returns");
    }
    // Learned: the next call releases at once while a thread waits.
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger entered = new AtomicInteger();
    Thread holder =
        holder(
            core,
            () -> {
              while (core.usage().threads().stream().noneMatch(t -> t.name().equals("w"))) {
                Thread.onSpinWait();
              }
              // Spinning, not parked: a parked holder would be revoked.
              long until = System.nanoTime() + 20_000_000L;
              while (System.nanoTime() < until) {
                Thread.onSpinWait();
              }
              entered.set(core.enterNative(accept));
              try {
                release.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              core.exitNative(entered.get());
            });
    Thread waiter = new Thread(core::registerCurrentThread, "w");
    waiter.start();
    waiter.join(10_000);
    release.countDown();
    holder.join(5000);
    assertEquals(GilCore.NATIVE_RELEASED, entered.get());
  }

  @Test
  void aHolderComputingInANativeCallKeepsTheGil() throws Exception {
    GilCore core = gil(GilConfig.CPYTHON);
    int compute = core.nativeMethod("test.Native.compute");
    CountDownLatch holding = new CountDownLatch(1);
    AtomicLong sink = new AtomicLong();
    Thread holder =
        start(
            () -> {
              core.registerCurrentThread();
              int entered = core.enterNative(compute);
              holding.countDown();
              compute(sink, 300_000_000L);
              core.exitNative(entered);
              core.threadEnded();
            });
    holding.await();
    long ms = msToTakeOver(core, holder);
    assertEquals(0, core.usage().nativeReleases(), "a computing native call keeps the GIL");
    assertTrue(ms >= 200, "the waiter got the GIL after " + ms + " ms, before the holder was done");
  }

  @Test
  void aRevokedHolderThatResumesWithoutCheckpointsGetsTheGilBack() throws Exception {
    GilCore core = gil(GilConfig.CPYTHON.withSwitchInterval(1, TimeUnit.MILLISECONDS));
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong waiterProgress = new AtomicLong();
    long[] during = new long[2];
    Thread holder =
        holder(
            core,
            () -> {
              // Parked where gil4j has no hook (no agent here): the safety net revokes the GIL.
              LockSupport.parkNanos(300_000_000L);
              long start = System.nanoTime();
              long x = 1;
              while (System.nanoTime() - start < 600_000_000L) {
                x = x * 6364136223846793005L + 1442695040888963407L;
                long t = System.nanoTime() - start;
                if (during[0] == 0 && t > 300_000_000L) {
                  during[0] = waiterProgress.get();
                }
              }
              during[1] = waiterProgress.get() + (x == 42 ? 1 : 0);
            });
    Thread waiter =
        start(
            () -> {
              core.registerCurrentThread();
              while (!stop.get()) {
                waiterProgress.incrementAndGet();
                checkpoint(core);
              }
              core.threadEnded();
            });
    holder.join();
    stop.set(true);
    waiter.join();
    GilUsage u = core.usage();
    assertTrue(u.revocations() >= 1, "the parked holder was revoked");
    assertEquals(
        during[0],
        during[1],
        "the waiter kept running while the revoked holder computed without checkpoints");
  }

  @Test
  void thePeriodicSnapshotReportsAnEndedThreadOnceAndThenCostsNothingForIt() throws Exception {
    GilCore core = gil(GilConfig.CPYTHON);
    CountDownLatch registered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Thread stays =
        start(
            () -> {
              core.registerCurrentThread();
              try {
                core.beforeBlocking();
                registered.countDown();
                release.await();
                core.afterBlocking();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              core.threadEnded();
            });
    registered.await();
    int before = 10;
    startAndEnd(core, before);
    assertEquals(
        1, core.recentUsage().threads().size(), "no ended thread kept before a reader asked");
    int ended = 200;
    startAndEnd(core, ended);
    GilUsage first = core.recentUsage();
    assertEquals(ended + 1, first.threads().size(), "every thread, until reported ended");
    GilUsage second = core.recentUsage();
    assertEquals(1, second.threads().size(), "ended threads once only: " + second.threads());
    assertTrue(second.threads().get(0).alive());
    assertEquals(first.threads().get(0).id(), second.threads().get(0).id(), "the same thread");
    List<GilUsage.ThreadRow> all = core.usage().threads();
    assertEquals(
        1 + EndedThreads.KEPT + 1,
        all.size(),
        "the live thread, the ended kept, one row for the rest");
    GilUsage.ThreadRow rest = all.get(all.size() - 1);
    assertEquals((before + ended - EndedThreads.KEPT) + " others", rest.name());
    assertEquals(
        before + ended + first.threads().get(0).takes(),
        all.stream().mapToLong(GilUsage.ThreadRow::takes).sum(),
        "every thread's takes in the exit report: " + all);
    release.countDown();
    stays.join();
    assertEquals(1, core.recentUsage().threads().size(), "its end, once");
    assertEquals(0, core.recentUsage().threads().size());
  }

  /** Starts {@code count} threads one after another, each registering and ending at once. */
  private static void startAndEnd(GilCore core, int count) throws InterruptedException {
    for (int i = 0; i < count; i++) {
      start(
              () -> {
                core.registerCurrentThread();
                core.threadEnded();
              })
          .join();
    }
  }
}

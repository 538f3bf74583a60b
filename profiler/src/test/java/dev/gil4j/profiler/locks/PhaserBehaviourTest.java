package dev.gil4j.profiler.locks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Named.named;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Phaser;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One behavioural suite run against the JDK's {@link Phaser} and the profiled one. Each factory
 * takes the parent (may be null) and the parties, and builds through the matching constructor.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PhaserBehaviourTest {
  private static final String SITE = "PhaserBehaviour.<init>(PhaserBehaviour.java:1)";

  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.METHOD)
  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.gil4j.profiler.locks.PhaserBehaviourTest#phasers")
  @interface EachPhaser {}

  static Stream<Named<BiFunction<Phaser, Integer, Phaser>>> phasers() {
    return Stream.of(
        named(
            "Phaser",
            (parent, parties) ->
                parent == null
                    ? (parties == 0 ? new Phaser() : new Phaser(parties))
                    : (parties == 0 ? new Phaser(parent) : new Phaser(parent, parties))),
        named(
            "ProfiledPhaser",
            (parent, parties) ->
                parent == null
                    ? (parties == 0 ? new ProfiledPhaser(SITE) : new ProfiledPhaser(parties, SITE))
                    : (parties == 0
                        ? new ProfiledPhaser(parent, SITE)
                        : new ProfiledPhaser(parent, parties, SITE))));
  }

  @EachPhaser
  void arriveAndAwaitAdvanceReleasesAllPartiesTogether(BiFunction<Phaser, Integer, Phaser> factory)
      throws Exception {
    Phaser phaser = factory.apply(null, 3);
    AtomicInteger inPhase = new AtomicInteger();
    List<TestThread> threads = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      threads.add(
          TestThread.start(
              "party-" + i,
              () -> {
                for (int phase = 0; phase < 5; phase++) {
                  inPhase.incrementAndGet();
                  assertEquals(phase + 1, phaser.arriveAndAwaitAdvance());
                  assertTrue(inPhase.get() >= 3 * (phase + 1));
                }
              }));
    }
    for (TestThread t : threads) {
      t.join();
    }
    assertEquals(5, phaser.getPhase());
    assertEquals(3, phaser.getRegisteredParties());
  }

  @EachPhaser
  void arriveDoesNotWaitAndAwaitAdvanceDoes(BiFunction<Phaser, Integer, Phaser> factory)
      throws Exception {
    Phaser phaser = factory.apply(null, 2);
    assertEquals(0, phaser.arrive());
    assertEquals(1, phaser.getArrivedParties());
    assertEquals(1, phaser.getUnarrivedParties());
    TestThread waiter = TestThread.start("waiter", () -> assertEquals(1, phaser.awaitAdvance(0)));
    waiter.awaitParked();
    assertEquals(0, phaser.arrive());
    waiter.join();
    assertEquals(1, phaser.awaitAdvance(0));
    assertEquals(1, phaser.awaitAdvanceInterruptibly(0));
    assertEquals(1, phaser.awaitAdvanceInterruptibly(0, 1, TimeUnit.SECONDS));
    assertEquals(-3, phaser.awaitAdvance(-3));
  }

  @EachPhaser
  void registrationChangesThePartiesAndTheLastDeregistrationTerminates(
      BiFunction<Phaser, Integer, Phaser> factory) {
    Phaser phaser = factory.apply(null, 0);
    assertEquals(0, phaser.register());
    assertEquals(0, phaser.bulkRegister(2));
    assertEquals(3, phaser.getRegisteredParties());
    assertEquals(0, phaser.arriveAndDeregister());
    assertEquals(0, phaser.arrive());
    assertEquals(0, phaser.arriveAndDeregister());
    assertEquals(1, phaser.getPhase());
    assertEquals(1, phaser.getRegisteredParties());
    assertEquals(2, phaser.arriveAndAwaitAdvance());
    assertEquals(2, phaser.arriveAndDeregister());
    assertTrue(phaser.isTerminated());
    assertTrue(phaser.arriveAndAwaitAdvance() < 0);
    assertTrue(phaser.awaitAdvance(2) < 0);
  }

  @EachPhaser
  void arrivingWithoutUnarrivedPartiesIsIllegal(BiFunction<Phaser, Integer, Phaser> factory) {
    Phaser phaser = factory.apply(null, 0);
    assertThrows(IllegalStateException.class, phaser::arriveAndAwaitAdvance);
    assertThrows(IllegalStateException.class, phaser::arrive);
  }

  @EachPhaser
  void timedAwaitTimesOutAndInterruptibleAwaitIsInterruptible(
      BiFunction<Phaser, Integer, Phaser> factory) throws Exception {
    Phaser phaser = factory.apply(null, 2);
    assertThrows(
        TimeoutException.class,
        () -> phaser.awaitAdvanceInterruptibly(0, 20, TimeUnit.MILLISECONDS));
    assertThrows(
        TimeoutException.class, () -> phaser.awaitAdvanceInterruptibly(0, 0, TimeUnit.SECONDS));
    assertThrows(NullPointerException.class, () -> phaser.awaitAdvanceInterruptibly(0, 1, null));
    TestThread waiter =
        TestThread.start(
            "waiter",
            () ->
                assertThrows(
                    InterruptedException.class, () -> phaser.awaitAdvanceInterruptibly(0)));
    waiter.awaitParked();
    waiter.thread().interrupt();
    waiter.join();
    Thread.currentThread().interrupt();
    assertThrows(InterruptedException.class, () -> phaser.awaitAdvanceInterruptibly(0));
    assertEquals(0, phaser.arrive());
    assertEquals(0, phaser.arrive());
    Thread.currentThread().interrupt();
    assertEquals(1, phaser.awaitAdvanceInterruptibly(0));
    assertTrue(Thread.interrupted());
  }

  @EachPhaser
  void forceTerminationReleasesWaiters(BiFunction<Phaser, Integer, Phaser> factory)
      throws Exception {
    Phaser phaser = factory.apply(null, 2);
    TestThread waiter =
        TestThread.start("waiter", () -> assertTrue(phaser.arriveAndAwaitAdvance() < 0));
    waiter.awaitParked();
    phaser.forceTermination();
    waiter.join();
    assertTrue(phaser.isTerminated());
    assertTrue(phaser.toString().contains("phase = -"), phaser.toString());
  }

  @EachPhaser
  void tieredPhasersAdvanceAsOne(BiFunction<Phaser, Integer, Phaser> factory) throws Exception {
    Phaser root = factory.apply(null, 0);
    Phaser left = factory.apply(root, 2);
    Phaser right = factory.apply(root, 0);
    assertEquals(0, right.bulkRegister(2));
    assertSame(root, left.getParent());
    assertSame(root, right.getRoot());
    assertEquals(2, root.getRegisteredParties());
    List<TestThread> threads = new ArrayList<>();
    for (Phaser child : List.of(left, left, right, right)) {
      threads.add(
          TestThread.start(
              "party",
              () -> {
                for (int phase = 0; phase < 4; phase++) {
                  assertEquals(phase + 1, child.arriveAndAwaitAdvance());
                }
              }));
    }
    for (TestThread t : threads) {
      t.join();
    }
    assertEquals(4, root.getPhase());
    assertEquals(4, left.getPhase());
    left.arriveAndDeregister();
    left.arriveAndDeregister();
    assertEquals(1, root.getRegisteredParties());
    right.forceTermination();
    assertTrue(root.isTerminated());
  }
}

package dev.gil4j.profiler.locks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Named.named;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One behavioural suite run against the JDK's {@link CyclicBarrier} and the profiled one. Each
 * factory takes the parties and the barrier action (which may be null).
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CyclicBarrierBehaviourTest {
  private static final String SITE = "BarrierBehaviour.<init>(BarrierBehaviour.java:1)";

  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.METHOD)
  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.gil4j.profiler.locks.CyclicBarrierBehaviourTest#barriers")
  @interface EachBarrier {}

  static Stream<Named<BiFunction<Integer, Runnable, CyclicBarrier>>> barriers() {
    return Stream.of(
        named("CyclicBarrier", CyclicBarrier::new),
        named("ProfiledCyclicBarrier", (p, a) -> new ProfiledCyclicBarrier(p, a, SITE)),
        named(
            "ProfiledCyclicBarrier(parties)",
            (p, a) -> {
              if (a != null) {
                org.junit.jupiter.api.Assumptions.abort("this constructor has no action");
              }
              return new ProfiledCyclicBarrier(p, SITE);
            }));
  }

  @EachBarrier
  void partiesPassTogetherAndTheLastRunsTheAction(
      BiFunction<Integer, Runnable, CyclicBarrier> factory) throws Exception {
    AtomicReference<Thread> actionThread = new AtomicReference<>();
    AtomicInteger actions = new AtomicInteger();
    CyclicBarrier barrier =
        factory.apply(
            3,
            () -> {
              actions.incrementAndGet();
              actionThread.set(Thread.currentThread());
            });
    assertEquals(3, barrier.getParties());
    Set<Integer> indices = ConcurrentHashMap.newKeySet();
    AtomicReference<Thread> tripper = new AtomicReference<>();
    List<TestThread> threads = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      threads.add(
          TestThread.start(
              "party-" + i,
              () -> {
                for (int round = 0; round < 5; round++) {
                  int index =
                      round % 2 == 0 ? barrier.await() : barrier.await(10, TimeUnit.SECONDS);
                  indices.add(index);
                  if (round == 4 && index == 0) {
                    tripper.set(Thread.currentThread());
                  }
                }
              }));
    }
    for (TestThread t : threads) {
      t.join();
    }
    assertEquals(Set.of(0, 1, 2), indices);
    assertEquals(5, actions.get());
    assertEquals(tripper.get(), actionThread.get());
    assertFalse(barrier.isBroken());
    assertEquals(0, barrier.getNumberWaiting());
  }

  @EachBarrier
  void timeoutBreaksTheBarrierForEveryone(BiFunction<Integer, Runnable, CyclicBarrier> factory)
      throws Exception {
    CyclicBarrier barrier = factory.apply(3, null);
    TestThread waiter =
        TestThread.start(
            "waiter", () -> assertThrows(BrokenBarrierException.class, barrier::await));
    TestThread.eventually(() -> barrier.getNumberWaiting() == 1, "waiter to arrive");
    assertThrows(TimeoutException.class, () -> barrier.await(20, TimeUnit.MILLISECONDS));
    waiter.join();
    assertTrue(barrier.isBroken());
    assertThrows(BrokenBarrierException.class, barrier::await);
    assertThrows(BrokenBarrierException.class, () -> barrier.await(1, TimeUnit.SECONDS));
    barrier.reset();
    assertFalse(barrier.isBroken());
    assertThrows(TimeoutException.class, () -> barrier.await(0, TimeUnit.SECONDS));
    assertTrue(barrier.isBroken());
  }

  @EachBarrier
  void interruptBreaksTheBarrier(BiFunction<Integer, Runnable, CyclicBarrier> factory)
      throws Exception {
    CyclicBarrier barrier = factory.apply(3, null);
    TestThread waiter =
        TestThread.start("waiter", () -> assertThrows(InterruptedException.class, barrier::await));
    TestThread.eventually(() -> barrier.getNumberWaiting() == 1, "waiter to arrive");
    waiter.thread().interrupt();
    waiter.join();
    assertTrue(barrier.isBroken());
    barrier.reset();
    Thread.currentThread().interrupt();
    assertThrows(InterruptedException.class, barrier::await);
    assertTrue(barrier.isBroken());
    assertFalse(Thread.interrupted());
  }

  @EachBarrier
  void resetBreaksTheWaitersAndStartsAFreshGeneration(
      BiFunction<Integer, Runnable, CyclicBarrier> factory) throws Exception {
    CyclicBarrier barrier = factory.apply(2, null);
    TestThread waiter =
        TestThread.start(
            "waiter", () -> assertThrows(BrokenBarrierException.class, barrier::await));
    TestThread.eventually(() -> barrier.getNumberWaiting() == 1, "waiter to arrive");
    barrier.reset();
    waiter.join();
    assertFalse(barrier.isBroken());
    TestThread partner = TestThread.start("partner", barrier::await);
    barrier.await();
    partner.join();
  }

  @EachBarrier
  void failingActionBreaksTheBarrier(BiFunction<Integer, Runnable, CyclicBarrier> factory)
      throws Exception {
    CyclicBarrier barrier =
        factory.apply(
            2,
            () -> {
              throw new IllegalStateException("action failed");
            });
    TestThread waiter =
        TestThread.start(
            "waiter", () -> assertThrows(BrokenBarrierException.class, barrier::await));
    TestThread.eventually(() -> barrier.getNumberWaiting() == 1, "waiter to arrive");
    IllegalStateException e = assertThrows(IllegalStateException.class, barrier::await);
    assertEquals("action failed", e.getMessage());
    waiter.join();
    assertTrue(barrier.isBroken());
  }

  @EachBarrier
  void singlePartyTripsAlone(BiFunction<Integer, Runnable, CyclicBarrier> factory)
      throws Exception {
    CyclicBarrier barrier = factory.apply(1, null);
    assertEquals(0, barrier.await());
    assertEquals(0, barrier.await(1, TimeUnit.SECONDS));
    assertThrows(IllegalArgumentException.class, () -> factory.apply(0, null));
    assertThrows(NullPointerException.class, () -> barrier.await(1, null));
  }
}

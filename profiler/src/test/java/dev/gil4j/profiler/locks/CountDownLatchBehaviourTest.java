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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** One behavioural suite run against the JDK's {@link CountDownLatch} and the profiled one. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CountDownLatchBehaviourTest {
  private static final String SITE = "LatchBehaviour.<init>(LatchBehaviour.java:1)";

  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.METHOD)
  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.gil4j.profiler.locks.CountDownLatchBehaviourTest#latches")
  @interface EachLatch {}

  static Stream<Named<IntFunction<CountDownLatch>>> latches() {
    return Stream.of(
        named("CountDownLatch", CountDownLatch::new),
        named("ProfiledCountDownLatch", n -> new ProfiledCountDownLatch(n, SITE)));
  }

  @EachLatch
  void awaitWaitsUntilTheCountReachesZero(IntFunction<CountDownLatch> factory) throws Exception {
    CountDownLatch latch = factory.apply(2);
    TestThread waiter = TestThread.start("waiter", latch::await);
    TestThread timedWaiter =
        TestThread.start("timed-waiter", () -> assertTrue(latch.await(10, TimeUnit.SECONDS)));
    waiter.awaitParked();
    timedWaiter.awaitParked();
    latch.countDown();
    Thread.sleep(20);
    assertTrue(waiter.thread().isAlive());
    assertEquals(1, latch.getCount());
    latch.countDown();
    waiter.join();
    timedWaiter.join();
    latch.countDown();
    assertEquals(0, latch.getCount());
    assertTrue(latch.toString().endsWith("[Count = 0]"));
  }

  @EachLatch
  void openLatchLetsAwaitThrough(IntFunction<CountDownLatch> factory) throws Exception {
    CountDownLatch latch = factory.apply(0);
    latch.await();
    assertTrue(latch.await(0, TimeUnit.SECONDS));
    assertTrue(latch.await(1, TimeUnit.SECONDS));
  }

  @EachLatch
  void timedAwaitReturnsFalseOnTimeout(IntFunction<CountDownLatch> factory) throws Exception {
    CountDownLatch latch = factory.apply(1);
    long start = System.nanoTime();
    assertFalse(latch.await(50, TimeUnit.MILLISECONDS));
    assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(50));
    assertFalse(latch.await(0, TimeUnit.SECONDS));
    assertThrows(NullPointerException.class, () -> latch.await(1, null));
  }

  @EachLatch
  void interruptedCallerThrowsEvenOnAnOpenLatch(IntFunction<CountDownLatch> factory) {
    CountDownLatch latch = factory.apply(0);
    Thread.currentThread().interrupt();
    assertThrows(InterruptedException.class, latch::await);
    Thread.currentThread().interrupt();
    assertThrows(InterruptedException.class, () -> latch.await(1, TimeUnit.SECONDS));
    assertFalse(Thread.interrupted());
  }

  @EachLatch
  void waitingAwaitIsInterruptible(IntFunction<CountDownLatch> factory) throws Exception {
    CountDownLatch latch = factory.apply(1);
    TestThread waiter =
        TestThread.start("waiter", () -> assertThrows(InterruptedException.class, latch::await));
    waiter.awaitParked();
    waiter.thread().interrupt();
    waiter.join();
    assertEquals(1, latch.getCount());
  }

  @EachLatch
  void negativeCountIsRejected(IntFunction<CountDownLatch> factory) {
    assertThrows(IllegalArgumentException.class, () -> factory.apply(-1));
  }
}

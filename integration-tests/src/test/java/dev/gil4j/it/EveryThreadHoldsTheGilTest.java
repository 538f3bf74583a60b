package dev.gil4j.it;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gil4j.it.holes.BlockedDebtor;
import dev.gil4j.it.holes.PoolTasks;
import dev.gil4j.it.holes.SelfContainedBodies;
import dev.gil4j.testkit.Child;
import dev.gil4j.testkit.ChildRun;
import dev.gil4j.testkit.Jdk;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every registered thread holds or waits for the GIL from its first instruction: threads whose body
 * holds no checkpoint ({@link SelfContainedBodies}), and work on {@code ForkJoinPool.commonPool},
 * whose workers' thread-locals the JDK erases after every task ({@link PoolTasks}). Each program
 * computes on two threads at once; under {@code gil=on} the process must use about one core of CPU
 * (process CPU time over wall time), where the holes measured 1.8–2.0.
 *
 * <p>The bound is an upper one, so a busy machine cannot make it fail; it leaves room for the JIT
 * compiler and GC threads, which run outside the GIL.
 *
 * <p>After the pool's work, a lone loop on {@code main} must run about as fast as before it: a
 * revocation never settled, or a drop request left pending, sends every checkpoint down the slow
 * path for the rest of the run (measured 5.8–9x with the breaker held on after the phase, JDK 17
 * and 25; 1.0–1.8x settled, on a loaded machine). Each lone time is the best of several runs.
 */
class EveryThreadHoldsTheGilTest {
  private static final double MAX_CORES = 1.15;
  private static final double MAX_LONE_AFTER_RATIO = 3;
  private static final Duration TIMEOUT = Duration.ofSeconds(120);

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.gil4j.testkit.Jdk#available")
  void threadsWhoseBodiesHoldNoCheckpointTakeTheGilBeforeTheirFirstInstruction(Jdk jdk) {
    ChildRun run = run(jdk, SelfContainedBodies.class, "1500000000");
    assertCores(jdk, "self-contained thread bodies", run);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.gil4j.testkit.Jdk#available")
  void commonPoolTasksRunUnderTheGilFromTheirSecondTaskOn(Jdk jdk) {
    ChildRun run = run(jdk, PoolTasks.class, "pool", "1500");
    assertCores(jdk, "common-pool tasks", run);
    assertLoneLoopAsFastAfter("common-pool tasks", run);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.gil4j.testkit.Jdk#available")
  void aCompletableFutureChainRunsUnderTheGil(Jdk jdk) {
    ChildRun run = run(jdk, PoolTasks.class, "async", "1500");
    assertCores(jdk, "supplyAsync chain", run);
    assertLoneLoopAsFastAfter("supplyAsync chain", run);
  }

  /**
   * A revocation is settled without slowing anyone while the revoked thread stays blocked: its debt
   * stops setting every thread's breaker once it has shown no CPU progress for a stall window
   * ({@link BlockedDebtor}; before, a lone loop ran 2.6–6.1x slower while the debtor waited for a
   * class initializer, JDK 17 and 25).
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.gil4j.testkit.Jdk#available")
  void aThreadRevokedWhileBlockedSlowsNoOtherThread(Jdk jdk) {
    ChildRun run = run(jdk, BlockedDebtor.class);
    double ratio = run.metric("blocked_ratio");
    System.out.printf(
        "holes: blocked debtor [%s] lone loop while blocked/after %.2f, revocations %.0f%n",
        jdk, ratio, run.report().value("revocations"));
    assumeTrue(
        run.metric("debtor_blocked_throughout") == 1 && run.report().value("revocations") >= 1,
        "the debtor was not revoked, or not blocked throughout the timing: nothing shown");
    assertTrue(
        ratio <= MAX_LONE_AFTER_RATIO,
        () ->
            String.format(
                "a lone loop ran %.2fx slower beside a blocked debtor%n%s", ratio, run.describe()));
  }

  private static ChildRun run(Jdk jdk, Class<?> main, String... args) {
    return Child.java(jdk, List.of(testClasses()), main.getName())
        .withAgent("gil=on")
        .withArgs(args)
        .withTimeout(TIMEOUT)
        .run()
        .assertSucceeded();
  }

  private static void assertCores(Jdk jdk, String what, ChildRun run) {
    double cores = run.metric("cores");
    double revocations = run.report().value("revocations");
    System.out.printf(
        "holes: %s [%s] gil=on %.2f cores, revocations %.0f%s%n",
        what,
        jdk,
        cores,
        revocations,
        run.metrics().containsKey("lone_after_ratio")
            ? String.format(", lone loop after/before %.2f", run.metric("lone_after_ratio"))
            : "");
    assertTrue(
        cores <= MAX_CORES,
        () -> String.format("%s used %.2f cores under the GIL%n%s", what, cores, run.describe()));
  }

  private static void assertLoneLoopAsFastAfter(String what, ChildRun run) {
    double ratio = run.metric("lone_after_ratio");
    assertTrue(
        ratio <= MAX_LONE_AFTER_RATIO,
        () ->
            String.format(
                "a lone loop ran %.2fx slower after the %s than before%n%s",
                ratio, what, run.describe()));
  }

  private static Path testClasses() {
    try {
      return Path.of(
          EveryThreadHoldsTheGilTest.class
              .getProtectionDomain()
              .getCodeSource()
              .getLocation()
              .toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}

package dev.gil4j.it.scenarios;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gil4j.it.ChildJvm;
import dev.gil4j.it.ChildRun;
import dev.gil4j.it.Jdk;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every pattern of {@link Scenarios} under the GIL, with CPython's default switch interval and with
 * {@code switch=1ms} to provoke more hand-offs, on every available JDK: it must finish within a
 * hard timeout (a hang fails with all threads' stacks), with its own result checked, and with the
 * exit report in place.
 *
 * <p>Safety-net revocations are printed for each run. The ones expected, and why: a thread that
 * waits for another thread's static initializer holds the GIL while it is RUNNABLE to Java and
 * asleep in the kernel, and is revoked ({@code staticInitializers}, {@code customClassLoader}, and
 * the socket scenarios, where several threads create their first socket at once and wait for the
 * JDK's socket class initializer). Not yet explained: the java.util.concurrent scenarios ({@code
 * lockConditionBoundedBuffer}, {@code synchronizers}, {@code blockingQueue}, {@code
 * executorAndComputeIfAbsent}) show 1-3 revocations of a holder found asleep in the kernel, without
 * CPU progress, for 10 ms at {@code ConditionObject.await}'s call to {@code
 * ForkJoinPool.managedBlock}, after it had re-taken the GIL on return from a park. A revocation
 * means a blocking point gil4j does not hook, never a hang; the bound below catches a scenario that
 * starts to revoke wholesale.
 */
class ConcurrencyCatalogTest {
  private static final Path CLASSES = Path.of("target/test-classes");
  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final int MAX_REVOCATIONS = 10;
  private static final Set<String> JDK_21 = Set.of("virtualThreads");

  /** Every scenario of {@link Scenarios}, by method name. */
  static final List<String> SCENARIOS =
      List.of(
          "synchronizedAcrossCpuWork",
          "waitNotifyPingPong",
          "parkUnparkRing",
          "lockConditionBoundedBuffer",
          "synchronizers",
          "blockingQueue",
          "executorAndComputeIfAbsent",
          "forkJoinAndStreams",
          "staticInitializers",
          "customClassLoader",
          "joinAndInterrupts",
          "timers",
          "pipedStreams",
          "socketsThreadPerClient",
          "selectorNio",
          "fileIo",
          "childProcess",
          "exitFromWorker",
          "daemonsAndShutdownHook",
          "uncaughtException",
          "virtualThreads");

  static Stream<Arguments> runs() {
    return Jdk.available()
        .flatMap(
            jdk ->
                SCENARIOS.stream()
                    .flatMap(
                        s ->
                            Stream.of(
                                Arguments.of(jdk, s, ""), Arguments.of(jdk, s, "switch=1ms"))));
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @MethodSource("runs")
  void scenarioCompletesCorrectlyUnderTheGil(Jdk jdk, String scenario, String options) {
    assumeTrue(runsOn(jdk, scenario), "needs JDK 21+");
    ChildRun run = runChecked(jdk, scenario, options);
    double revocations = run.report().value("revocations");
    System.out.printf(
        "[%s] %s %s: %.0f revocations, %.0f hand-offs%n",
        jdk, scenario, options, revocations, run.report().value("hand-offs"));
    assertTrue(revocations <= MAX_REVOCATIONS, run::describe);
  }

  /** Whether {@code scenario} can run on {@code jdk}: virtual threads need JDK 21. */
  static boolean runsOn(Jdk jdk, String scenario) {
    int feature = Integer.parseInt(jdk.name().replaceAll("\\D", ""));
    return !JDK_21.contains(scenario) || feature >= 21;
  }

  /**
   * Forks {@code scenario} under the agent with {@code options} and checks what it must do: finish
   * within the hard timeout (else {@link ChildJvm#run()} dumps its threads and fails), exit with
   * its own status, say it is ok, and leave the exit report on stderr.
   */
  static ChildRun runChecked(Jdk jdk, String scenario, String options) {
    ChildRun run =
        ChildJvm.of(jdk, CLASSES, Scenarios.class.getName())
            .withAgent(options)
            .withArgs(scenario)
            .withTimeout(TIMEOUT)
            .run();
    int expectedExit = scenario.equals("exitFromWorker") ? 3 : 0;
    assertEquals(expectedExit, run.exitCode(), run::describe);
    assertTrue(run.stdout().contains("ok " + scenario), run::describe);
    if (scenario.equals("daemonsAndShutdownHook")) {
      assertTrue(run.stdout().contains("hook true"), run::describe);
    }
    run.report();
    return run;
  }
}

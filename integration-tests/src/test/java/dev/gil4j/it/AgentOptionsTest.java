package dev.gil4j.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gil4j.testkit.ChildRun;
import dev.gil4j.testkit.Jdk;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The agent's command line: a bad option stops the JVM before the application's {@code main} with
 * exit status 2 and one line naming it; good options start it with one line saying what is in
 * force.
 */
class AgentOptionsTest {
  /** Tiny, so that the run measures only JVM and agent start-up. */
  private static final String[] QUICK_CPU_BOUND = {"1", "1000000"};

  static Stream<Arguments> jdksAndBadOptions() {
    List<String[]> bad =
        List.of(
            // {options, the option the line must name, the bad value it must show}
            new String[] {"bogus=1", "bogus", "bogus"},
            new String[] {"switch=fast", "switch", "fast"},
            new String[] {"ticks=0", "ticks", "0"},
            new String[] {"gil=maybe", "gil", "maybe"},
            new String[] {"policy=fifo", "policy", "fifo"},
            new String[] {"switch=-5ms", "switch", "-5ms"});
    return Jdk.available()
        .flatMap(jdk -> bad.stream().map(b -> Arguments.of(jdk, b[0], b[1], b[2])));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("jdksAndBadOptions")
  void badOptionExitsWithStatusTwoAndOneLineNamingIt(
      Jdk jdk, String options, String option, String value) {
    ChildRun run =
        Samples.child(jdk, "CpuBound")
            .withAgent(options)
            .withArgs(QUICK_CPU_BOUND)
            .withTimeout(Duration.ofSeconds(30))
            .run();
    System.out.printf("[%s] %s -> exit %d: %s", jdk, options, run.exitCode(), run.stderr());
    assertEquals(
        2, run.exitCode(), () -> "a bad option must exit with status 2\n" + run.describe());
    List<String> lines = run.gil4jLines();
    assertEquals(
        1, lines.size(), () -> "a bad option must print one gil4j line\n" + run.describe());
    String line = lines.get(0);
    assertTrue(
        line.contains(option), () -> "the line must name the option " + option + ": " + line);
    assertTrue(
        line.contains("'" + value + "'"),
        () -> "the line must show the value '" + value + "': " + line);
    assertTrue(
        run.stdout().isBlank(), () -> "the application's main must not run\n" + run.describe());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.gil4j.testkit.Jdk#available")
  void startupLineIsPrintedOnce(Jdk jdk) {
    ChildRun run =
        Samples.child(jdk, "CpuBound")
            .withAgent("switch=2ms")
            .withArgs(QUICK_CPU_BOUND)
            .run()
            .assertSucceeded();
    List<String> beforeReport =
        run.gil4jLines().stream().takeWhile(l -> !l.startsWith("gil4j: GIL report")).toList();
    assertEquals(
        1, beforeReport.size(), () -> "one start-up line before the report\n" + run.describe());
    assertTrue(
        beforeReport.get(0).contains(" switch=2ms "),
        () -> "the start-up line must say the switch interval in force: " + beforeReport.get(0));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.gil4j.testkit.Jdk#available")
  void reportOffLeavesOnlyTheStartupLine(Jdk jdk) {
    ChildRun run =
        Samples.child(jdk, "CpuBound")
            .withAgent("report=off")
            .withArgs(QUICK_CPU_BOUND)
            .run()
            .assertSucceeded();
    assertEquals(1, run.gil4jLines().size(), () -> "one gil4j line\n" + run.describe());
  }
}

package dev.gil4j.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gil4j.testkit.ChildRun;
import dev.gil4j.testkit.GilReport;
import dev.gil4j.testkit.Jdk;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * At exit the agent prints how the GIL was used on stderr, every line prefixed {@code gil4j:}: the
 * settings, hand-offs, forced drops, revocations and GIL wait percentiles.
 */
class ExitReportTest {

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.gil4j.testkit.Jdk#available")
  void exitReportAppearsOnStderrWithItsFigures(Jdk jdk) {
    ChildRun run =
        Samples.child(jdk, "CpuBound")
            .withAgent("switch=5ms")
            .withArgs("2", "300000000")
            .run()
            .assertSucceeded();
    GilReport report = run.report();
    System.out.printf("[%s] exit report:%n%s%n", jdk, String.join("\n", report.lines()));
    String all = run.describe();
    assertEquals("cpython", report.policy(), all);
    assertEquals(5.0, report.value("switch"), 0.01, all);
    assertEquals(1.0, report.value("tokens"), all);
    // Two threads competing for about half a second must hand over many times, mostly forced.
    assertTrue(report.value("hand-offs") >= 10, all);
    assertTrue(report.value("hand-offs/s") > 0, all);
    assertTrue(report.value("forced drops") >= 1, all);
    assertTrue(report.value("drop requests") >= report.value("forced drops"), all);
    assertTrue(report.value("GIL wait n") >= 1, all);
    // A CPU-bound app blocks nowhere the agent does not know (class loading, where its two
    // threads may meet, never hands the GIL over): the safety net has nothing to do.
    assertEquals(
        0.0,
        report.value("revocations"),
        () -> "a revocation means a blocking point the agent missed (see its stack)\n" + all);
    List<String> stderr = run.stderrLines();
    List<String> fromHeader = stderr.subList(stderr.indexOf(report.lines().get(0)), stderr.size());
    assertTrue(
        fromHeader.stream().allMatch(l -> l.startsWith("gil4j:")),
        () -> "every report line starts with gil4j:\n" + all);
  }
}

package dev.gil4j.it.monitors;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gil4j.testkit.Child;
import dev.gil4j.testkit.ChildRun;
import dev.gil4j.testkit.Jdk;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A monitor that threads share without contending for it must not make the GIL change hands: in
 * CPython, a thread holding the GIL takes a free lock without releasing the GIL, and two CPU-bound
 * threads that take one lock every 64 steps change its owner only at their ~160 switches a second.
 * Java has no try-monitorenter, and an inflated monitor's header does not say whether it is free;
 * releasing the GIL at every entry into one handed the GIL over at nearly every entry while the
 * other thread waited ({@link SharedMonitors} {@code cpu}: 0.25 hand-offs per entry, 20–200x slower
 * than without gil4j), and at nearly every item of a producer notifying its consumer through {@code
 * wait}/{@code notifyAll} ({@code queue}: 0.65 per item). Measured after the fix, under load:
 * 0.0005 per entry and 0.016 per item. The bounds leave a wide margin.
 */
class SharedMonitorHandOffTest {
  private static final Path CLASSES = Path.of("target/test-classes");

  /** Per JDK: the shape, its size, the unit it prints, and the most hand-offs per unit. */
  static Stream<Arguments> shapes() {
    return Jdk.available()
        .flatMap(
            jdk ->
                Stream.of(
                    Arguments.of(jdk, "cpu", 20_000_000L, "entries ", 0.02),
                    Arguments.of(jdk, "queue", 200_000L, "items ", 0.2)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("shapes")
  void threadsSharingAMonitorHandTheGilOverRarely(
      Jdk jdk, String shape, long n, String unit, double mostPerUnit) {
    ChildRun run = run(jdk, shape, n);
    double units = count(run, unit);
    double handOffs = run.report().value("hand-offs");
    System.out.printf("[%s] %s: %.0f hand-offs for %.0f %s%n", jdk, shape, handOffs, units, unit);
    assertTrue(handOffs <= mostPerUnit * units, run::describe);
  }

  private static ChildRun run(Jdk jdk, String shape, long n) {
    ChildRun run =
        Child.java(jdk, List.of(CLASSES), SharedMonitors.class.getName())
            .withAgent("gil=on")
            .withArgs(List.of(shape, Long.toString(n)))
            .withTimeout(Duration.ofSeconds(120))
            .withLabel("shared-monitors-" + shape)
            .run();
    run.assertSucceeded();
    assertTrue(run.stdout().lines().anyMatch("ok"::equals), run::describe);
    return run;
  }

  private static double count(ChildRun run, String prefix) {
    return run.stdout()
        .lines()
        .filter(l -> l.startsWith(prefix))
        .mapToDouble(l -> Double.parseDouble(l.substring(prefix.length())))
        .findFirst()
        .orElseThrow();
  }
}

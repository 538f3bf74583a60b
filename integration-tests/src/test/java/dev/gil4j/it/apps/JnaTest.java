package dev.gil4j.it.apps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gil4j.testkit.Child;
import dev.gil4j.testkit.ChildRun;
import dev.gil4j.testkit.Jdk;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * C functions called through JNA ({@link JnaCalls}) are native calls of a library like any JNI
 * method: one that sleeps releases the GIL, one that computes keeps it (docs/native.md). Before,
 * gil4j took JNA ({@code com.sun.jna}) for the JDK's: each {@code usleep} through an interface
 * mapping held the GIL until the safety net revoked it (20 revocations in 20 calls, none released
 * in a native call), and a direct mapping failed to load ({@code undefined symbol: gil4j$usleep}:
 * JNA looked up the wrapped native's name).
 */
class JnaTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(90);

  /** Revocations seen on a loaded 2-core machine come from class loading, not the calls. */
  private static final int MAX_REVOCATIONS = 3;

  private static final double MAX_CORES = 1.15;

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.gil4j.testkit.Jdk#available")
  void aJnaCallThatSleepsReleasesTheGil(Jdk jdk) {
    assertReleasedInTheCalls(jdk, "sleep");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.gil4j.testkit.Jdk#available")
  void aDirectMappedJnaCallThatSleepsReleasesTheGil(Jdk jdk) {
    assertReleasedInTheCalls(jdk, "direct");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.gil4j.testkit.Jdk#available")
  void aJnaCallThatComputesKeepsTheGil(Jdk jdk) {
    ChildRun run = run(jdk, "compute");
    double cores = run.metric("cores");
    double released = run.report().value("released in native calls");
    print(jdk, "compute", run);
    assertEquals(0, released, () -> "a computing call released the GIL\n" + run.describe());
    assertTrue(
        cores <= MAX_CORES,
        () -> String.format("%.2f cores beside a computing JNA call%n%s", cores, run.describe()));
  }

  private static void assertReleasedInTheCalls(Jdk jdk, String mode) {
    ChildRun run = run(jdk, mode);
    double revocations = run.report().value("revocations");
    double released = run.report().value("released in native calls");
    print(jdk, mode, run);
    assertTrue(
        revocations <= MAX_REVOCATIONS,
        () -> String.format("%.0f revocations%n%s", revocations, run.describe()));
    // 20 calls, each asleep for 100 ms while the spinner waits for the GIL.
    assertTrue(
        released >= 10,
        () -> String.format("released in %.0f of 20 native calls%n%s", released, run.describe()));
  }

  private static void print(Jdk jdk, String mode, ChildRun run) {
    System.out.printf(
        "jna: [%s] %s: %.2f cores, revocations %.0f, released in native calls %.0f%n",
        jdk,
        mode,
        run.metric("cores"),
        run.report().value("revocations"),
        run.report().value("released in native calls"));
  }

  private static ChildRun run(Jdk jdk, String mode) {
    return Child.java(jdk, List.of(ThirdPartyAppsTest.classPathJar()), JnaCalls.class.getName())
        .withAgent("gil=on")
        .withArgs(mode)
        .withTimeout(TIMEOUT)
        .run()
        .assertSucceeded();
  }
}

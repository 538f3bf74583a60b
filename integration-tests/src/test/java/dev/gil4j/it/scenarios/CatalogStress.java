package dev.gil4j.it.scenarios;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gil4j.testkit.ChildRun;
import dev.gil4j.testkit.Jdk;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The whole {@link ConcurrencyCatalogTest catalog} in a loop under {@code switch=200us} — 25 times
 * CPython's default interval, so every hand-off path runs thousands of times — on every available
 * JDK, for {@code -Dgil4j.stressMinutes} minutes (default 5): no scenario may hang or fail. Each
 * run has the catalog's hard timeout, after which its threads are dumped and it is killed (a hang);
 * a run that exits wrongly, does not say it is ok or leaves no exit report is a failure.
 * Revocations are only counted: the catalog test judges them.
 *
 * <p>Not part of the default test run (its name matches none of surefire's test patterns): run it
 * with {@code bash integration-tests/stress.sh [MINUTES]}, or {@code mvn verify -Pstress -pl
 * integration-tests -am -Dtest=CatalogStress -Dsurefire.failIfNoSpecifiedTests=false
 * -Dgil4j.stressMinutes=5}. It prints one line per run and then a summary: rounds (every scenario
 * on every JDK once), scenario runs, failures, hangs, and the revocations from the exit reports, in
 * total and by scenario.
 */
class CatalogStress {
  private static final String OPTIONS = "switch=200us";

  /** What the child JVM harness says, first, when a child outlived its timeout. */
  private static final String HUNG = "child JVM hung";

  @Test
  void theCatalogLoopsWithoutAHang() {
    Duration length = Duration.ofMinutes(Long.getLong("gil4j.stressMinutes", 5));
    long deadline = System.nanoTime() + length.toNanos();
    List<Jdk> jdks = Jdk.available().toList();
    int rounds = 0;
    int runs = 0;
    int failures = 0;
    int hangs = 0;
    long revocations = 0;
    Map<String, Long> revokedBy = new TreeMap<>();
    StringBuilder problems = new StringBuilder();
    long start = System.nanoTime();
    rounds:
    while (true) {
      for (Jdk jdk : jdks) {
        for (String scenario : ConcurrencyCatalogTest.SCENARIOS) {
          if (System.nanoTime() >= deadline) {
            break rounds;
          }
          if (!ConcurrencyCatalogTest.runsOn(jdk, scenario)) {
            continue;
          }
          runs++;
          String label = jdk + " " + scenario;
          try {
            ChildRun run = ConcurrencyCatalogTest.runChecked(jdk, scenario, OPTIONS);
            long revoked = Math.round(run.report().value("revocations"));
            revocations += revoked;
            revokedBy.merge(label, revoked, Long::sum);
            System.out.printf(
                "stress round %d: [%s] %s: %d revocations%n", rounds + 1, jdk, scenario, revoked);
          } catch (AssertionError e) {
            boolean hung = String.valueOf(e.getMessage()).startsWith(HUNG);
            if (hung) {
              hangs++;
            } else {
              failures++;
            }
            String what = (hung ? "HANG " : "FAILURE ") + label;
            problems.append(what).append(System.lineSeparator());
            System.out.printf("stress round %d: %s%n%s%n", rounds + 1, what, e.getMessage());
          }
        }
      }
      rounds++;
    }
    StringBuilder summary = new StringBuilder();
    summary.append(
        String.format(
            "stress summary (%s, %s): %.1f min, %d full rounds, %d scenario runs, %d failures,"
                + " %d hangs, %d revocations%n",
            OPTIONS,
            jdks,
            (System.nanoTime() - start) / 60e9,
            rounds,
            runs,
            failures,
            hangs,
            revocations));
    revokedBy.forEach(
        (label, n) -> {
          if (n > 0) {
            summary.append(String.format("  revocations %5d  %s%n", n, label));
          }
        });
    summary.append(problems);
    System.out.print(summary);
    assertTrue(failures == 0 && hangs == 0, summary::toString);
  }
}

package dev.gil4j.samples;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;

/**
 * Untimed rounds of a workload until the JIT has gone quiet, so that a timed run measures the
 * program and not the JVM's start-up. Under gil4j the JIT compiles for seconds into a run (the
 * GIL's contended paths last); and while it compiles, its threads keep the machine's other CPU
 * awake, which on a virtual machine makes a blocked thread wake up faster: loopback round trips ran
 * 1.8x faster 0.5 s into a run than 4 s into it.
 */
final class WarmUp {
  /** Rounds in a row without compilation that end a warm-up. */
  private static final int QUIET_ROUNDS = 2;

  /** One untimed round of the workload. */
  interface Round {
    void run() throws Exception;
  }

  private WarmUp() {}

  /**
   * Runs {@code round} until the JIT compiled nothing during {@value #QUIET_ROUNDS} rounds in a row
   * (that many rounds where the JVM does not report its compilation time), or for {@code limit};
   * prints {@code "LABEL: warmed up in N rounds, X s"}.
   */
  static void untilJitQuiet(String label, Duration limit, Round round) throws Exception {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    boolean timed = jit != null && jit.isCompilationTimeMonitoringSupported();
    long start = System.nanoTime();
    long deadline = start + limit.toNanos();
    long compiling = -1;
    int quiet = 0;
    int rounds = 0;
    do {
      round.run();
      // where the JVM does not tell, -1 every round: each round counts as quiet
      long now = timed ? jit.getTotalCompilationTime() : -1;
      quiet = now == compiling ? quiet + 1 : 0;
      rounds++;
      compiling = now;
    } while (quiet < QUIET_ROUNDS && System.nanoTime() < deadline);
    System.out.printf(
        "%s: warmed up in %d rounds, %.1f s%n", label, rounds, (System.nanoTime() - start) / 1e9);
  }
}

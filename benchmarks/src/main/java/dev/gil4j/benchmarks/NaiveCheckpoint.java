package dev.gil4j.benchmarks;

/**
 * The control: a checkpoint written the naive way, one {@code static volatile boolean} read where
 * the loop jumps back. It is what gil4j's own checkpoint ({@code Hooks.checkpoint()}) is, placed at
 * every back-edge without regard for the loop's shape.
 *
 * <p>The flag is never set, so the slow path never runs: what the control costs is the read alone,
 * and what the read forbids. The JIT may not hoist a volatile read out of a loop, and a loop with
 * one inside is neither vectorized nor unrolled as freely.
 */
final class NaiveCheckpoint {
  /** CPython's eval breaker, as a naive GIL would keep it. */
  static volatile boolean pending;

  private NaiveCheckpoint() {}

  /** Where a naive GIL would drop and re-take; a stand-in the benchmarks never reach. */
  static void dropAndRetake() {
    Thread.yield();
  }
}

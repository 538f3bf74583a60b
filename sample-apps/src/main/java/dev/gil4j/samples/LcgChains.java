package dev.gil4j.samples;

/**
 * The CPU-bound work of {@link CpuBound} and {@link ThreadsVsProcesses}: steps of a linear
 * congruential generator whose state is an object field advanced by a small method, as in a Python
 * object, cut into chains of {@value #CHAIN} steps seeded by their index. Each step passes a method
 * entry and a loop back-edge, where gil4j places its checkpoints.
 */
final class LcgChains {
  static final int CHAIN = 1000;
  static final long MULTIPLIER = 6364136223846793005L;
  static final long INCREMENT = 1442695040888963407L;

  private long state;

  /** How many chains {@code work} steps make. */
  static long chains(long work) {
    return (work + CHAIN - 1) / CHAIN;
  }

  private void step() {
    state = state * MULTIPLIER + INCREMENT;
  }

  /** Sum of the last states of chains {@code [from, to)} of a run of {@code work} steps. */
  long sumOfChains(long from, long to, long work) {
    long sum = 0;
    for (long chain = from; chain < to; chain++) {
      // Not Math.min: inlined, a JDK method brings its own branch profile, which the JIT had not
      // always gathered yet when it compiled this loop, and without it the loop ran 2.4x slower
      long left = work - chain * CHAIN;
      long steps = left < CHAIN ? left : CHAIN;
      state = chain;
      for (long i = 0; i < steps; i++) {
        step();
      }
      sum += state;
    }
    return sum;
  }
}

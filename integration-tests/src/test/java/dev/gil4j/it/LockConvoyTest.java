package dev.gil4j.it;

import dev.gil4j.testkit.ChildRun;
import dev.gil4j.testkit.Jdk;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Lock convoys, ~2 µs of work per operation: one lock ({@code Locks lock}), a global lock with 4
 * stripe locks inside it, the stripe also taken alone ({@code Locks nested}), and the nested shape
 * with monitors ({@code Locks synchronized}), with profiling and without. Under the GIL, 4 threads
 * run slower than 1 (CPython on a quiet 2-core machine: 0.24–0.34x with one lock, 0.38–0.55x
 * nested): a waiter woken by a lock's release takes the lock with the GIL released (the GIL holder
 * yields to it) and then waits for the GIL while owning it, so every thread that needs that lock
 * blocks until the GIL changes hands. A thread that blocks entering a monitor owned by a thread
 * waiting for the GIL releases the GIL first, whether profiling is on or off, and re-takes it
 * owning the monitor (without the release, profiling off, 0.04–0.05x, every blocked entry holding
 * the GIL until the safety net let it go). With the GIL off there is no such wait, though 4 threads
 * contending for the same locks on 2 cores still lose something to the JVM's own lock hand-offs
 * (0.8x seen on a quiet machine): no convoy means not falling below half.
 */
class LockConvoyTest {
  /** 4 threads at most this fast relative to 1 thread under the GIL, nested locks: a convoy. */
  private static final double CONVOY = 0.9;

  /**
   * The same for one lock, whose convoy is stronger (gil4j 0.30–0.32x on a quiet machine); without
   * the holder's yield to the woken waiter it was 0.5–0.8x.
   */
  private static final double ONE_LOCK_CONVOY = 0.5;

  /**
   * The same for nested monitors (gil4j 0.37–0.63x on a quiet machine, JDK 17 and 25, CPython's
   * nested locks 0.38–0.55x; with the GIL off 1.0–1.8x).
   */
  private static final double MONITOR_CONVOY = 0.75;

  /** 4 threads at least this fast relative to 1 thread with the GIL off: no convoy. */
  private static final double NO_CONVOY = 0.5;

  /** Runs that miss the bound are repeated, up to this many in all: noise only ever hides it. */
  private static final int ATTEMPTS = 3;

  static Stream<Arguments> shapes() {
    return Jdk.available()
        .flatMap(
            jdk ->
                Stream.of(
                    Arguments.of(jdk, "nested", "gil=on", CONVOY),
                    Arguments.of(jdk, "lock", "gil=on", ONE_LOCK_CONVOY),
                    Arguments.of(jdk, "synchronized", "gil=on", MONITOR_CONVOY),
                    Arguments.of(jdk, "synchronized", "gil=on,profile=off", MONITOR_CONVOY)));
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @MethodSource("shapes")
  void locksConvoyUnderTheGil(Jdk jdk, String shape, String options, double bound) {
    MachineLoad.staysBelow(
        ATTEMPTS,
        bound,
        busy -> speedup(jdk, shape, options, busy),
        speedup -> "4 threads on " + shape + " locks ran " + speedup + "x as fast as 1: no convoy");
  }

  static Stream<Arguments> nestedShapes() {
    return Jdk.available()
        .flatMap(jdk -> Stream.of(Arguments.of(jdk, "nested"), Arguments.of(jdk, "synchronized")));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("nestedShapes")
  void nestedLocksDoNotConvoyWithTheGilOff(Jdk jdk, String shape) {
    MachineLoad.reaches(
        ATTEMPTS,
        NO_CONVOY,
        busy -> speedup(jdk, shape, "gil=off", busy),
        speedup -> "4 threads on " + shape + " locks ran only " + speedup + "x as fast as 1");
  }

  private static double speedup(Jdk jdk, String shape, String options, double busy) {
    ChildRun run =
        Samples.child(jdk, "Locks")
            .withAgent(options)
            .withArgs("--shapes", shape, "--ops", "100000", "--threads", "4")
            .run()
            .assertSucceeded();
    double speedup = run.metric(shape + "_speedup");
    System.out.printf(
        "[%s] Locks %s %s: 4 threads vs 1: %.2fx (CPUs %.0f%% busy before)%n",
        jdk, shape, options, speedup, busy * 100);
    return speedup;
  }
}

package dev.gil4j.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gil4j.testkit.ChildRun;
import dev.gil4j.testkit.Jdk;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Threads that block still overlap under the GIL, because it is released around every blocking
 * call: 8 threads sleeping 50 × 10 ms each take little more than one thread's 0.5 s (CPython:
 * 7.95x).
 */
class BlockingOverlapTest {

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.gil4j.testkit.Jdk#available")
  void sleepingThreadsOverlapUnderTheGil(Jdk jdk) {
    ChildRun run =
        Samples.child(jdk, "Blocking")
            .withAgent("gil=on")
            .withArgs("sleep", "8")
            .run()
            .assertSucceeded();
    double overlap = run.metric("throughput_x");
    System.out.printf(
        "[%s] Blocking sleep, 8 threads, gil=on: overlap %.2fx (%.0f ms)%n",
        jdk, overlap, run.metric("wall_ms"));
    assertTrue(
        overlap >= 6, "8 sleeping threads overlapped only " + overlap + "x\n" + run.describe());
  }
}

package dev.gil4j.benchmarks;

import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;

/**
 * Shows whether the agent wove checkpoints into this package, so that the benchmarks' "gil4j"
 * column measures gil4j's checkpoints and not unchanged code.
 *
 * <p>A worker thread computes in a loop that calls a method and reads a volatile flag: a loop that
 * gil4j checks at every back-edge. {@code main} pauses, which releases the GIL to the worker, and
 * on waking must take it back; it does so {@value #CYCLES} times. Under {@code gil=on} it waits one
 * switch interval, asks for a drop, and the worker honours the request at its next checkpoint, so
 * {@code main} waits about one interval (5 ms by default) each time. If the worker carries no
 * checkpoint, it keeps the GIL until its loop gives up after {@value #WORKER_MS} ms; if there is no
 * GIL at all, {@code main} does not wait.
 *
 * <p>Both threads block through {@code LockSupport.parkNanos}, which the agent wraps inside the JDK
 * itself: the worker takes the GIL and {@code main} releases it whether or not this class was
 * woven, so only the worker's checkpoints decide the outcome.
 *
 * <p>Prints {@code gil4j-metric gil_return_ms <median> ms} and {@code gil4j-metric
 * gil_return_max_ms <max> ms}: how long {@code main} waited for the GIL after a pause. Run: {@code
 * java -javaagent:agent/target/gil4j-agent.jar -cp benchmarks/target/gil4j-benchmarks.jar
 * dev.gil4j.benchmarks.WeavingCheck}.
 */
public final class WeavingCheck {
  static final int WORKER_MS = 3_000;
  private static final int CYCLES = 9;
  private static final long PAUSE_NANOS = 10_000_000L;

  private static volatile boolean done;

  /** The worker's result, stored so that the JIT cannot drop its loop. */
  private static long sink;

  private WeavingCheck() {}

  public static void main(String[] args) throws InterruptedException {
    long deadline = System.nanoTime() + WORKER_MS * 1_000_000L;
    Thread worker =
        new Thread(
            () -> {
              LockSupport.parkNanos(1_000_000L);
              long x = 1;
              while (!done && System.nanoTime() < deadline) {
                x = step(x);
              }
              sink = x;
            },
            "worker");
    worker.start();
    double[] waited = new double[CYCLES];
    for (int i = 0; i < CYCLES; i++) {
      long end = System.nanoTime() + PAUSE_NANOS;
      for (long left = PAUSE_NANOS; left > 0; left = end - System.nanoTime()) {
        LockSupport.parkNanos(left);
      }
      waited[i] = (System.nanoTime() - end) / 1e6;
    }
    done = true;
    worker.join();
    Arrays.sort(waited);
    System.out.printf("gil4j-metric gil_return_ms %.2f ms%n", waited[CYCLES / 2]);
    System.out.printf("gil4j-metric gil_return_max_ms %.2f ms%n", waited[CYCLES - 1]);
  }

  private static long step(long x) {
    return x * 6364136223846793005L + 1442695040888963407L;
  }
}

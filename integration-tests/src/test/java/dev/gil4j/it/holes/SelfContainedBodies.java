package dev.gil4j.it.holes;

import java.lang.management.ManagementFactory;

/**
 * Two threads whose bodies are each one self-contained arithmetic loop — no call, no field read —
 * started by {@code main}: a {@code Thread} subclass whose {@code run} is the loop, and a lambda
 * whose body is the loop. Such a body has no checkpoint until its loop ends, so a thread that took
 * the GIL only at its first checkpoint ran beside the holder. Under {@code gil=on} the process must
 * use about one core: {@code SelfContainedBodies ITERATIONS} prints {@code gil4j-metric cores}
 * (process CPU time over wall time while both threads run) and {@code wall_ms}.
 */
public final class SelfContainedBodies {
  private SelfContainedBodies() {}

  /** The loop inline in {@code run}: the method calls nothing and reads no field. */
  static final class Spinner extends Thread {
    private final long iterations;
    long result;

    Spinner(long iterations) {
      this.iterations = iterations;
    }

    @Override
    public void run() {
      long n = iterations;
      long x = 1;
      for (long i = 0; i < n; i++) {
        x = x * 6364136223846793005L + 1442695040888963407L;
      }
      result = x;
    }
  }

  public static void main(String[] args) throws InterruptedException {
    long iterations = Long.parseLong(args[0]);
    long[] sink = new long[1];
    var os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long cpu0 = os.getProcessCpuTime();
    long t0 = System.nanoTime();
    Spinner a = new Spinner(iterations);
    Thread b =
        new Thread(
            () -> {
              long x = 7;
              for (long i = 0; i < iterations; i++) {
                x = x * 6364136223846793005L + 1442695040888963407L;
              }
              sink[0] = x;
            });
    a.start();
    b.start();
    a.join();
    b.join();
    long wall = System.nanoTime() - t0;
    long cpu = os.getProcessCpuTime() - cpu0;
    System.out.println("results " + a.result + " " + sink[0]);
    System.out.printf("gil4j-metric cores %.3f%n", (double) cpu / wall);
    System.out.printf("gil4j-metric wall_ms %.1f ms%n", wall / 1e6);
  }
}

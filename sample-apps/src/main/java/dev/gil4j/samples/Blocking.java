package dev.gil4j.samples;

import java.net.ServerSocket;
import java.time.Duration;

/**
 * Threads that spend their time blocked overlap, GIL or not — the Java twin of CPython's {@code
 * io_scaling.py}.
 *
 * <p>Each of N threads does OPS blocking operations:
 *
 * <ul>
 *   <li>{@code sleep}: {@code Thread.sleep(10 ms)}, 50 times by default. The ideal is full overlap:
 *       {@code throughput_x} = N × OPS × 10 ms / wall time ≈ N.
 *   <li>{@code socket}: 1-byte round trips, 3000 by default, over real loopback TCP connections
 *       ({@code TCP_NODELAY}) to an echo server on threads of the same JVM. {@code throughput_x} is
 *       the round trips per second of N client threads over those of one client thread, measured
 *       first in the same run (after a short warm-up).
 * </ul>
 *
 * <p><b>Without gil4j</b>, sleepers overlap fully ({@code throughput_x} ≈ N) and socket round trips
 * scale until the CPUs are busy. <b>Under {@code -javaagent:gil4j-agent.jar}</b>, sleep overlaps
 * just as fully, because the GIL is released around every blocking call (CPython: 1.99x with 2
 * threads, 7.95x with 8). The socket mode scales less: every thread still needs the GIL between its
 * blocking calls, and so do the echo threads.
 *
 * <p>Usage: {@code Blocking [mode] [threads] [ops]} or {@code --mode sleep|socket --threads N --ops
 * N}; defaults sleep, 4 threads. Prints {@code wall_ms}, {@code threads}, {@code throughput_x}; the
 * socket mode also {@code round_trips_per_s} and {@code round_trips_per_s_one_thread}.
 */
public final class Blocking {
  private static final String USAGE =
      "Blocking [mode (sleep|socket, default sleep)] [threads (1..256, default 4)]"
          + " [ops (per thread, 1..1000000; default 50 for sleep, 3000 for socket)],"
          + " or --mode M --threads N --ops N";
  private static final long NAP_MS = 10;
  private static final int WARM_UP_ROUND_TRIPS = 3000;
  private static final Duration TIMEOUT = Duration.ofMinutes(2);

  private Blocking() {}

  public static void main(String[] argv) throws Exception {
    Args args = Args.parse("Blocking", USAGE, argv, "mode", "threads", "ops");
    String mode = args.choice("mode", "sleep", "sleep", "socket");
    int threads = args.intValue("threads", 4, 1, 256);
    int ops = args.intValue("ops", mode.equals("sleep") ? 50 : 3000, 1, 1_000_000);
    if (mode.equals("sleep")) {
      sleepers(threads, ops);
    } else {
      roundTrippers(threads, ops);
    }
  }

  private static void sleepers(int threads, int ops) throws InterruptedException {
    Workers workers = new Workers("Blocking");
    long start = System.nanoTime();
    for (int t = 0; t < threads; t++) {
      workers.start(
          "sleeper-" + t,
          () -> {
            for (int i = 0; i < ops; i++) {
              Thread.sleep(NAP_MS);
            }
          });
    }
    workers.joinAll(TIMEOUT);
    long end = System.nanoTime();
    double wallMs = Metrics.millis(start, end);
    double serialMs = (double) threads * ops * NAP_MS;
    System.out.printf(
        "Blocking: %d thread(s) x %d sleeps of %d ms took %.1f ms; serially %.0f ms: %.2fx%n",
        threads, ops, NAP_MS, wallMs, serialMs, serialMs / wallMs);
    Metrics.print("wall_ms", wallMs, "ms");
    Metrics.print("threads", threads, "count");
    Metrics.print("throughput_x", serialMs / wallMs, "x");
  }

  private static void roundTrippers(int threads, int ops) throws Exception {
    ServerSocket server = EchoServer.open(0);
    Workers serverThread = new Workers("Blocking");
    serverThread.start("echo-acceptor", () -> EchoServer.serve(server));
    try {
      int port = server.getLocalPort();
      clients(port, 1, WARM_UP_ROUND_TRIPS);
      long one = clients(port, 1, ops);
      long many = clients(port, threads, ops);
      double perSecondOne = ops * 1e9 / one;
      double perSecond = (double) threads * ops * 1e9 / many;
      System.out.printf(
          "Blocking: 1 thread: %.0f round trips/s; %d thread(s) x %d round trips took %.1f ms:"
              + " %.0f round trips/s, %.2fx%n",
          perSecondOne, threads, ops, many / 1e6, perSecond, perSecond / perSecondOne);
      Metrics.print("wall_ms", many / 1e6, "ms");
      Metrics.print("threads", threads, "count");
      Metrics.print("round_trips_per_s", perSecond, "1/s");
      Metrics.print("round_trips_per_s_one_thread", perSecondOne, "1/s");
      Metrics.print("throughput_x", perSecond / perSecondOne, "x");
    } finally {
      server.close();
    }
    serverThread.joinAll(TIMEOUT);
  }

  /** Runs {@code threads} clients doing {@code ops} round trips each; returns the wall nanos. */
  private static long clients(int port, int threads, int ops) throws InterruptedException {
    Workers workers = new Workers("Blocking");
    long start = System.nanoTime();
    for (int t = 0; t < threads; t++) {
      workers.start(
          "client-" + t,
          () -> {
            try (EchoClient client = EchoClient.connect(port)) {
              client.roundTrips(ops, Long.MAX_VALUE);
            }
          });
    }
    workers.joinAll(TIMEOUT);
    return System.nanoTime() - start;
  }
}

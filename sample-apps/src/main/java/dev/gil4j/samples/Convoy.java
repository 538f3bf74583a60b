package dev.gil4j.samples;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * The convoy effect (bpo-7946) — the Java twin of CPython's {@code convoy.py}: a thread doing
 * loopback request/response round trips with an echo server in another process, first alone, then
 * beside one CPU-bound thread.
 *
 * <p>The server is an {@link EchoServer} in a child JVM started without gil4j. Each round trip
 * sends one byte and reads the reply ({@code TCP_NODELAY}). Each phase ends after COUNT round trips
 * or TIME, whichever comes first; unmeasured rounds come before, until the JIT has gone quiet
 * ({@link WarmUp}: 0.5 s into a run, with the JIT busy, round trips ran 1.8x faster than 4 s in),
 * for at most three phases' time and 6 s. The CPU-bound thread spins on a loop that reads a
 * volatile stop flag and calls a method.
 *
 * <p><b>Without gil4j</b> the spinner takes a core of its own and the round trips hardly slow down
 * ({@code slowdown_x} near 1). <b>Under {@code -javaagent:gil4j-agent.jar}</b>, every blocking
 * socket call releases the GIL, the spinner takes it, and when the reply has arrived the I/O thread
 * waits up to a switch interval (5 ms by default) to get it back: the round trips slow down by an
 * order of magnitude or two (CPython 3.11 against its own server on an idle 2-core VM:
 * 14,800–16,000 round trips/s alone, 152–168/s beside the spinner, 88–105x slower).
 *
 * <p>With {@code --cpython-server convoy.py} the server is CPython's own, from that script, run by
 * {@code --python} (default {@code python3}): {@code fidelity} times this client and CPython's
 * against the same server, whose turn-around is no part of the GIL's convoy.
 *
 * <p>Usage: {@code Convoy [count] [time]} or {@code --count N --time D}; defaults 2000 round trips
 * and 2 s per phase. Prints {@code round_trips_per_s_alone}, {@code
 * round_trips_per_s_beside_cpu_thread} and {@code slowdown_x}.
 */
public final class Convoy {
  private static final String USAGE =
      "Convoy [count (round trips per phase, 1..1000000, default 2000)]"
          + " [time (per phase, 1ms..60s, default 2s)], or --count N --time D;"
          + " --cpython-server CONVOY_PY [--python PATH (default python3)] to echo with CPython's"
          + " server";
  private static final int WARM_UP_ROUND_TRIPS = 2000;
  private static final Duration WARM_UP_TIME = Duration.ofMillis(500);
  private static final Duration WARM_UP_LIMIT = Duration.ofSeconds(6);
  private static final Duration SPINNER_SETTLE = Duration.ofMillis(100);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

  private Convoy() {}

  /** A CPU-bound thread's loop: a volatile flag read and a method call per iteration. */
  private static final class Spinner {
    private final CountDownLatch running = new CountDownLatch(1);
    private volatile boolean stop;
    private long iterations;

    void spin() {
      running.countDown();
      long n = 0;
      while (!stop) {
        n = next(n);
      }
      iterations = n;
    }

    private static long next(long n) {
      return n + 1;
    }
  }

  public static void main(String[] argv) throws Exception {
    Args args = Args.parse("Convoy", USAGE, argv, "count", "time", "cpython-server", "python");
    int count = args.intValue("count", 2000, 1, 1_000_000);
    Duration time =
        args.duration("time", Duration.ofSeconds(2), Duration.ofMillis(1), Duration.ofSeconds(60));
    String script = args.text("cpython-server", null);
    args.requireWith("python", "cpython-server");
    String python = args.text("python", "python3");

    EchoServerProcess started;
    try {
      started =
          script == null
              ? EchoServerProcess.start(START_TIMEOUT)
              : EchoServerProcess.startCpython(python, Path.of(script), START_TIMEOUT);
    } catch (IOException e) {
      System.err.println("Convoy: cannot start the echo server: " + e.getMessage());
      System.exit(2);
      return;
    }
    try (EchoServerProcess server = started;
        EchoClient client = EchoClient.connect(server.port())) {
      Duration warmUpLimit = time.multipliedBy(3);
      if (warmUpLimit.compareTo(WARM_UP_LIMIT) > 0) {
        warmUpLimit = WARM_UP_LIMIT;
      }
      WarmUp.untilJitQuiet(
          "Convoy",
          warmUpLimit,
          () -> client.roundTrips(WARM_UP_ROUND_TRIPS, System.nanoTime() + WARM_UP_TIME.toNanos()));

      double alone = phase(client, count, time);

      Spinner spinner = new Spinner();
      Workers workers = new Workers("Convoy");
      workers.start("cpu-spinner", spinner::spin);
      double beside;
      try {
        spinner.running.await();
        // the spinner's JIT compilation would otherwise take CPU from the first measured round
        // trips
        Thread.sleep(SPINNER_SETTLE.toMillis());
        beside = phase(client, count, time);
      } finally {
        // a failed phase must not leave the spinner keeping the JVM alive
        spinner.stop = true;
      }
      workers.joinAll(Duration.ofSeconds(30));

      System.out.printf(
          "Convoy: echo server pid %d; round trips/s alone %.0f, beside a CPU-bound thread %.0f"
              + " (%,d spinner iterations): %.1fx slower%n",
          server.pid(), alone, beside, spinner.iterations, alone / beside);
      Metrics.print("round_trips_per_s_alone", alone, "1/s");
      Metrics.print("round_trips_per_s_beside_cpu_thread", beside, "1/s");
      Metrics.print("slowdown_x", alone / beside, "x");
    }
  }

  /** Round trips per second over at most {@code count} round trips or {@code time}. */
  private static double phase(EchoClient client, int count, Duration time) throws Exception {
    long start = System.nanoTime();
    int done = client.roundTrips(count, start + time.toNanos());
    return Metrics.perSecond(done, start, System.nanoTime());
  }
}

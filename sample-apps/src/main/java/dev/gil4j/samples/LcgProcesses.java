package dev.gil4j.samples;

import dev.gil4j.multiprocessing.Connection;
import dev.gil4j.multiprocessing.Pipe;
import dev.gil4j.multiprocessing.Process;
import java.io.IOException;
import java.time.Duration;

/**
 * {@link LcgChains}' job shared out over N child JVMs ({@link Process}), each sending its partial
 * sum back over a {@link Pipe} of its own: CPython's way around the GIL.
 *
 * <p>Starting a JVM costs far more than forking CPython (a few hundred ms, over a second when the
 * agent instruments it), so the children first warm the job's code and report that they are ready;
 * the computing time runs from the parent's "go" to the last partial sum, and the start-up is
 * measured apart. A child that dies or fails ends the program with exit status 1.
 */
final class LcgProcesses {
  private static final Duration TIME_LIMIT = Duration.ofMinutes(10);
  private static final long WARM_UP_CHAINS = 20_000;

  /**
   * What a run on processes measured.
   *
   * @param checksum the sum of the children's partial sums
   * @param startMs from the first start to the last child's "ready"
   * @param wallMs from "go" to the last partial sum
   * @param slowestComputeMs the slowest child's own computing time
   */
  record Result(long checksum, double startMs, double wallMs, double slowestComputeMs) {}

  private LcgProcesses() {}

  /** Runs {@code work} generator steps on {@code n} child JVMs. */
  static Result run(String program, int n, long work) throws IOException, InterruptedException {
    long chains = LcgChains.chains(work);
    long start = System.nanoTime();
    Process[] children = new Process[n];
    Connection[] parentEnds = new Connection[n];
    for (int p = 0; p < n; p++) {
      long from = chains * p / n;
      long to = chains * (p + 1) / n;
      Pipe pipe = Pipe.open();
      Connection childEnd = pipe.second();
      children[p] =
          new Process(
              () -> {
                new LcgChains().sumOfChains(0, WARM_UP_CHAINS, WARM_UP_CHAINS * LcgChains.CHAIN);
                childEnd.send("ready");
                childEnd.recv();
                long began = System.nanoTime();
                long sum = new LcgChains().sumOfChains(from, to, work);
                // a tuple: what a Connection sends is pickled, as in Python
                childEnd.send(new Object[] {sum, System.nanoTime() - began});
              });
      children[p].start();
      parentEnds[p] = pipe.first();
    }
    for (int p = 0; p < n; p++) {
      receive(program, children[p], parentEnds[p]);
    }
    double startMs = Metrics.millis(start, System.nanoTime());
    start = System.nanoTime();
    for (Connection c : parentEnds) {
      c.send("go");
    }
    long checksum = 0;
    long slowestComputeNanos = 0;
    for (int p = 0; p < n; p++) {
      Object[] result = (Object[]) receive(program, children[p], parentEnds[p]);
      checksum += ((Number) result[0]).longValue();
      slowestComputeNanos = Math.max(slowestComputeNanos, ((Number) result[1]).longValue());
    }
    double wallMs = Metrics.millis(start, System.nanoTime());
    for (Process child : children) {
      if (!child.join(TIME_LIMIT.toSeconds()) || child.exitCode() != 0) {
        fail(program, child + " did not end well");
      }
    }
    return new Result(checksum, startMs, wallMs, slowestComputeNanos / 1e6);
  }

  /** The next message from a child; a child that died first ends the program with status 1. */
  private static Object receive(String program, Process child, Connection connection) {
    try {
      return connection.recv();
    } catch (IOException e) {
      child.kill();
      fail(program, child + " did not answer: " + e);
      return null;
    }
  }

  static void fail(String program, String problem) {
    System.err.println(program + ": " + problem);
    System.exit(1);
  }
}

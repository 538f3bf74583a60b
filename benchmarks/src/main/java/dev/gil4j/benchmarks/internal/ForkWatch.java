package dev.gil4j.benchmarks.internal;

import dev.gil4j.testkit.ThreadDumps;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Gives every JVM that JMH forks from this one a hard time limit: a fork still alive after {@code
 * limit} has its threads dumped and is killed (see {@link ThreadDumps#dumpAndKill}). JMH then
 * reports the benchmark as failed and goes on with the next one.
 */
public final class ForkWatch implements AutoCloseable {
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "fork-watch");
            t.setDaemon(true);
            return t;
          });

  /** Starts watching; dumps go to {@code dumps}, one file per killed fork. */
  public ForkWatch(Duration limit, Path dumps) {
    timer.scheduleWithFixedDelay(
        () ->
            ProcessHandle.current()
                .children()
                .filter(ProcessHandle::isAlive)
                .filter(
                    p ->
                        p.info()
                            .startInstant()
                            .map(start -> start.plus(limit).isBefore(Instant.now()))
                            .orElse(false))
                .forEach(
                    p ->
                        ThreadDumps.dumpAndKill(
                            p, dumps.resolve("fork-" + p.pid() + ".dump"), limit)),
        1,
        1,
        TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}

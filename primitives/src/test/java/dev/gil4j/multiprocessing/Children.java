package dev.gil4j.multiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.gil4j.testkit.Jdk;
import dev.gil4j.testkit.ThreadDumps;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Hard time limits for tests that start child JVMs: a child that overstays has its threads dumped
 * ({@code jcmd <pid> Thread.print}, by the testkit's {@link ThreadDumps}) on stderr, then is
 * killed, and the test fails.
 */
final class Children {
  private Children() {}

  /**
   * Fails a test that leaves a child running, after dumping and killing it: a test class's
   * {@code @ExtendWith(Children.NoneLeftBehind.class)}.
   */
  static final class NoneLeftBehind implements AfterEachCallback {
    @Override
    public void afterEach(ExtensionContext context) throws InterruptedException {
      List<Process> left = Process.activeChildren();
      dumpAndKill(left);
      assertEquals(List.of(), left, "children still running after the test");
    }
  }

  /** Something a test runs under a time limit. */
  @FunctionalInterface
  interface Body {
    void run() throws Exception;
  }

  /** Waits for {@code p} to end, at most {@code limit}. */
  static void awaitEnd(Process p, Duration limit) throws InterruptedException {
    if (!p.join(limit.toMillis() / 1000.0)) {
      dumpAndKill(List.of(p));
      fail(p + " did not end within " + limit);
    }
  }

  /**
   * Runs {@code body} on another thread, at most {@code limit}; past it, dumps and kills every
   * child still running and fails. Exceptions from {@code body} are rethrown.
   */
  static void within(Duration limit, Body body) throws Exception {
    ExecutorService executor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "test-body");
              t.setDaemon(true);
              return t;
            });
    try {
      Future<?> f =
          executor.submit(
              () -> {
                body.run();
                return null;
              });
      try {
        f.get(limit.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        dumpAndKill(Process.activeChildren());
        f.cancel(true);
        fail("test body did not finish within " + limit);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof Exception ex) {
          throw ex;
        }
        throw (Error) e.getCause();
      }
    } finally {
      executor.shutdownNow();
    }
  }

  /** Dumps the threads of each of {@code processes} still alive, then kills it. */
  static void dumpAndKill(List<Process> processes) throws InterruptedException {
    for (Process p : processes) {
      if (p.isAlive()) {
        System.err.println("=== threads of " + p + " ===");
        System.err.println(
            ProcessHandle.of(p.pid())
                .map(h -> ThreadDumps.take(h, Jdk.current()))
                .orElse("(it has just ended)"));
        p.kill();
        p.join(10);
      }
    }
  }
}

package dev.gil4j.multiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link Pool#map} on real worker JVMs: order, spread, failures, and worker deaths. */
class PoolTest {
  private static final Duration LIMIT = Duration.ofSeconds(60);

  @AfterEach
  void noChildLeftBehind() throws InterruptedException {
    List<Process> left = Process.activeChildren();
    Children.dumpAndKill(left);
    assertEquals(List.of(), left, "children still running after the test");
  }

  @Test
  void mapReturnsResultsInOrderAndPropagatesFailures() throws Exception {
    Children.within(
        LIMIT,
        () -> {
          try (Pool pool = new Pool(2)) {
            List<Integer> items = IntStream.range(0, 100).boxed().toList();
            assertEquals(items.stream().map(x -> x * x).toList(), pool.map(x -> x * x, items));
            List<Long> pids = pool.map(x -> ProcessHandle.current().pid(), items, 1);
            assertEquals(2, new HashSet<>(pids).size(), "both workers took chunks");
            assertEquals(List.of(), pool.map(x -> x, List.<Integer>of()));

            ExecutionException e =
                assertThrows(
                    ExecutionException.class,
                    () ->
                        pool.map(
                            x -> {
                              if (x == 13) {
                                throw new IllegalArgumentException("bad item " + x);
                              }
                              return x;
                            },
                            items));
            assertTrue(e.getCause() instanceof IllegalArgumentException, e.toString());
            assertEquals("bad item 13", e.getCause().getMessage());

            ExecutionException unsendable =
                assertThrows(
                    ExecutionException.class, () -> pool.map(x -> new Object(), List.of(1)));
            assertTrue(
                unsendable.getCause().getMessage().startsWith("Error sending result: "),
                unsendable.getCause().getMessage());

            assertEquals(List.of(2, 4), pool.map(x -> 2 * x, List.of(1, 2)), "usable after");
          }
          assertEquals(List.of(), Process.activeChildren(), "close() waited for the workers");
        });
  }

  @Test
  void aWorkerThatDiesFailsTheMapAndIsReplaced() throws Exception {
    Children.within(
        LIMIT,
        () -> {
          Pool pool = new Pool(1);
          try {
            ExecutionException e =
                assertThrows(
                    ExecutionException.class,
                    () ->
                        pool.map(
                            x -> {
                              Runtime.getRuntime().halt(3);
                              return x;
                            },
                            List.of(1)));
            assertTrue(e.getCause() instanceof IOException, e.toString());
            assertTrue(
                e.getCause().getMessage().contains("ended with exit code 3"),
                e.getCause().getMessage());
            assertEquals(List.of(10, 20), pool.map(x -> 10 * x, List.of(1, 2)));
          } finally {
            pool.terminate();
          }
          assertThrows(IllegalStateException.class, () -> pool.map(x -> x, List.of(1)));
          assertThrows(IllegalArgumentException.class, () -> new Pool(0));
        });
  }
}

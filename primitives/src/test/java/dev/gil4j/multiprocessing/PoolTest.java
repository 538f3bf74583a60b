package dev.gil4j.multiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.NotSerializableException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link Pool} on real worker JVMs: every call Python has, order, failures re-raised as themselves,
 * worker deaths, and the ways a pool ends.
 */
@ExtendWith(Children.NoneLeftBehind.class)
class PoolTest {
  private static final Duration LIMIT = Duration.ofSeconds(90);

  /** Fails with {@code IllegalArgumentException("bad item 13")} for 13, else returns the item. */
  private static Integer failOn13(Integer x) {
    if (x == 13) {
      throw new IllegalArgumentException("bad item " + x);
    }
    return x;
  }

  @Test
  void everyCallGivesPythonsResultsInPythonsOrder() throws Exception {
    Children.within(
        LIMIT,
        () -> {
          try (Pool pool = new Pool(2)) {
            List<Integer> items = IntStream.range(0, 100).boxed().toList();
            List<Integer> squares = items.stream().map(x -> x * x).toList();
            assertEquals(squares, pool.map(x -> x * x, items));
            List<Long> pids = pool.map(x -> ProcessHandle.current().pid(), items, 1);
            assertEquals(2, new HashSet<>(pids).size(), "both workers took chunks");
            assertEquals(List.of(), pool.map(x -> x, List.<Integer>of()));

            int a = 6;
            int b = 7;
            assertEquals(42, pool.apply(() -> a * b));
            assertEquals(
                List.of(2, 12),
                pool.starmap(
                    args -> (int) args[0] * (int) args[1],
                    List.of(new Object[] {1, 2}, new Object[] {3, 4})));

            Pool.AsyncResult<List<Integer>> async = pool.mapAsync(x -> x * x, items);
            assertEquals(squares, async.get(60));
            assertTrue(async.ready());
            assertTrue(async.successful());

            // Later items finish first; imap still yields in order, imap_unordered as they finish.
            Pool.Function<Integer, Integer> slowFirst =
                x -> {
                  Thread.sleep(x == 0 ? 1500 : 0);
                  return x;
                };
            Pool.MapIterator<Integer> ordered = pool.imap(slowFirst, List.of(0, 1, 2, 3));
            List<Integer> inOrder = new ArrayList<>();
            while (ordered.hasNext()) {
              inOrder.add(ordered.next());
            }
            assertEquals(List.of(0, 1, 2, 3), inOrder);
            assertThrows(NoSuchElementException.class, ordered::next);

            Pool.MapIterator<Integer> unordered =
                pool.imapUnordered(slowFirst, List.of(0, 1, 2, 3));
            List<Integer> asDone = new ArrayList<>();
            while (unordered.hasNext()) {
              asDone.add(unordered.next(60));
            }
            assertEquals(3, asDone.indexOf(0), "the slow item came last: " + asDone);
            assertEquals(List.of(0, 1, 2, 3), asDone.stream().sorted().toList());

            Pool.MapIterator<Integer> chunked = pool.imap(x -> x + 1, items, 7);
            for (int i = 0; i < items.size(); i++) {
              assertEquals(i + 1, chunked.next());
            }
            assertFalse(chunked.hasNext());
          }
          assertEquals(List.of(), Process.activeChildren(), "close() waited for the workers");
        });
  }

  @Test
  void aWorkersExceptionIsThrownAsItself() throws Exception {
    Children.within(
        LIMIT,
        () -> {
          try (Pool pool = new Pool(2)) {
            List<Integer> items = IntStream.range(0, 100).boxed().toList();
            IllegalArgumentException e =
                assertThrows(
                    IllegalArgumentException.class, () -> pool.map(PoolTest::failOn13, items));
            assertEquals("bad item 13", e.getMessage());
            assertTrue(
                e.getStackTrace()[0].getMethodName().equals("failOn13"),
                "the worker's stack trace travels with it");

            IOException checked =
                assertThrows(
                    IOException.class,
                    () ->
                        pool.apply(
                            () -> {
                              throw new IOException("checked, from the worker");
                            }));
            assertEquals("checked, from the worker", checked.getMessage());

            Pool.MapIterator<Integer> it = pool.imap(PoolTest::failOn13, List.of(12, 13, 14));
            assertEquals(12, it.next());
            assertThrows(IllegalArgumentException.class, it::next);
            assertEquals(14, it.next(), "the items after a failure go on");

            CompletableFuture<Object> called = new CompletableFuture<>();
            CompletableFuture<Throwable> errored = new CompletableFuture<>();
            Pool.AsyncResult<Integer> ok = pool.applyAsync(() -> 5, called::complete, null);
            Pool.AsyncResult<Integer> bad =
                pool.applyAsync(() -> failOn13(13), null, errored::complete);
            assertEquals(5, called.get(60, TimeUnit.SECONDS));
            assertEquals("bad item 13", errored.get(60, TimeUnit.SECONDS).getMessage());
            assertEquals(5, ok.get());
            assertThrows(IllegalArgumentException.class, bad::get);
            assertFalse(bad.successful());

            Pool.AsyncResult<Integer> slow =
                pool.applyAsync(
                    () -> {
                      Thread.sleep(2000);
                      return 1;
                    });
            assertThrows(IllegalStateException.class, slow::successful);
            assertThrows(TimeoutException.class, () -> slow.get(0.05));
            assertFalse(slow.await(0.05));
            assertEquals(1, slow.get());

            IOException unsendable =
                assertThrows(IOException.class, () -> pool.map(x -> new Object(), List.of(1)));
            assertTrue(
                unsendable.getMessage().startsWith("Error sending result: "),
                unsendable.getMessage());
            Object local = new Object();
            assertThrows(
                NotSerializableException.class,
                () -> pool.applyAsync(() -> local.hashCode()),
                "a function that cannot travel fails the call itself");

            assertEquals(List.of(2, 4), pool.map(x -> 2 * x, List.of(1, 2)), "usable after");
          }
        });
  }

  @Test
  void aWorkerThatDiesFailsItsChunkAndIsReplaced() throws Exception {
    Children.within(
        LIMIT,
        () -> {
          Pool pool = new Pool(1);
          try {
            IOException e =
                assertThrows(
                    IOException.class,
                    () ->
                        pool.map(
                            x -> {
                              Runtime.getRuntime().halt(3);
                              return x;
                            },
                            List.of(1)));
            assertTrue(e.getMessage().contains("ended with exit code 3"), e.getMessage());
            assertEquals(List.of(10, 20), pool.map(x -> 10 * x, List.of(1, 2)));
          } finally {
            pool.terminate();
            pool.join();
          }
          assertThrows(IllegalStateException.class, () -> pool.map(x -> x, List.of(1)));
          assertThrows(IllegalArgumentException.class, () -> new Pool(0));
        });
  }

  @Test
  void stopLetsQueuedWorkFinishAndTerminateCancelsIt() throws Exception {
    Children.within(
        LIMIT,
        () -> {
          Pool closing = new Pool(1);
          assertEquals(
              "Pool is still running",
              assertThrows(IllegalStateException.class, closing::join).getMessage());
          Pool.AsyncResult<Integer> queued =
              closing.applyAsync(
                  () -> {
                    Thread.sleep(300);
                    return 9;
                  });
          closing.stop();
          assertEquals(
              "Pool not running",
              assertThrows(IllegalStateException.class, () -> closing.apply(() -> 1)).getMessage());
          closing.join();
          assertEquals(9, queued.get(0), "work queued before stop() ran");

          Pool terminated = new Pool(1);
          Pool.AsyncResult<Integer> cut =
              terminated.applyAsync(
                  () -> {
                    Thread.sleep(60_000);
                    return 0;
                  });
          terminated.terminate();
          terminated.join();
          assertThrows(CancellationException.class, cut::get);
        });
  }
}

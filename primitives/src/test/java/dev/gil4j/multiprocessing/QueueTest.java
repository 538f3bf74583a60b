package dev.gil4j.multiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.NotSerializableException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link Queue} in one process and between a parent and its child JVMs. */
@ExtendWith(Children.NoneLeftBehind.class)
class QueueTest {
  private static final Duration LIMIT = Duration.ofSeconds(40);

  @Test
  void itemsComeOutInOrderAndCopied() throws Exception {
    Queue<Object> q = new Queue<>();
    List<Integer> list = new ArrayList<>(List.of(1));
    q.put(list);
    list.add(2);
    q.put(null);
    q.put("three");
    assertEquals(3, q.qsize());
    assertEquals(List.of(1), q.get(), "the item as it was when put");
    assertNull(q.get());
    assertEquals("three", q.getNowait());
    assertTrue(q.empty());
    assertThrows(NotSerializableException.class, () -> q.put(new Object()));
  }

  @Test
  void timedGetThrowsEmptyAfterItsTimeoutAndPutThrowsFullWhenFull() throws Exception {
    Queue<Integer> q = new Queue<>(2);
    long start = System.nanoTime();
    assertThrows(Queue.Empty.class, () -> q.get(0.1));
    assertTrue(System.nanoTime() - start >= 90_000_000L);
    assertThrows(Queue.Empty.class, q::getNowait);
    q.put(1);
    q.put(2, 1);
    assertTrue(q.full());
    assertThrows(Queue.Full.class, () -> q.putNowait(3));
    assertThrows(Queue.Full.class, () -> q.put(3, 0.05));
    assertEquals(1, q.get(1));
  }

  @Test
  void aClosedQueueCannotBeUsedHere() throws IOException {
    Queue<Integer> q = new Queue<>();
    q.close();
    assertEquals(
        "Queue is closed", assertThrows(IllegalStateException.class, () -> q.put(1)).getMessage());
    assertThrows(IllegalStateException.class, q::get);
  }

  @Test
  void childrenTakeWorkFromOneQueueAndPutResultsOnAnother() throws Exception {
    Children.within(
        LIMIT,
        () -> {
          Queue<Integer> work = new Queue<>();
          Queue<int[]> results = new Queue<>(5);
          Queue<Integer> nothing = new Queue<>();
          List<Process> workers = new ArrayList<>();
          for (int w = 0; w < 2; w++) {
            int id = w;
            Process p =
                new Process(
                    () -> {
                      int seq = 0;
                      while (true) {
                        Integer n = work.get();
                        if (n == null) {
                          break;
                        }
                        results.put(new int[] {id, seq++, n * n});
                      }
                      try {
                        nothing.get(0.2);
                        results.put(new int[] {id, -1, -1});
                      } catch (Queue.Empty e) {
                        results.put(new int[] {id, -2, 0});
                      }
                    });
            p.start();
            workers.add(p);
          }
          for (int n = 0; n < 100; n++) {
            work.put(n);
          }
          work.put(null);
          work.put(null);
          long sum = 0;
          Map<Integer, Integer> nextSeq = new HashMap<>(Map.of(0, 0, 1, 0));
          int emptyReports = 0;
          for (int i = 0; i < 102; i++) {
            int[] r = results.get(30);
            if (r[1] == -2) {
              emptyReports++;
              continue;
            }
            assertEquals(nextSeq.get(r[0]), r[1], "one putter's items stay in order");
            nextSeq.put(r[0], r[1] + 1);
            sum += r[2];
          }
          assertEquals(328_350, sum, "the squares of 0..99, each once");
          assertEquals(2, emptyReports, "each child's timed get on an empty queue raised Empty");
          for (Process p : workers) {
            Children.awaitEnd(p, LIMIT);
            assertEquals(0, p.exitCode());
          }
          assertFalse(results.full());
        });
  }

  @Test
  void joinWaitsUntilEveryItemPutAnywhereIsDone() throws Exception {
    Children.within(
        LIMIT,
        () -> {
          JoinableQueue<Integer> q = new JoinableQueue<>();
          Queue<Integer> seen = new Queue<>();
          Process p =
              new Process(
                  () -> {
                    q.put(100);
                    for (int i = 0; i < 4; i++) {
                      Integer n = q.get();
                      Thread.sleep(50);
                      seen.put(n);
                      q.taskDone();
                    }
                    q.join();
                  });
          for (int i = 0; i < 3; i++) {
            q.put(i);
          }
          p.start();
          q.join();
          assertEquals(4, seen.qsize(), "join returned only after the fourth taskDone");
          assertEquals(
              "task_done() called too many times",
              assertThrows(IllegalArgumentException.class, q::taskDone).getMessage());
          Children.awaitEnd(p, LIMIT);
          assertEquals(0, p.exitCode(), "the child's join returned too");
        });
  }

  @Test
  void aChildsExtraTaskDoneIsRefused() throws Exception {
    Children.within(
        LIMIT,
        () -> {
          JoinableQueue<Integer> q = new JoinableQueue<>();
          SimpleQueue<String> answer = new SimpleQueue<>();
          Process p =
              new Process(
                  () -> {
                    try {
                      q.taskDone();
                      answer.put("accepted");
                    } catch (IllegalArgumentException e) {
                      answer.put(e.getMessage());
                    }
                  });
          p.start();
          assertEquals("task_done() called too many times", answer.get());
          assertTrue(answer.empty());
          Children.awaitEnd(p, LIMIT);
        });
  }
}

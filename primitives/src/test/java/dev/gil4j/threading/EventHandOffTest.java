package dev.gil4j.threading;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@link Event#set} wakes the waiters present when it runs, as CPython's does, and never a waiter
 * that queued after a later {@link Event#clear}: such a waiter would return {@code true} with the
 * flag clear. Found by the benchmarks' hand-off through two events, where it happened in about half
 * the rounds and one thread then ran ahead while the other waited forever.
 */
class EventHandOffTest {
  private static final int ROUNDS = 20_000;

  @Test
  void aTurnPassedBackAndForthThroughTwoEventsIsNeverSeenEarly() throws Exception {
    Event[] turn = {new Event(), new Event()};
    AtomicInteger early = new AtomicInteger();
    AtomicInteger lost = new AtomicInteger();
    Thread[] players = new Thread[2];
    for (int p = 0; p < 2; p++) {
      int me = p;
      players[p] =
          new Thread(
              () -> {
                for (int r = 0; r < ROUNDS; r++) {
                  if (me == 0) {
                    turn[1].set();
                  }
                  if (!turn[me].await(10.0)) {
                    lost.incrementAndGet();
                    return;
                  }
                  if (!turn[me].isSet()) {
                    early.incrementAndGet();
                  }
                  turn[me].clear();
                  if (me == 1) {
                    turn[0].set();
                  }
                }
              },
              "player-" + p);
      players[p].start();
    }
    for (Thread t : players) {
      t.join(60_000);
      assertFalse(t.isAlive(), t.getName() + " still waiting after 60 s");
    }
    assertEquals(0, lost.get(), "a wait that was never woken");
    assertEquals(0, early.get(), "waits that returned with the flag clear");
  }
}

package dev.gil4j.benchmarks;

import dev.gil4j.benchmarks.internal.Figure;
import dev.gil4j.multiprocessing.Barrier;
import dev.gil4j.multiprocessing.Condition;
import dev.gil4j.multiprocessing.Lock;
import dev.gil4j.multiprocessing.Process;
import dev.gil4j.multiprocessing.Queue;
import dev.gil4j.multiprocessing.Semaphore;
import dev.gil4j.multiprocessing.Value;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What gil4j's cross-process {@link Lock}, {@link Condition}, {@link Barrier} and {@link Value}
 * cost, beside CPython's {@code multiprocessing} ones ({@code benchmarks/sync_bench.py} measures
 * the same seven figures there).
 *
 * <ul>
 *   <li><b>owner, uncontended</b>: acquire + release in the process that created the lock, ns;
 *   <li><b>child, uncontended</b>: acquire + release in a child process, µs (two round trips to the
 *       creating process's sync server; CPython's is a semaphore in shared memory);
 *   <li><b>hand-off</b>: a parent and a child pass a turn back and forth through two {@link
 *       Semaphore}s of value 0, one hand-off being half a round, µs;
 *   <li><b>contended</b>: the parent and a child each acquire and release the same lock in a loop
 *       for {@code --ms}; acquisitions per second of both together;
 *   <li><b>value increment, child</b>: {@code with v.get_lock(): v.value += 1} on a {@link Value}
 *       of type {@code 'i'} in a child, µs (one round trip to take the lock, one to release it; the
 *       value itself is shared memory);
 *   <li><b>condition round trip</b>: the parent sets a turn (a raw {@link Value}) and notifies; the
 *       child, in {@code wait_for}, takes it, gives it back and notifies; the parent's {@code
 *       wait_for} returns; µs per round trip;
 *   <li><b>barrier round</b>: parent and child meet at a {@link Barrier} of two parties, µs per
 *       round.
 * </ul>
 *
 * <p>Each figure is the median of {@code --batches} batches. Prints {@code gil4j-metric sync_<name>
 * <value> <unit>}. Run: {@code java -cp benchmarks/target/gil4j-benchmarks.jar
 * dev.gil4j.benchmarks.SharedLockCost [--batches N] [--ms MS]}, beside {@code python3
 * benchmarks/sync_bench.py}.
 */
public final class SharedLockCost {
  /** Round trips of the condition and rounds of the barrier per batch. */
  private static final int CONDITION_ROUNDS = 500;

  private SharedLockCost() {}

  public static void main(String[] args) throws Exception {
    int batches = 5;
    int ms = 1000;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--batches" -> batches = Integer.parseInt(args[i + 1]);
        case "--ms" -> ms = Integer.parseInt(args[i + 1]);
        default -> {
          System.err.println(
              "SharedLockCost: unknown option " + args[i] + "; accepted: --batches N, --ms MS");
          System.exit(2);
        }
      }
    }
    Lock lock = new Lock();
    List<Double> owner = new ArrayList<>();
    for (int b = 0; b < batches; b++) {
      int n = 2_000_000;
      long t = System.nanoTime();
      for (int i = 0; i < n; i++) {
        lock.acquire();
        lock.release();
      }
      owner.add((System.nanoTime() - t) / (double) n);
    }
    metric("owner_uncontended_ns", Figure.median(owner), "ns");

    Value value = new Value('i', 0);
    Value turn = new Value('i', 0, false);
    Condition cond = new Condition();
    Barrier barrier = new Barrier(2);
    Semaphore ping = new Semaphore(0);
    Semaphore pong = new Semaphore(0);
    Queue<Double> out = new Queue<>();
    int rounds = 2000;
    int nb = batches;
    int duration = ms;
    Process child =
        new Process(
            () -> {
              List<Double> unc = new ArrayList<>();
              for (int b = 0; b < nb; b++) {
                int n = 2000;
                long t = System.nanoTime();
                for (int i = 0; i < n; i++) {
                  lock.acquire();
                  lock.release();
                }
                unc.add((System.nanoTime() - t) / 1e3 / n);
              }
              out.put(Figure.median(unc));
              for (int b = 0; b < nb * rounds; b++) {
                ping.acquire();
                pong.release();
              }
              long count = 0;
              long end = System.nanoTime() + duration * 1_000_000L;
              while (System.nanoTime() < end) {
                lock.acquire();
                lock.release();
                count++;
              }
              out.put((double) count);
              List<Double> inc = new ArrayList<>();
              for (int b = 0; b < nb; b++) {
                int n = 2000;
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                  value.getLock().acquire();
                  try {
                    value.set(value.getLong() + 1);
                  } finally {
                    value.getLock().release();
                  }
                }
                inc.add((System.nanoTime() - t0) / 1e3 / n);
              }
              out.put(Figure.median(inc));
              for (int i = 0; i < nb * CONDITION_ROUNDS; i++) {
                cond.acquire();
                try {
                  cond.awaitFor(() -> is(turn, 1));
                  turn.set(0);
                  cond.signal();
                } finally {
                  cond.release();
                }
              }
              for (int i = 0; i < nb * CONDITION_ROUNDS; i++) {
                barrier.await();
              }
            });
    child.start();
    metric("child_uncontended_us", out.get(600), "us");
    List<Double> handoff = new ArrayList<>();
    for (int b = 0; b < batches; b++) {
      long t = System.nanoTime();
      for (int i = 0; i < rounds; i++) {
        ping.release();
        pong.acquire();
      }
      handoff.add((System.nanoTime() - t) / 1e3 / rounds / 2);
    }
    metric("handoff_us", Figure.median(handoff), "us");
    long count = 0;
    long t = System.nanoTime();
    long end = t + ms * 1_000_000L;
    while (System.nanoTime() < end) {
      lock.acquire();
      lock.release();
      count++;
    }
    double theirs = out.get(600);
    metric("contended_per_s", (count + theirs) / ((System.nanoTime() - t) / 1e9), "1/s");
    metric("value_increment_child_us", out.get(600), "us");
    List<Double> condition = new ArrayList<>();
    for (int b = 0; b < batches; b++) {
      long t0 = System.nanoTime();
      for (int i = 0; i < CONDITION_ROUNDS; i++) {
        cond.acquire();
        try {
          turn.set(1);
          cond.signal();
          cond.awaitFor(() -> is(turn, 0));
        } finally {
          cond.release();
        }
      }
      condition.add((System.nanoTime() - t0) / 1e3 / CONDITION_ROUNDS);
    }
    metric("condition_round_trip_us", Figure.median(condition), "us");
    List<Double> rounds2 = new ArrayList<>();
    for (int b = 0; b < batches; b++) {
      long t0 = System.nanoTime();
      for (int i = 0; i < CONDITION_ROUNDS; i++) {
        barrier.await();
      }
      rounds2.add((System.nanoTime() - t0) / 1e3 / CONDITION_ROUNDS);
    }
    metric("barrier_round_us", Figure.median(rounds2), "us");
    child.join();
  }

  /** A raw value's read, which takes no lock and so cannot fail. */
  private static boolean is(Value v, long expected) {
    try {
      return v.getLong() == expected;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void metric(String name, double value, String unit) throws IOException {
    System.out.printf(Locale.ROOT, "gil4j-metric sync_%s %.3f %s%n", name, value, unit);
  }
}

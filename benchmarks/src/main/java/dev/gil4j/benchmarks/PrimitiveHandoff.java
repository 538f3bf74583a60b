package dev.gil4j.benchmarks;

import dev.gil4j.benchmarks.internal.Args;
import dev.gil4j.benchmarks.internal.Rally;
import dev.gil4j.benchmarks.internal.Rally.Court;
import dev.gil4j.threading.Acquirable;
import dev.gil4j.threading.Event;
import dev.gil4j.threading.Lock;
import dev.gil4j.threading.RLock;
import dev.gil4j.threading.Semaphore;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;

/**
 * Contended hand-off: how long it takes one thread to wake another through each of Python's
 * primitives in {@code dev.gil4j.threading}, beside the {@code java.util.concurrent} class a Java
 * programmer would use, and beside CPython's {@code threading} ({@code
 * benchmarks/threading_bench.py} plays the same games).
 *
 * <p>Two threads alternate strictly, each blocking until the other hands over, so every hand-off is
 * a wake-up of a blocked thread (a {@link Rally}):
 *
 * <ul>
 *   <li>{@code lock}, {@code rlock}, {@code juc-lock} ({@code Lock}, {@code RLock}, {@code
 *       ReentrantLock}): a chain of three locks, in which every lock is released by the thread that
 *       acquired it, so it works for owned locks too. The thread whose turn it is holds two; the
 *       other holds one and waits for one of those two. A turn ends by releasing the lock the other
 *       waits for and then acquiring the one the other holds: the first thread starts holding 0 and
 *       1, and at step {@code i} releases {@code i % 3} and acquires {@code (i + 2) % 3}; the
 *       second starts holding 2, and at step {@code i} acquires {@code i % 3} and releases {@code
 *       (i + 2) % 3}. A lock released is always the one the other thread waits for, so the two
 *       cannot run ahead of each other. (Both take their first locks before either starts: a {@code
 *       Lock} has no owner, so a chain out of phase would run on without ever waiting.)
 *   <li>{@code semaphore}, {@code juc-semaphore}: two semaphores of no permits as signals, one per
 *       direction: release the other's, acquire one's own.
 *   <li>{@code event}: two events, one per direction: set the other's, wait for one's own, clear
 *       it. {@code juc-event}: a volatile flag with {@code LockSupport.park}/{@code unpark}, which
 *       is what an event is made of ({@link PingPong}'s {@code wake}).
 * </ul>
 *
 * <p>Prints, per variant, {@code gil4j-metric handoff_<variant>_us <median> us}: the median batch's
 * time per hand-off (half a round trip). Under the agent with {@code gil=on}, each hand-off is also
 * a GIL hand-off, as in CPython. Run: {@code bash benchmarks/run.sh threading}, or alone {@code
 * java [-javaagent:agent/target/gil4j-agent.jar] -cp benchmarks/target/gil4j-benchmarks.jar
 * dev.gil4j.benchmarks.PrimitiveHandoff [--batches N] [--batch-ms MS] [--variants lock,rlock,...]}.
 */
public final class PrimitiveHandoff {
  static final List<String> VARIANTS =
      List.of("lock", "rlock", "semaphore", "event", "juc-lock", "juc-semaphore", "juc-event");

  /** Three locks passed around so that two threads alternate strictly (see the class comment). */
  private static final class Chain implements Court {
    private final IntConsumer acquire;
    private final IntConsumer release;
    private final CountDownLatch pingHolds = new CountDownLatch(1);
    private final CountDownLatch pongHolds = new CountDownLatch(1);

    Chain(IntConsumer acquire, IntConsumer release) {
      this.acquire = acquire;
      this.release = release;
    }

    static Chain of(Acquirable[] locks) {
      return new Chain(i -> locks[i].acquire(), i -> locks[i].release());
    }

    static Chain of(ReentrantLock[] locks) {
      return new Chain(i -> locks[i].lock(), i -> locks[i].unlock());
    }

    @Override
    public void ping(int rounds) throws InterruptedException {
      acquire.accept(0);
      acquire.accept(1);
      pingHolds.countDown();
      pongHolds.await();
      for (int i = 0; i < rounds; i++) {
        release.accept(i % 3);
        acquire.accept((i + 2) % 3);
      }
      release.accept(rounds % 3);
      release.accept((rounds + 1) % 3);
    }

    @Override
    public void pong(int rounds) throws InterruptedException {
      pingHolds.await();
      acquire.accept(2);
      pongHolds.countDown();
      for (int i = 0; i < rounds; i++) {
        acquire.accept(i % 3);
        release.accept((i + 2) % 3);
      }
      release.accept((rounds + 2) % 3);
    }
  }

  /** A one-way wake-up: {@code give} lets one {@code take} through. */
  private interface Signal {
    void give();

    void take() throws InterruptedException;
  }

  /** One signal per direction. */
  private static final class Signals implements Court {
    private final Signal toPong;
    private final Signal toPing;

    Signals(Signal toPong, Signal toPing) {
      this.toPong = toPong;
      this.toPing = toPing;
    }

    @Override
    public void ping(int rounds) throws InterruptedException {
      for (int i = 0; i < rounds; i++) {
        toPong.give();
        toPing.take();
      }
    }

    @Override
    public void pong(int rounds) throws InterruptedException {
      for (int i = 0; i < rounds; i++) {
        toPong.take();
        toPing.give();
      }
    }
  }

  private static Signal semaphore() {
    Semaphore s = new Semaphore(0);
    return new Signal() {
      @Override
      public void give() {
        s.release();
      }

      @Override
      public void take() {
        s.acquire();
      }
    };
  }

  private static Signal jucSemaphore() {
    java.util.concurrent.Semaphore s = new java.util.concurrent.Semaphore(0);
    return new Signal() {
      @Override
      public void give() {
        s.release();
      }

      @Override
      public void take() throws InterruptedException {
        s.acquire();
      }
    };
  }

  /**
   * Set by the giver; the taker waits for it and clears it before it gives in turn. The taker waits
   * until it sees the flag set, as {@code threading_bench.py} does: an {@code await} that returns
   * with the flag still clear (a wake-up meant for an earlier round) waits again instead of running
   * ahead.
   */
  private static Signal event() {
    Event e = new Event();
    return new Signal() {
      @Override
      public void give() {
        e.set();
      }

      @Override
      public void take() {
        while (!e.isSet()) {
          e.await();
        }
        e.clear();
      }
    };
  }

  private PrimitiveHandoff() {}

  public static void main(String[] args) throws InterruptedException {
    int batches = 9;
    int batchMs = 100;
    List<String> variants = VARIANTS;
    Args a =
        new Args(
            "PrimitiveHandoff",
            "[--batches N] [--batch-ms MS] [--variants " + String.join(",", VARIANTS) + "]",
            args);
    while (a.hasNext()) {
      String flag = a.next();
      switch (flag) {
        case "--batches" -> batches = a.intValue(flag, 1);
        case "--batch-ms" -> batchMs = a.intValue(flag, 1);
        case "--variants" -> variants = Arrays.asList(a.value(flag).split(","));
        default -> a.fail("unknown argument " + flag);
      }
    }
    a.checkAll("--variants", variants, VARIANTS);
    Rally rally = new Rally();
    for (String variant : variants) {
      double roundTrip = rally.medianRoundTripMicros(() -> court(variant), batches, batchMs);
      System.out.printf("gil4j-metric handoff_%s_us %.3f us%n", variant, roundTrip / 2);
    }
    System.out.printf("gil4j-metric handoff_round_trips %d count%n", rally.roundTrips());
  }

  private static Court court(String variant) {
    return switch (variant) {
      case "lock" -> Chain.of(new Acquirable[] {new Lock(), new Lock(), new Lock()});
      case "rlock" -> Chain.of(new Acquirable[] {new RLock(), new RLock(), new RLock()});
      case "juc-lock" ->
          Chain.of(
              new ReentrantLock[] {new ReentrantLock(), new ReentrantLock(), new ReentrantLock()});
      case "semaphore" -> new Signals(semaphore(), semaphore());
      case "juc-semaphore" -> new Signals(jucSemaphore(), jucSemaphore());
      case "event" -> new Signals(event(), event());
      case "juc-event" -> new PingPong.Wake();
      default -> throw new IllegalArgumentException("unknown variant " + variant);
    };
  }
}

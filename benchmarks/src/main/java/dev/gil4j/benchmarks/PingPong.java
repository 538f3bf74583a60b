package dev.gil4j.benchmarks;

import dev.gil4j.benchmarks.internal.Args;
import dev.gil4j.benchmarks.internal.Rally;
import dev.gil4j.benchmarks.internal.Rally.Court;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * GIL hand-off latency: two threads hit a ball back and forth, each blocking until the other wakes
 * it, so that exactly one of them is runnable at any time.
 *
 * <p>Without the agent, a round trip is two thread wake-ups. Under {@code gil=on}, each wake-up is
 * also a GIL hand-off: the woken thread must take the GIL, which the other thread releases when it
 * blocks — CPython does the same around every blocking call, so this is the figure to set beside
 * CPython's ({@code benchmarks/pingpong.py}, the same game with {@code threading}). Under {@code
 * gil=off} the agent is attached but takes no GIL: the difference to no agent is what its blocking
 * hooks cost alone.
 *
 * <p>Three ways to hand over, each beside its CPython counterpart:
 *
 * <ul>
 *   <li>{@code wake}: {@code LockSupport.park}/{@code unpark} with a volatile turn flag — the bare
 *       wake-up; CPython: two {@code threading.Lock}s used as binary semaphores.
 *   <li>{@code monitor}: {@code synchronized} with {@code wait}/{@code notify}; CPython: {@code
 *       threading.Condition}.
 *   <li>{@code queue}: two {@code SynchronousQueue}s; CPython: two {@code queue.Queue}s.
 * </ul>
 *
 * <p>Both threads are started by {@code main}, so both are registered with the GIL. Each variant is
 * measured as a {@link Rally}: a calibration batch, warm-up batches, then measured batches of about
 * {@code --batch-ms} each, in fresh threads; the figure is the median batch. Prints, per variant,
 * {@code gil4j-metric pingpong_<variant>_round_trip_us <median> us}, and at the end the number of
 * round trips played in all, so that a reader can set it beside the agent's count of GIL hand-offs.
 *
 * <p>Run: {@code bash benchmarks/run.sh}, or alone {@code java
 * [-javaagent:agent/target/gil4j-agent.jar] -cp benchmarks/target/gil4j-benchmarks.jar
 * dev.gil4j.benchmarks.PingPong [--batches N] [--batch-ms MS] [--variants wake,monitor,queue]}.
 */
public final class PingPong {
  /** Also the j.u.c. counterpart of an {@code Event} in {@link PrimitiveHandoff}. */
  static final class Wake implements Court {
    /** Whose turn it is: true while the ball is on pong's side. */
    private volatile boolean atPong;

    /** Set before either thread starts, which publishes them. */
    private Thread pinger;

    private Thread ponger;

    @Override
    public void ping(int rounds) {
      for (int i = 0; i < rounds; i++) {
        atPong = true;
        LockSupport.unpark(ponger);
        while (atPong) {
          LockSupport.park(this);
        }
      }
    }

    @Override
    public void pong(int rounds) {
      for (int i = 0; i < rounds; i++) {
        while (!atPong) {
          LockSupport.park(this);
        }
        atPong = false;
        LockSupport.unpark(pinger);
      }
    }

    @Override
    public void meet(Thread ping, Thread pong) {
      pinger = ping;
      ponger = pong;
    }
  }

  private static final class Monitor implements Court {
    private boolean atPong;

    @Override
    public synchronized void ping(int rounds) throws InterruptedException {
      for (int i = 0; i < rounds; i++) {
        atPong = true;
        notify();
        while (atPong) {
          wait();
        }
      }
    }

    @Override
    public synchronized void pong(int rounds) throws InterruptedException {
      for (int i = 0; i < rounds; i++) {
        while (!atPong) {
          wait();
        }
        atPong = false;
        notify();
      }
    }
  }

  private static final class Queue implements Court {
    private final SynchronousQueue<Boolean> toPong = new SynchronousQueue<>();
    private final SynchronousQueue<Boolean> toPing = new SynchronousQueue<>();

    @Override
    public void ping(int rounds) throws InterruptedException {
      for (int i = 0; i < rounds; i++) {
        toPong.put(Boolean.TRUE);
        toPing.take();
      }
    }

    @Override
    public void pong(int rounds) throws InterruptedException {
      for (int i = 0; i < rounds; i++) {
        toPing.put(toPong.take());
      }
    }
  }

  private static final List<String> VARIANTS = List.of("wake", "monitor", "queue");

  private PingPong() {}

  public static void main(String[] args) throws InterruptedException {
    int batches = 9;
    int batchMs = 100;
    List<String> variants = VARIANTS;
    Args a =
        new Args("PingPong", "[--batches N] [--batch-ms MS] [--variants wake,monitor,queue]", args);
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
      double micros = rally.medianRoundTripMicros(() -> court(variant), batches, batchMs);
      System.out.printf("gil4j-metric pingpong_%s_round_trip_us %.2f us%n", variant, micros);
    }
    System.out.printf("gil4j-metric pingpong_round_trips %d count%n", rally.roundTrips());
  }

  private static Court court(String variant) {
    return switch (variant) {
      case "wake" -> new Wake();
      case "monitor" -> new Monitor();
      case "queue" -> new Queue();
      default -> throw new IllegalArgumentException("unknown variant " + variant);
    };
  }
}

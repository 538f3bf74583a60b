package dev.gil4j.benchmarks.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Two threads hitting a ball back and forth through some synchronizer, each blocking until the
 * other wakes it, so that exactly one of them is runnable at any time; times the round trips.
 *
 * <p>Each measurement plays a calibration batch, two warm-up batches, then measured batches of
 * about {@code batchMs} each, every batch on a fresh {@link Court} in two fresh threads ({@code
 * ping} and {@code pong}, started by the caller, so under gil4j both are registered with the GIL);
 * the figure is the median batch. A court that hangs hangs its caller: run rallies in a child JVM
 * with a time limit ({@link Child}).
 */
public final class Rally {
  /** One way for two threads to hand over; {@code ping} starts and ends each round trip. */
  public interface Court {
    /** Plays {@code rounds} round trips from the side that serves. */
    void ping(int rounds) throws InterruptedException;

    /** Plays {@code rounds} round trips from the side that returns. */
    void pong(int rounds) throws InterruptedException;

    /** Called with both threads before either starts, for courts that wake threads by name. */
    default void meet(Thread ping, Thread pong) {}
  }

  private long roundTrips;

  /** The median round trip of {@code batches} batches of about {@code batchMs}, in µs. */
  public double medianRoundTripMicros(Supplier<Court> courts, int batches, int batchMs)
      throws InterruptedException {
    long calibration = play(courts.get(), 2_000);
    int rounds = (int) Math.max(100, 2_000L * batchMs * 1_000_000L / Math.max(1, calibration));
    for (int i = 0; i < 2; i++) {
      play(courts.get(), rounds);
    }
    List<Double> micros = new ArrayList<>();
    for (int i = 0; i < batches; i++) {
      micros.add(play(courts.get(), rounds) / 1e3 / rounds);
    }
    return Figure.median(micros);
  }

  /** The round trips played so far, calibration and warm-up included. */
  public long roundTrips() {
    return roundTrips;
  }

  /** Plays {@code rounds} round trips in two fresh threads; returns ping's elapsed nanoseconds. */
  private long play(Court court, int rounds) throws InterruptedException {
    long[] elapsed = new long[1];
    Thread ping =
        new Thread(
            () -> {
              long start = System.nanoTime();
              try {
                court.ping(rounds);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              elapsed[0] = System.nanoTime() - start;
            },
            "ping");
    Thread pong =
        new Thread(
            () -> {
              try {
                court.pong(rounds);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "pong");
    court.meet(ping, pong);
    pong.start();
    ping.start();
    ping.join();
    pong.join();
    roundTrips += rounds;
    return elapsed[0];
  }
}

package dev.gil4j.samples;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Producers and consumers handing numbers over a bounded {@link ArrayBlockingQueue}: the commonest
 * way Java threads cooperate, and one that blocks in {@code LockSupport.park} whenever the queue is
 * full, empty or its lock is contended.
 *
 * <p>P producers put the numbers 1..ITEMS between them (producer p puts p+1, p+1+P, ...) until all
 * are put or TIME has passed; then each consumer gets an end marker. Consumers take and sum. The
 * count and sum taken must equal those put — and, if no producer was cut short by TIME, the closed
 * form ITEMS×(ITEMS+1)/2 — or the program ends with exit status 1.
 *
 * <p><b>Without gil4j</b>, producers and consumers run on all cores and contend for the queue's
 * lock; throughput is limited by that lock and by wake-ups. <b>Under {@code
 * -javaagent:gil4j-agent.jar}</b>, only the GIL holder runs: a thread that blocks on the queue
 * releases the GIL, and a woken thread must wait for the GIL before it can take its item, so
 * hand-offs cost GIL switches and {@code items_per_s} shows how much.
 *
 * <p>Usage: {@code ProducerConsumer [producers] [consumers] [items] [time] [capacity]} or the same
 * as {@code --name value}; defaults 2, 2, 1,000,000 items, 2 s, capacity 100. Prints {@code
 * items_per_s}, {@code items} and {@code wall_ms}.
 */
public final class ProducerConsumer {
  private static final String USAGE =
      "ProducerConsumer [producers (1..256, default 2)] [consumers (1..256, default 2)]"
          + " [items (at most, 1..1000000000, default 1000000)] [time (at most, 1ms..60s,"
          + " default 2s)] [capacity (1..1000000, default 100)], or --producers N --consumers N"
          + " --items N --time D --capacity N";

  /** Put once per consumer after the last item; the items are all positive. */
  private static final long END = -1;

  private ProducerConsumer() {}

  public static void main(String[] argv) throws InterruptedException {
    Args args =
        Args.parse(
            "ProducerConsumer", USAGE, argv, "producers", "consumers", "items", "time", "capacity");
    int producers = args.intValue("producers", 2, 1, 256);
    int consumers = args.intValue("consumers", 2, 1, 256);
    long items = args.longValue("items", 1_000_000, 1, 1_000_000_000);
    Duration time =
        args.duration("time", Duration.ofSeconds(2), Duration.ofMillis(1), Duration.ofSeconds(60));
    int capacity = args.intValue("capacity", 100, 1, 1_000_000);

    BlockingQueue<Long> queue = new ArrayBlockingQueue<>(capacity);
    long[] putCounts = new long[producers];
    long[] putSums = new long[producers];
    long[] takenCounts = new long[consumers];
    long[] takenSums = new long[consumers];
    Workers consumerThreads = new Workers("ProducerConsumer");
    Workers producerThreads = new Workers("ProducerConsumer");
    Duration joinTimeout = time.plusSeconds(30);

    long start = System.nanoTime();
    long deadline = start + time.toNanos();
    for (int c = 0; c < consumers; c++) {
      int me = c;
      consumerThreads.start(
          "consumer-" + c,
          () -> {
            long count = 0;
            long sum = 0;
            for (long item = queue.take(); item != END; item = queue.take()) {
              count++;
              sum += item;
            }
            takenCounts[me] = count;
            takenSums[me] = sum;
          });
    }
    for (int p = 0; p < producers; p++) {
      int me = p;
      producerThreads.start(
          "producer-" + p,
          () -> {
            long count = 0;
            long sum = 0;
            for (long item = me + 1; item <= items; item += producers) {
              if (System.nanoTime() - deadline > 0) {
                break;
              }
              queue.put(item);
              count++;
              sum += item;
            }
            putCounts[me] = count;
            putSums[me] = sum;
          });
    }
    producerThreads.joinAll(joinTimeout);
    for (int c = 0; c < consumers; c++) {
      queue.put(END);
    }
    consumerThreads.joinAll(joinTimeout);
    long end = System.nanoTime();

    long put = total(putCounts);
    long taken = total(takenCounts);
    long putSum = total(putSums);
    long takenSum = total(takenSums);
    double wallMs = Metrics.millis(start, end);
    double perSecond = Metrics.perSecond(taken, start, end);
    System.out.printf(
        "ProducerConsumer: %d producer(s) -> %d consumer(s) over a queue of %d: %,d items in %.1f"
            + " ms%s, %.0f items/s%n",
        producers,
        consumers,
        capacity,
        taken,
        wallMs,
        put < items ? " (cut short by the time limit)" : "",
        perSecond);
    boolean wrongTotal = put == items && putSum != triangular(items);
    if (taken != put || takenSum != putSum || wrongTotal) {
      System.err.printf(
          "ProducerConsumer: WRONG: put %d items summing to %d, took %d summing to %d%n",
          put, putSum, taken, takenSum);
      System.exit(1);
    }
    System.out.println("ProducerConsumer: every item put was taken once: count and sum ok");
    Metrics.print("items_per_s", perSecond, "1/s");
    Metrics.print("items", taken, "count");
    Metrics.print("wall_ms", wallMs, "ms");
  }

  private static long total(long[] values) {
    long sum = 0;
    for (long value : values) {
      sum += value;
    }
    return sum;
  }

  /** 1 + 2 + ... + n, modulo 2^64 like the sums it is compared with. */
  private static long triangular(long n) {
    return n % 2 == 0 ? (n / 2) * (n + 1) : n * ((n + 1) / 2);
  }
}

package dev.gil4j.it.monitors;

/**
 * Two ways programs share a monitor, written as people write them: {@code cpu} — two CPU-bound
 * threads that each enter one shared monitor every 64 steps of their loop; {@code queue} — a
 * producer that hands items to a consumer through a ring, notifying it with {@code notifyAll} on a
 * monitor after every item, the consumer waiting for items with {@code wait}. The monitor is
 * inflated first (a timed {@code wait}), as HotSpot leaves any monitor that has been waited on or
 * contended. Prints {@code entries N} or {@code items N}, and {@code ok} when the threads' results
 * add up.
 *
 * <p>Usage: {@code SharedMonitors cpu|queue N}.
 */
public final class SharedMonitors {
  private static final int RING = 1024;
  private static final Object MONITOR = new Object();
  private static final long[] RING_SLOTS = new long[RING];
  private static long shared;
  private static volatile long published = -1;
  private static volatile long consumed = -1;

  private SharedMonitors() {}

  public static void main(String[] args) throws Exception {
    long n = Long.parseLong(args[1]);
    synchronized (MONITOR) {
      MONITOR.wait(1);
    }
    if (args[0].equals("cpu")) {
      cpu(n);
    } else {
      queue(n);
    }
  }

  private static void cpu(long steps) throws InterruptedException {
    long[] sums = new long[2];
    Thread[] threads = new Thread[2];
    for (int t = 0; t < 2; t++) {
      int me = t;
      threads[t] =
          new Thread(
              () -> {
                long x = me;
                long mine = 0;
                for (long i = 0; i < steps; i++) {
                  x = x * 6364136223846793005L + 1442695040888963407L;
                  if ((i & 63) == 0) {
                    synchronized (MONITOR) {
                      shared++;
                    }
                    mine++;
                  }
                }
                sums[me] = mine + (x == 42 ? 1 : 0);
              });
      threads[t].start();
    }
    for (Thread t : threads) {
      t.join();
    }
    System.out.println("entries " + (sums[0] + sums[1]));
    System.out.println(shared == sums[0] + sums[1] ? "ok" : "lost updates: " + shared);
  }

  private static void queue(long items) throws InterruptedException {
    long[] total = new long[1];
    Thread consumer =
        new Thread(
            () -> {
              long sum = 0;
              long next = 0;
              try {
                while (next < items) {
                  if (published < next) {
                    synchronized (MONITOR) {
                      while (published < next) {
                        MONITOR.wait();
                      }
                    }
                  }
                  long last = published;
                  for (; next <= last; next++) {
                    sum += RING_SLOTS[(int) (next % RING)];
                  }
                  consumed = last;
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              total[0] = sum;
            });
    consumer.start();
    for (long i = 0; i < items; i++) {
      while (i - consumed > RING) {
        Thread.yield();
      }
      RING_SLOTS[(int) (i % RING)] = i;
      published = i;
      synchronized (MONITOR) {
        MONITOR.notifyAll();
      }
    }
    consumer.join();
    System.out.println("items " + items);
    System.out.println(total[0] == items * (items - 1) / 2 ? "ok" : "wrong sum: " + total[0]);
  }
}

package dev.gil4j.it.holes;

/**
 * An application that runs every task on a thread of its own: {@code ShortLivedThreads COUNT}
 * starts COUNT platform threads, a hundred at a time, each computing a little (so, under the GIL,
 * waiting for it), and joins them. Then prints {@code gil4j-metric heap_mb}, the heap in use after
 * full GCs: what the run left behind.
 */
public final class ShortLivedThreads {
  private static final int BATCH = 100;
  private static volatile long sink;

  private ShortLivedThreads() {}

  static long step(long x) {
    return x * 6364136223846793005L + 1442695040888963407L;
  }

  public static void main(String[] args) throws InterruptedException {
    int count = Integer.parseInt(args[0]);
    for (int started = 0; started < count; started += BATCH) {
      Thread[] batch = new Thread[BATCH];
      for (int i = 0; i < BATCH; i++) {
        long seed = started + i;
        batch[i] =
            new Thread(
                () -> {
                  long x = seed;
                  for (int k = 0; k < 20_000; k++) {
                    x = step(x);
                  }
                  sink = x;
                });
        batch[i].start();
      }
      for (Thread t : batch) {
        t.join();
      }
    }
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    Runtime rt = Runtime.getRuntime();
    System.out.printf(
        "gil4j-metric heap_mb %.1f MB%n", (rt.totalMemory() - rt.freeMemory()) / 1_048_576.0);
  }
}

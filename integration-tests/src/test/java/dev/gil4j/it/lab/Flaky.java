package dev.gil4j.it.lab;

/**
 * An application for {@code scale}'s failure handling: with 1 thread it works and prints its
 * figure, with 2 it fails (exit status 3), with 3 it hangs in {@code Thread.sleep} until killed.
 */
public final class Flaky {
  private Flaky() {}

  public static void main(String[] args) throws InterruptedException {
    int threads = Integer.parseInt(args[0]);
    if (threads == 2) {
      System.err.println("Flaky: failing on purpose with 2 threads");
      System.exit(3);
    }
    if (threads == 3) {
      Thread.sleep(Long.MAX_VALUE);
    }
    System.out.println("gil4j-metric items_per_s " + (1000 * threads) + " 1/s");
  }
}

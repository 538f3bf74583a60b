package dev.gil4j.it.recording;

/**
 * Hot, uncontended loops through a {@code synchronized} block, a {@code synchronized} method and a
 * {@code synchronized} method holding a loop: what the JIT must still compile once gil4j has woven
 * its monitor timing in (a method it refuses runs interpreted, tens of times slower). Prints {@code
 * hot-monitors <sum>}.
 */
public final class HotMonitors {
  private final Object lock = new Object();
  private long total;

  private HotMonitors() {}

  long block(long x) {
    synchronized (lock) {
      total += x;
      return total;
    }
  }

  synchronized long method(long x) {
    total += x;
    return total;
  }

  synchronized long synchronizedLoop(int n) {
    long s = 0;
    for (int i = 0; i < n; i++) {
      s += i ^ total;
      total++;
    }
    return s;
  }

  public static void main(String[] args) {
    HotMonitors h = new HotMonitors();
    long s = 0;
    for (int round = 0; round < 100; round++) {
      for (int i = 0; i < 100_000; i++) {
        s += h.block(i);
        s += h.method(i);
      }
      s += h.synchronizedLoop(100_000);
    }
    System.out.println("hot-monitors " + s);
  }
}

package dev.gil4j.it.isolation.boot;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The switch that {@code FaultAgent} wires into gil4j's own methods: each woven method calls {@link
 * #trip} on entry, and every {@code every}-th call to a site throws {@link Injected}. Loaded by the
 * bootstrap class loader, beside gil4j's runtime, so that gil4j's bootstrap classes can call it.
 *
 * <p><b>Guarantees.</b> {@link #trip} allocates nothing unless it throws and never blocks or calls
 * code that gil4j instruments, so it cannot itself take or drop the GIL: the only fault it adds is
 * the one it throws. The first call to a site never throws when {@code every > 1}. At exit a line
 * per site, {@code fault-injection SITE woven=W calls=C thrown=T}, goes to stdout, so that a test
 * can tell a fault that fired from one that never ran.
 */
public final class Fault {
  private static volatile String[] sites = new String[0];
  private static volatile int every = 1;
  private static final AtomicLongArray WOVEN = new AtomicLongArray(64);
  private static final AtomicLongArray CALLS = new AtomicLongArray(64);
  private static final AtomicLongArray THROWN = new AtomicLongArray(64);

  private Fault() {}

  /** What an injected fault throws: gil4j must never let it reach the application. */
  public static final class Injected extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Injected(String site) {
      super("fault injected into " + site);
    }
  }

  /**
   * Arms the switch: {@code siteNames[i]} is site {@code i}; every {@code everyNth} call of a site
   * throws. Called once by the fault agent, before any woven method can run.
   */
  public static void configure(String[] siteNames, int everyNth) {
    if (siteNames.length > CALLS.length()) {
      throw new IllegalArgumentException("at most " + CALLS.length() + " fault sites");
    }
    every = everyNth;
    sites = siteNames.clone();
    Thread summary = new Thread(Fault::printSummary, "gil4j-fault-summary");
    Runtime.getRuntime().addShutdownHook(summary);
  }

  /** The fault agent wove a call to {@link #trip} into site {@code site}. */
  public static void woven(int site) {
    WOVEN.incrementAndGet(site);
  }

  /** Called on entry to a woven method. */
  public static void trip(int site) {
    if (CALLS.incrementAndGet(site) % every == 0) {
      THROWN.incrementAndGet(site);
      throw new Injected(sites[site]);
    }
  }

  private static void printSummary() {
    StringBuilder out = new StringBuilder();
    String[] names = sites;
    for (int i = 0; i < names.length; i++) {
      out.append("fault-injection ")
          .append(names[i])
          .append(" woven=")
          .append(WOVEN.get(i))
          .append(" calls=")
          .append(CALLS.get(i))
          .append(" thrown=")
          .append(THROWN.get(i))
          .append(System.lineSeparator());
    }
    System.out.print(out);
    System.out.flush();
  }
}

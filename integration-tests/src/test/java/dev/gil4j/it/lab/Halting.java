package dev.gil4j.it.lab;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An application for {@code scale}'s handling of the agent's summary: it prints its figure and
 * then, with 1 thread, ends normally (the agent writes its summary at exit); with 2, halts, which
 * skips the JVM's shutdown hooks and so the summary; with 3, writes half a summary where the agent
 * would write its own, then halts.
 */
public final class Halting {
  private Halting() {}

  public static void main(String[] args) throws Exception {
    int threads = Integer.parseInt(args[0]);
    System.out.println("gil4j-metric items_per_s " + (1000 * threads) + " 1/s");
    System.out.flush();
    if (threads == 3) {
      Files.writeString(summary(), "{\"gil4j_summary\": 1, \"pid\": 12");
    }
    if (threads >= 2) {
      Runtime.getRuntime().halt(0);
    }
  }

  /** The file of the agent's {@code summary=} option. */
  private static Path summary() {
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      for (String option : arg.split(",")) {
        if (option.startsWith("summary=")) {
          return Path.of(option.substring("summary=".length()));
        }
      }
    }
    throw new IllegalStateException("no summary= among the agent's options");
  }
}

package dev.gil4j.benchmarks.internal;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/** What a table's header says about the machine it was measured on. */
public final class Machine {
  private Machine() {}

  /** The 1-minute load average, or {@code unknown} where there is no {@code /proc/loadavg}. */
  public static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException e) {
      return "unknown";
    }
  }

  /** The CPU's model name, or the architecture where {@code /proc/cpuinfo} does not say. */
  public static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException e) {
      // Not Linux: the table goes without the CPU's name.
    }
    return System.getProperty("os.arch");
  }

  /**
   * Prints the header every table set starts with: what was measured, when, on what, and how busy
   * the machine was at the start ({@code loadBefore}) and now.
   */
  public static void printHeader(PrintStream o, String what, String loadBefore) {
    int cpus = Runtime.getRuntime().availableProcessors();
    o.printf(
        "%s, %s, %s, %d CPUs%n",
        what,
        LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")),
        cpuModel(),
        cpus);
    o.printf(
        "machine load (1-minute average) %s at the start, %s at the end; above %d, other work"
            + " competed for the CPUs%n",
        loadBefore, loadAverage(), cpus);
  }
}

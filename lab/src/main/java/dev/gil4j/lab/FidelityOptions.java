package dev.gil4j.lab;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The options of {@code fidelity}, parsed and checked once.
 *
 * @param python the Python to run the CPython side with; null to look for {@code python3} on the
 *     {@code PATH}
 * @param out where {@code fidelity.csv}, {@code fidelity.json} and the runs' logs go
 * @param timeout how long one script or one child JVM may take before it is stopped and its stacks
 *     are dumped
 * @param only the experiments to run, by their keys ({@link FidelityExperiment#KEYS})
 * @param load how many CPU-bound processes run beside every run, to compare the two sides under
 *     load
 */
record FidelityOptions(Path python, Path out, Duration timeout, List<String> only, int load) {
  /** The most CPU-bound processes {@code --load} starts. */
  static final int MAX_LOAD = 64;

  private static final List<String> OPTIONS =
      List.of("--python", "--out", "--timeout", "--only", "--load");

  static final String USAGE =
      String.join(
          System.lineSeparator(),
          "usage: java -jar gil4j-agent.jar fidelity [options]",
          "Runs CPython's reference experiments (CPU scaling, blocking overlap, hand-offs at two"
              + " switch",
          "intervals, the convoy, lock contention) and their Java twins under gil4j's GIL, and"
              + " prints",
          "the figures side by side.",
          "  --python PATH       the python3 to run (default: python3 on the PATH)",
          "  --out DIR           fidelity.csv, fidelity.json, logs (default gil4j-fidelity)",
          "  --timeout DURATION  per script or child JVM, then its stacks are dumped and it is"
              + " stopped",
          "                      (default 60s)",
          "  --only NAME,...     run only these experiments: "
              + String.join(", ", FidelityExperiment.KEYS)
              + " (default all)",
          "  --load N            keep N CPU-bound processes running beside every run, to compare"
              + " the",
          "                      two sides on a loaded machine (0 to " + MAX_LOAD + ", default 0)",
          "Takes 2 to 3 minutes on an idle 2-core machine. A row is 'close' when gil4j's figure is"
              + " within",
          FidelityRow.TOLERANCE
              + "x of CPython's either way; exit status 0 when every figure was"
              + " measured on both sides.");

  /** Reads the command line after {@code fidelity}; throws with one line saying what is wrong. */
  static FidelityOptions parse(String[] args) {
    Path python = null;
    Path out = Path.of("gil4j-fidelity");
    Duration timeout = Duration.ofSeconds(60);
    List<String> only = FidelityExperiment.KEYS;
    int load = 0;
    for (int i = 0; i < args.length; i++) {
      String option = args[i];
      String value;
      int eq = option.indexOf('=');
      String name = eq > 0 ? option.substring(0, eq) : option;
      if (!OPTIONS.contains(name)) {
        throw new IllegalArgumentException(
            (option.startsWith("-") ? "unknown option '" : "unexpected argument '")
                + option
                + "'; accepted: --python PATH, --out DIR, --timeout DURATION, --only NAME,..."
                + ", --load N");
      } else if (eq > 0) {
        value = option.substring(eq + 1);
        option = name;
      } else if (i + 1 < args.length) {
        value = args[++i];
      } else {
        throw new IllegalArgumentException("option " + option + " needs a value");
      }
      if (value.isEmpty()) {
        throw new IllegalArgumentException("option " + option + " needs a value");
      }
      switch (option) {
        case "--python" -> python = Path.of(value);
        case "--out" -> out = Path.of(value);
        case "--only" -> only = experiments(value);
        case "--load" -> load = load(value);
        default ->
            timeout =
                ScaleOptions.duration(option, value, Duration.ofSeconds(1), Duration.ofHours(1));
      }
    }
    if (Files.exists(out) && !Files.isDirectory(out)) {
      throw new IllegalArgumentException("bad --out '" + out + "': a file, not a directory");
    }
    return new FidelityOptions(python, out, timeout, only, load);
  }

  private static List<String> experiments(String value) {
    List<String> keys = new ArrayList<>();
    for (String key : value.split(",", -1)) {
      if (!FidelityExperiment.KEYS.contains(key)) {
        throw new IllegalArgumentException(
            "bad --only '"
                + value
                + "': comma-separated names from "
                + String.join(", ", FidelityExperiment.KEYS));
      }
      keys.add(key);
    }
    return List.copyOf(keys);
  }

  private static int load(String value) {
    try {
      int n = Integer.parseInt(value);
      if (n >= 0 && n <= MAX_LOAD) {
        return n;
      }
    } catch (NumberFormatException e) {
      // said below
    }
    throw new IllegalArgumentException(
        "bad --load '" + value + "': a number of processes from 0 to " + MAX_LOAD);
  }
}

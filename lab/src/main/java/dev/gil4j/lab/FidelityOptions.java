package dev.gil4j.lab;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The options of {@code fidelity}, parsed and checked once.
 *
 * @param python the Python to run the CPython side with; null to look for {@code python3} on the
 *     {@code PATH}
 * @param out where {@code fidelity.csv}, {@code fidelity.json} and the runs' logs go
 * @param timeout how long one script or one child JVM may take before it is stopped and its stacks
 *     are dumped
 */
record FidelityOptions(Path python, Path out, Duration timeout) {
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
    for (int i = 0; i < args.length; i++) {
      String option = args[i];
      String value;
      int eq = option.indexOf('=');
      String name = eq > 0 ? option.substring(0, eq) : option;
      if (!name.equals("--python") && !name.equals("--out") && !name.equals("--timeout")) {
        throw new IllegalArgumentException(
            (option.startsWith("-") ? "unknown option '" : "unexpected argument '")
                + option
                + "'; accepted: --python PATH, --out DIR, --timeout DURATION");
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
        default ->
            timeout =
                ScaleOptions.duration(option, value, Duration.ofSeconds(1), Duration.ofHours(1));
      }
    }
    if (Files.exists(out) && !Files.isDirectory(out)) {
      throw new IllegalArgumentException("bad --out '" + out + "': a file, not a directory");
    }
    return new FidelityOptions(python, out, timeout);
  }
}

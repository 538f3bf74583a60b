package dev.gil4j.lab;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * {@code java -jar gil4j-agent.jar fidelity [--python PATH] [--out DIR] [--timeout DURATION]
 * [--only NAME,...] [--load N]}: the evidence that gil4j's GIL behaves like CPython's, regenerated
 * on the user's machine. Runs CPython's own reference experiments — CPU scaling on threads and
 * processes, blocking overlap, hand-offs at two switch intervals, the convoy, lock contention — and
 * their Java twins under the agent, and prints each figure side by side with the ratio and a
 * verdict; {@code fidelity.csv} and {@code fidelity.json} in the output directory hold the same
 * rows.
 *
 * <p>Exit status: 0 when every figure was measured on both sides, whatever the verdicts; 1 when a
 * run failed or hung (the table says which, and where); 2 for bad usage or when there is no Python
 * 3 to run.
 */
public final class FidelityCommand {
  private static final String PREFIX = "gil4j fidelity: ";
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(30);

  private FidelityCommand() {}

  /** Runs the command; returns the exit status. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
      out.println(FidelityOptions.USAGE);
      return 0;
    }
    FidelityOptions options;
    FidelityPython python;
    Path jar;
    try {
      options = FidelityOptions.parse(args);
      python = python(options);
      jar = Bundled.agentJar();
    } catch (IllegalArgumentException e) {
      err.println(PREFIX + e.getMessage());
      return 2;
    } catch (IOException e) {
      err.println(PREFIX + e.getMessage());
      return 1;
    }
    try {
      return compare(options, python, jar, out, err);
    } catch (IOException e) {
      err.println(PREFIX + e.getMessage());
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println(PREFIX + "interrupted");
      return 1;
    }
  }

  /**
   * The Python to compare with: {@code --python}'s, a file or a command name looked up on the
   * {@code PATH}; else {@code python3} on the {@code PATH}.
   */
  private static FidelityPython python(FidelityOptions options) throws IOException {
    String pathEnv = System.getenv("PATH");
    Path given = options.python();
    Optional<Path> found;
    if (given == null) {
      found = FidelityPython.onPath(pathEnv, List.of("python3", "python3.exe"));
    } else if (Files.isRegularFile(given) && Files.isExecutable(given)) {
      found = Optional.of(given);
    } else if (given.getParent() == null) {
      found = FidelityPython.onPath(pathEnv, List.of(given.toString()));
    } else {
      found = Optional.empty();
    }
    if (found.isEmpty()) {
      throw new IllegalArgumentException(
          "python3 not found "
              + (given == null ? "on PATH" : "at " + given)
              + "; install it or pass --python PATH");
    }
    return FidelityPython.probe(found.get(), PROBE_TIMEOUT);
  }

  private static int compare(
      FidelityOptions options, FidelityPython python, Path jar, PrintStream out, PrintStream err)
      throws IOException, InterruptedException {
    Path logs = options.out().resolve("logs");
    Files.createDirectories(logs);
    Path scripts = Files.createTempDirectory("gil4j-cpython-");
    // removed at exit, a Ctrl-C included; files are deleted before the directory registered first
    scripts.toFile().deleteOnExit();
    for (String script : FidelityPython.SCRIPTS) {
      scripts.resolve(script).toFile().deleteOnExit();
    }
    FidelityPython.extractScripts(scripts);
    err.println(
        PREFIX
            + python.version()
            + " ("
            + python.path()
            + ") beside gil4j; each run may take "
            + options.timeout().toSeconds()
            + " s, logs in "
            + logs
            + (options.load() > 0
                ? "; " + options.load() + " CPU-bound processes running beside every run"
                : ""));
    Fidelity fidelity =
        new Fidelity(
            python,
            scripts,
            new ChildJava(ChildJava.thisJava(), options.timeout()),
            jar,
            Bundled.sampleClassPath(jar),
            logs,
            options.timeout(),
            err);
    List<FidelityRow> rows;
    try (CpuLoad load = CpuLoad.start(python.path(), options.load())) {
      rows = fidelity.run(FidelityExperiment.select(options.only()));
    }
    FidelityResults results =
        new FidelityResults(
            FidelityResults.Machine.here(python, fidelity.records(), options.load()),
            rows,
            fidelity.records(),
            options.out());
    Results.write(options.out().resolve("fidelity.csv"), results.csv());
    Results.write(options.out().resolve("fidelity.json"), results.json());
    out.print(results.table());
    err.println(PREFIX + "results in " + options.out());
    return results.complete() ? 0 : 1;
  }
}

package dev.gil4j.lab;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * {@code java -jar gil4j-agent.jar scale [options] -- <java arguments>}: runs an application once
 * per configuration — thread count × GIL setting, repeated — each in a fresh child JVM under the
 * agent, and tells how it scales: a table on stdout, {@code results.csv}, {@code results.json} and
 * {@code report.html} in the output directory, written again after every run so that a Ctrl-C keeps
 * every finished one.
 */
public final class ScaleCommand {
  private ScaleCommand() {}

  /** Runs the command; returns the exit status: 0, 1 if no run ended well, 2 for bad usage. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
      out.println(ScaleOptions.USAGE);
      return 0;
    }
    ScaleOptions options;
    Path jar;
    try {
      options = ScaleOptions.parse(args);
      jar = Bundled.agentJar();
    } catch (IllegalArgumentException e) {
      err.println("gil4j scale: " + e.getMessage());
      return 2;
    }
    try {
      return sweep(options, jar, out, err);
    } catch (IOException e) {
      err.println("gil4j scale: " + e.getMessage());
      return 1;
    }
  }

  private static int sweep(ScaleOptions options, Path jar, PrintStream out, PrintStream err)
      throws IOException {
    Results results =
        execute(
            options,
            jar,
            err,
            r -> {
              out.print(r.table());
              if (!r.complete()) {
                err.printf(
                    "gil4j scale: stopped; the %d finished run(s) are kept in %s%n",
                    r.points().stream().mapToInt(p -> p.runs().size()).sum(), options.out());
              } else {
                err.println("gil4j scale: results in " + options.out());
              }
            });
    return results.points().stream().anyMatch(p -> p.okRuns() > 0) ? 0 : 1;
  }

  /**
   * Runs a sweep, saving the results after every run, and hands the final results to {@code report}
   * — also when Ctrl-C ends the sweep early: the JVM then waits for the report before it exits.
   */
  static Results execute(ScaleOptions options, Path jar, PrintStream err, Consumer<Results> report)
      throws IOException {
    Sweep sweep = new Sweep(options, jar, err);
    CountDownLatch reported = new CountDownLatch(1);
    Thread onInterrupt =
        new Thread(
            () -> {
              sweep.stop();
              try {
                reported.await(30, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "gil4j-scale-stop");
    Runtime.getRuntime().addShutdownHook(onInterrupt);
    try {
      boolean complete = sweep.run(points -> save(options, sweep, points, false, false, err));
      Results results = save(options, sweep, sweep.points(), complete, true, err);
      report.accept(results);
      return results;
    } finally {
      reported.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(onInterrupt);
      } catch (IllegalStateException e) {
        // the JVM is already shutting down: the hook is running and has been let go above
      }
    }
  }

  private static Results save(
      ScaleOptions options,
      Sweep sweep,
      List<Point> points,
      boolean complete,
      boolean withFits,
      PrintStream err) {
    Results results = new Results(options, sweep.metric(), points, complete, withFits);
    try {
      Results.write(options.out().resolve("results.csv"), results.csv());
      Results.write(options.out().resolve("results.json"), results.json());
      Results.write(
          options.out().resolve("report.html"),
          ScaleReport.html("gil4j scale", null, List.of(results)));
    } catch (IOException e) {
      err.println("gil4j scale: could not write the results: " + e.getMessage());
    }
    return results;
  }
}

package dev.gil4j.benchmarks.internal;

import dev.gil4j.testkit.Jdk;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs JMH benchmarks of {@code dev.gil4j.benchmarks} one fork at a time, from inside the runner,
 * and hands back the CPU time ({@link CpuTimeProfiler}) and elapsed time per operation of every
 * measured iteration. JMH's own output goes to {@code jmh.log} in the output directory; every fork
 * has a hard time limit ({@link ForkWatch}).
 */
public final class Jmh implements AutoCloseable {
  private static final String PACKAGE = "dev.gil4j.benchmarks.";

  /**
   * Per-iteration figures of one fork, in ns/op; both empty if the fork failed.
   *
   * @param cpu CPU time of the benchmark threads per operation
   * @param wall elapsed time per operation, as JMH reports it
   */
  public record Scores(List<Double> cpu, List<Double> wall) {}

  private final Path out;
  private final boolean quick;
  private final PrintStream log;

  /** Writes JMH's output to {@code out/jmh.log}; {@code quick} runs fewer, shorter iterations. */
  public Jmh(Path out, boolean quick) throws IOException {
    this.out = out;
    this.quick = quick;
    Files.createDirectories(out);
    this.log = new PrintStream(Files.newOutputStream(out.resolve("jmh.log")), true, "UTF-8");
  }

  /**
   * Options for one fork of {@code benchmark} ({@code Class.method}, in this package) on {@code
   * jdk}: a fixed heap, warm-up, many short measured iterations, CPU time per operation.
   */
  public ChainedOptionsBuilder options(Jdk jdk, String benchmark) {
    return new OptionsBuilder()
        .include("^\\Q" + PACKAGE + benchmark + "\\E$")
        .jvm(jdk.java().toString())
        .jvmArgs("-Xms512m", "-Xmx512m")
        .forks(1)
        .warmupIterations(quick ? 1 : 3)
        .warmupTime(TimeValue.milliseconds(quick ? 200 : 250))
        .measurementIterations(iterations())
        .measurementTime(TimeValue.milliseconds(100))
        .timeout(TimeValue.seconds(60))
        .addProfiler(CpuTimeProfiler.class);
  }

  /**
   * Many short iterations rather than a few long ones: on a shared machine, more of them fall into
   * a quiet moment, which is what the best figure needs.
   */
  public int iterations() {
    return quick ? 4 : 10;
  }

  /** Runs {@code options}; a failure is written to the log and gives empty scores. */
  public Scores run(Options options) {
    List<Double> cpu = new ArrayList<>();
    List<Double> wall = new ArrayList<>();
    ForkWatch watch = new ForkWatch(Duration.ofSeconds(120), out);
    try {
      for (RunResult r : runHoldingLock(options)) {
        for (BenchmarkResult b : r.getBenchmarkResults()) {
          for (IterationResult i : b.getIterationResults()) {
            Result c = i.getSecondaryResults().get(CpuTimeProfiler.LABEL);
            if (c != null && !Double.isNaN(c.getScore())) {
              cpu.add(c.getScore());
              wall.add(i.getPrimaryResult().getScore());
            }
          }
        }
      }
    } catch (RunnerException e) {
      e.printStackTrace(log);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      watch.close();
    }
    return new Scores(cpu, wall);
  }

  /**
   * Runs JMH once it holds JMH's machine-wide lock ({@code /tmp/jmh.lock}): another JMH run on the
   * same machine would disturb this one and be disturbed by it, so wait for it rather than fail.
   */
  private Collection<RunResult> runHoldingLock(Options options)
      throws RunnerException, InterruptedException {
    long giveUp = System.nanoTime() + Duration.ofMinutes(20).toNanos();
    boolean said = false;
    while (true) {
      try {
        return new Runner(
                options, OutputFormatFactory.createFormatInstance(log, VerboseMode.NORMAL))
            .run();
      } catch (RunnerException e) {
        if (!String.valueOf(e.getMessage()).contains("JMH lock") || System.nanoTime() > giveUp) {
          throw e;
        }
        if (!said) {
          System.err.print("(waiting for another JMH run to release /tmp/jmh.lock) ");
          said = true;
        }
        Thread.sleep(2_000);
      }
    }
  }

  @Override
  public void close() {
    log.close();
  }
}

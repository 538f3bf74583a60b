package dev.gil4j.benchmarks.internal;

import dev.gil4j.testkit.Child;
import dev.gil4j.testkit.ChildRun;
import dev.gil4j.testkit.Jdk;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What every suite of a run shares: where things are and how long to measure.
 *
 * @param agent the agent jar
 * @param baselineAgent another agent jar to measure beside it (an earlier build), or null
 * @param jar this module's shaded jar, the class path of every JVM a suite starts
 * @param jdks the JDKs to run on, in table order
 * @param python the command that runs CPython, or {@code none}
 * @param scripts the directory of the Python scripts ({@code pingpong.py}, {@code
 *     threading_bench.py})
 * @param out the output directory; each suite writes into a directory of its own name under it
 * @param forks JMH forks per cell (the gil suite)
 * @param quick fewer and shorter measurements: a smoke test of the harness
 */
public record Run(
    Path agent,
    Path baselineAgent,
    Path jar,
    List<Jdk> jdks,
    String python,
    Path scripts,
    Path out,
    int forks,
    boolean quick) {

  /**
   * Runs {@code command} to its end or {@code limit}, its output in {@code log.stdout} and {@code
   * .stderr}; a child still running at the limit has its threads dumped, is killed and comes back
   * as {@linkplain ChildRun#hung() hung}, for the table to say so.
   *
   * @throws java.io.UncheckedIOException if the command cannot be started (no such program)
   */
  public static ChildRun child(List<String> command, Path log, Duration limit) {
    return Child.command(command).withLogs(log).withTimeout(limit).quiet().tryRun();
  }

  /** Whether CPython is to be run. */
  public boolean hasPython() {
    return !python.equals("none");
  }
}

package dev.gil4j.benchmarks.internal;

import dev.gil4j.testkit.Jdk;
import java.nio.file.Path;
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

  /** Whether CPython is to be run. */
  public boolean hasPython() {
    return !python.equals("none");
  }
}

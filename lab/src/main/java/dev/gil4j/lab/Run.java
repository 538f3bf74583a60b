package dev.gil4j.lab;

import java.nio.file.Path;

/**
 * One measured run of one configuration in a fresh child JVM.
 *
 * @param mode the GIL setting
 * @param threads the thread (or process) count put where {@code {threads}} was
 * @param repeat which measured run of the configuration, from 1
 * @param status how it ended
 * @param exitCode the child's exit status, or -1 when it was killed
 * @param value the compared figure, NaN unless {@link Status#OK}
 * @param wallMs the child JVM's wall time, from launch to exit, as seen by {@code scale}
 * @param gil the GIL's use from the child's summary, or null when it had no GIL and no lock waits
 * @param log the child's stdout and stderr, beside each other in {@code logs/}
 * @param dump the thread dump taken before a hung child was killed, or null
 * @param problem one line saying what went wrong, or null
 */
public record Run(
    Mode mode,
    int threads,
    int repeat,
    Status status,
    int exitCode,
    double value,
    double wallMs,
    GilShares gil,
    Path log,
    Path dump,
    String problem) {

  /** How a run ended. */
  public enum Status {
    /** Exited with status 0 and printed the compared figure. */
    OK,
    /** Exited with another status. */
    FAILED,
    /** Ran past {@code --timeout}: its threads were dumped, then it was killed. */
    TIMED_OUT,
    /** Exited with status 0 without printing the compared figure. */
    NO_METRIC,
    /**
     * Exited with status 0 and printed the figure, but its agent's summary (the GIL's use) is
     * missing or unreadable.
     */
    NO_SUMMARY
  }

  boolean ok() {
    return status == Status.OK;
  }
}

package dev.gil4j.it.recording;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gil4j.it.Samples;
import dev.gil4j.testkit.Child;
import dev.gil4j.testkit.ChildRun;
import dev.gil4j.testkit.Jdk;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gil4j's periodic events in a long recording at the default settings stay small and on time while
 * the application starts threads all the time: {@code LockContention}, up to 50 short-lived threads
 * a second under the GIL, recorded with {@code jfr=FILE}.
 *
 * <p>Bytes a minute of {@code gil4j.GilStatistics} and {@code gil4j.ContentionHistogram}, as {@code
 * jfr summary} counts them, stay under a bound, and the periods keep their pace to the end: the
 * last quarter of the run has at least half as many as the first. (Each period once copied every
 * thread the application had ever run, under the GIL's mutex: periods stretched from 1 s to 4 s
 * over ten minutes, and the GIL stalled with them.) A 10-minute run measured in the closing note of
 * issue 13 and in docs/profiling.md; this one runs 40 s.
 */
class PeriodicEventVolumeTest {
  private static final Jdk JDK = Jdk.available().findFirst().orElseThrow();
  private static final int SECONDS = 40;

  /**
   * Measured: one ~350-byte event per active site and kind (wait, hold) and period, ~20 KB a minute
   * each; three or four here.
   */
  private static final long HISTOGRAM_BYTES_PER_MINUTE = 200_000;

  /**
   * Measured: one ~80-byte event per live thread and period and one per ended thread: 86 KB a
   * minute at 13 thread starts a second, ~300 KB at the 50 here.
   */
  private static final long STATISTICS_BYTES_PER_MINUTE = 1_000_000;

  @Test
  void periodicEventsStaySmallAndOnTimeWhileThreadsComeAndGo(@TempDir Path tmp) throws Exception {
    Path jfr = tmp.resolve("long.jfr");
    ChildRun run =
        Samples.child(JDK, "LockContention")
            .withAgent("jfr=" + jfr)
            .withArgs("--time", SECONDS + "s", "--ops", "20", "--hold", "0.5ms")
            .withTimeout(Duration.ofSeconds(SECONDS + 90))
            .run();
    run.assertSucceeded();

    List<RecordedEvent> events = RecordingFile.readAllEvents(jfr);
    List<Instant> periods =
        events.stream()
            .filter(e -> e.getEventType().getName().equals("gil4j.GilStatistics"))
            .filter(e -> e.getBoolean("overall"))
            .map(RecordedEvent::getEndTime)
            .sorted()
            .toList();
    assertTrue(periods.size() >= SECONDS / 2, () -> "periods: " + periods.size());
    Instant first = periods.get(0);
    Duration span = Duration.between(first, periods.get(periods.size() - 1));
    Duration quarter = span.dividedBy(4);
    long early = periods.stream().filter(t -> t.isBefore(first.plus(quarter))).count();
    long late =
        periods.stream().filter(t -> !t.isBefore(first.plus(quarter.multipliedBy(3)))).count();
    System.out.printf(
        "[%s] %d periods in %d s; first quarter %d, last quarter %d%n",
        JDK, periods.size(), span.toSeconds(), early, late);
    assertTrue(late * 2 >= early, () -> "periods slow down: " + early + " then " + late);

    String summary = jfrSummary(jfr);
    double minutes = span.toNanos() / 60e9;
    for (String[] bound :
        new String[][] {
          {"gil4j.ContentionHistogram", Long.toString(HISTOGRAM_BYTES_PER_MINUTE)},
          {"gil4j.GilStatistics", Long.toString(STATISTICS_BYTES_PER_MINUTE)}
        }) {
      long bytes = bytes(summary, bound[0]);
      long perMinute = Math.round(bytes / minutes);
      System.out.printf("[%s] %s: %d bytes, %d bytes a minute%n", JDK, bound[0], bytes, perMinute);
      assertTrue(bytes > 0, () -> bound[0] + " missing:\n" + summary);
      assertTrue(
          perMinute <= Long.parseLong(bound[1]),
          () -> bound[0] + ": " + perMinute + " bytes a minute\n" + summary);
    }
  }

  private static String jfrSummary(Path jfr) {
    ChildRun run =
        Child.command(List.of(JDK.tool("jfr").toString(), "summary", jfr.toString()))
            .withTimeout(Duration.ofSeconds(60))
            .withLabel("jfr-summary")
            .run();
    String out = run.stdout() + run.stderr();
    assertTrue(run.exitCode() == 0, () -> "jfr summary failed: " + out);
    return out;
  }

  /** The size column of {@code event}'s row in {@code jfr summary}'s output. */
  private static long bytes(String summary, String event) {
    Matcher m =
        Pattern.compile("(?m)^\\s*" + Pattern.quote(event) + "\\s+(\\d+)\\s+(\\d+)\\s*$")
            .matcher(summary);
    return m.find() ? Long.parseLong(m.group(2)) : 0;
  }
}

package dev.gil4j.it.recording;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gil4j.testkit.Child;
import dev.gil4j.testkit.ChildRun;
import dev.gil4j.testkit.Jdk;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every wait is counted once: {@link CountedWaits} makes a known number of lock waits with 1,600
 * platform and virtual threads that start and end while the recorder drains and merges their
 * tables, under the real agent with {@code gil=off}; the exit report's histogram and the
 * recording's {@code gil4j.ContentionHistogram} events must count exactly that many at the lock's
 * site.
 */
class NothingLostTest {
  private static final Path CLASSES = Path.of("target/test-classes");
  private static final int ROUNDS = 100;
  private static final int PER_ROUND = 16;
  private static final Pattern SITE_WAITS =
      Pattern.compile(
          "gil4j:   ReentrantLock "
              + Pattern.quote(CountedWaits.class.getName())
              + "\\.main\\(.*\\R"
              + "gil4j:\\s+wait n=(\\d+)");

  @TempDir Path dir;

  static Stream<Jdk> jdks() {
    return Jdk.available();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("jdks")
  void everyWaitOfThreadsThatComeAndGoIsCountedOnce(Jdk jdk) throws Exception {
    Path file = dir.resolve("waits.jfr");
    ChildRun run =
        Child.java(jdk, List.of(CLASSES), CountedWaits.class.getName())
            .withAgent("gil=off,jfr=" + file)
            .withArgs(String.valueOf(ROUNDS), String.valueOf(PER_ROUND))
            .withTimeout(Duration.ofSeconds(120))
            .run()
            .assertSucceeded();
    long expected = (long) ROUNDS * PER_ROUND;
    assertEquals(expected, (long) run.metric("expected_waits"), run::describe);
    Matcher m = SITE_WAITS.matcher(run.stderr());
    assertEquals(true, m.find(), run::describe);
    assertEquals(expected, Long.parseLong(m.group(1)), "exit report: " + m.group());
    List<RecordedEvent> histograms =
        RecordingFile.readAllEvents(file).stream()
            .filter(e -> e.getEventType().getName().equals("gil4j.ContentionHistogram"))
            .filter(e -> e.getString("kind").equals("wait"))
            .filter(e -> e.getString("lockClass").equals("ReentrantLock"))
            .filter(e -> e.getString("site").startsWith(CountedWaits.class.getName() + ".main("))
            .toList();
    assertEquals(
        expected,
        histograms.stream().mapToLong(e -> e.getLong("count")).sum(),
        histograms.size() + " gil4j.ContentionHistogram events");
  }
}

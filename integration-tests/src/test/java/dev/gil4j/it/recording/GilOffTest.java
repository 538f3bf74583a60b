package dev.gil4j.it.recording;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gil4j.testkit.Child;
import dev.gil4j.testkit.ChildRun;
import dev.gil4j.testkit.Jdk;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Profiling sees as much with the GIL off as with it on: {@link GilOffWaits} under the real agent
 * with {@code gil=off,jfr=FILE}, on JDK 17 and 25. Its exit report must show the wait for an
 * application's own {@code ReentrantLock} subclass (timed where it parks), the {@code Object.wait}
 * and the pipe read, each at its code location; its recording must hold the blocked monitor entry,
 * as the JVM's {@code jdk.JavaMonitorEnter}, whose stack starts in the application.
 */
class GilOffTest {
  private static final Path CLASSES = Path.of("target/test-classes");
  private static final String APP = GilOffWaits.class.getName();

  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.gil4j.testkit.Jdk#available")
  void everyKindOfWaitIsSeenWithTheGilOff(Jdk jdk) throws Exception {
    Path file = dir.resolve("off.jfr");
    ChildRun run =
        Child.java(jdk, List.of(CLASSES), APP)
            .withAgent("gil=off,jfr=" + file)
            .withTimeout(Duration.ofSeconds(150))
            .run()
            .assertSucceeded();
    List<String> lines = run.gil4jLines();
    assertTrue(
        lines.stream()
            .anyMatch(
                l ->
                    l.startsWith("gil4j:   park java.util.concurrent.locks.ReentrantLock@")
                        && l.contains(" first waited for at " + APP + ".lambda$takeOwn$")),
        () -> "the subclass's wait\n" + run.describe());
    assertTrue(
        lines.stream()
            .anyMatch(
                l -> l.startsWith("gil4j:   Object.wait java.lang.Object " + APP + ".objectWait(")),
        () -> "the Object.wait\n" + run.describe());
    assertTrue(
        lines.stream()
            .anyMatch(
                l ->
                    l.startsWith("gil4j:   Pipe.SourceChannel ") && l.contains(APP + ".pipeRead(")),
        () -> "the pipe read\n" + run.describe());
    List<RecordedEvent> entries =
        RecordingFile.readAllEvents(file).stream()
            .filter(e -> e.getEventType().getName().equals("jdk.JavaMonitorEnter"))
            .filter(e -> e.getThread().getJavaName().equals("main"))
            .toList();
    assertTrue(
        entries.stream()
            .anyMatch(
                e -> {
                  List<RecordedFrame> frames = e.getStackTrace().getFrames();
                  return !frames.isEmpty()
                      && frames.get(0).getMethod().getType().getName().equals(APP)
                      && frames.get(0).getMethod().getName().equals("monitorEntry");
                }),
        () -> "the blocked monitor entry: " + entries + "\n" + run.describe());
  }
}

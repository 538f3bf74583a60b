package dev.gil4j.it.recording;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gil4j.testkit.Child;
import dev.gil4j.testkit.ChildRun;
import dev.gil4j.testkit.Jdk;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
 * as the JVM's {@code jdk.JavaMonitorEnter}, whose stack starts in the application; and gil4j's own
 * events must start in the application too, as the JDK's do: the top frame of each {@code
 * gil4j.LockWait} is the application's method that waited, not gil4j's drop-in, and a {@code
 * gil4j.PipeIo} starts at the JDK's pipe method the application called.
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

    List<RecordedEvent> events = RecordingFile.readAllEvents(file);
    Map<String, String> lockWaitTops = new TreeMap<>();
    for (RecordedEvent e : events) {
      if (e.getEventType().getName().equals("gil4j.LockWait")) {
        lockWaitTops.put(e.getString("lockClass"), top(e));
      }
    }
    Map<String, String> expected =
        Map.of(
            "ReentrantLock", APP + ".lockWait",
            "ReentrantReadWriteLock.read", APP + ".readWait",
            "ReentrantReadWriteLock.write", APP + ".writeWait",
            "Semaphore", APP + ".permitWait");
    // Other waits over the threshold (the latch in monitorEntry) must start in the app as well.
    assertTrue(
        lockWaitTops.entrySet().containsAll(expected.entrySet())
            && lockWaitTops.values().stream().allMatch(f -> f.startsWith(APP + ".")),
        () -> "the top frame of each gil4j.LockWait\n" + run.describe());
    List<RecordedEvent> pipeReads =
        events.stream().filter(e -> e.getEventType().getName().equals("gil4j.PipeIo")).toList();
    assertTrue(
        !pipeReads.isEmpty()
            && pipeReads.stream().allMatch(e -> top(e).startsWith("sun.nio.ch."))
            && pipeReads.stream().anyMatch(e -> frames(e).contains(APP + ".pipeRead")),
        () -> "gil4j.PipeIo from the JDK's pipe method down: " + pipeReads);
    List<RecordedEvent> parks =
        events.stream()
            .filter(e -> e.getEventType().getName().equals("jdk.ThreadPark"))
            .filter(e -> frames(e).stream().anyMatch(f -> f.startsWith(APP + ".lambda$takeOwn$")))
            .toList();
    assertTrue(
        !parks.isEmpty()
            && parks.stream().noneMatch(e -> frames(e).stream().anyMatch(GilOffTest::gil4j)),
        () -> "the park on the subclass, without gil4j's frames: " + parks);
  }

  /**
   * With the GIL off the JDK's file streams get their pipe timing only when the first child process
   * starts, not at every start: {@link RecordedApp}'s reads of its child's stdout must still be
   * timed, in the exit report and as {@code gil4j.PipeIo} events.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.gil4j.testkit.Jdk#available")
  void aChildProcessPipeIsTimedWithTheGilOff(Jdk jdk) throws Exception {
    Path file = dir.resolve("process.jfr");
    String app = RecordedApp.class.getName();
    ChildRun run =
        Child.java(jdk, List.of(CLASSES), app)
            .withArgs("1")
            .withAgent("gil=off,jfr=" + file)
            .withTimeout(Duration.ofSeconds(150))
            .run()
            .assertSucceeded();
    assertTrue(
        run.gil4jLines().stream().anyMatch(l -> l.startsWith("gil4j:   Process.stdout " + app)),
        () -> "the child's stdout among the exit report's sites\n" + run.describe());
    assertTrue(
        RecordingFile.readAllEvents(file).stream()
            .filter(e -> e.getEventType().getName().equals("gil4j.PipeIo"))
            .anyMatch(e -> e.getString("pipe").startsWith("Process.stdout " + app + ".main(")),
        () -> "a gil4j.PipeIo event for the child's stdout\n" + run.describe());
  }

  /** Whether {@code frame} is gil4j's, not the application's (which shares the package prefix). */
  private static boolean gil4j(String frame) {
    return frame.startsWith("dev.gil4j.") && !frame.startsWith(APP);
  }

  private static String top(RecordedEvent e) {
    List<String> frames = frames(e);
    return frames.isEmpty() ? "(no stack)" : frames.get(0);
  }

  private static List<String> frames(RecordedEvent e) {
    return e.getStackTrace() == null
        ? List.of()
        : e.getStackTrace().getFrames().stream()
            .map(f -> f.getMethod().getType().getName() + "." + f.getMethod().getName())
            .toList();
  }
}

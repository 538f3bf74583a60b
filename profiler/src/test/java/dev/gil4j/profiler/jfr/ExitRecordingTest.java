package dev.gil4j.profiler.jfr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gil4j.testkit.Jdk;
import dev.gil4j.testkit.RunningChild;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Child JVMs run {@link RecordingDemo} with gil4j's classes on the boot class path and end in every
 * orderly way; the recording must be complete each time, with nothing half-written left.
 */
class ExitRecordingTest {
  @TempDir Path dir;

  static Stream<Arguments> exits() {
    List<Arguments> out = new ArrayList<>();
    for (Jdk jdk : Jdk.available().toList()) {
      out.add(Arguments.of(jdk, "return", null, 0));
      out.add(Arguments.of(jdk, "exit", null, 0));
      out.add(Arguments.of(jdk, "wait", "TERM", 143));
      out.add(Arguments.of(jdk, "wait", "INT", 130));
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{1} {2} on {0}")
  @MethodSource("exits")
  void agentRecordingIsWrittenWholeAtEveryOrderlyExit(
      Jdk jdk, String mode, String signal, int status) throws Exception {
    Path file = dir.resolve("app.jfr");
    try (RunningChild child =
        BootPathJvm.of(jdk, List.of(), RecordingDemo.class.getName(), mode, file.toString())
            .start()) {
      child.awaitLine("gil4j-demo ready", BootPathJvm.WAIT);
      if (signal != null) {
        child.signal(signal);
      }
      assertEquals(status, child.awaitExit(BootPathJvm.WAIT), child.describe());
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(file), files.collect(Collectors.toList()), "no temporary file left");
    }
    assertCompleteDemoRecording(file);
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("jdks")
  void gil4jEventsAppearWhenTheUserStartsJfrOnTheCommandLine(Jdk jdk) throws Exception {
    Path file = dir.resolve("user.jfr");
    try (RunningChild child =
        BootPathJvm.of(
                jdk,
                List.of("-XX:StartFlightRecording:settings=default,filename=" + file),
                RecordingDemo.class.getName(),
                "return")
            .start()) {
      child.awaitLine("gil4j-demo ready", BootPathJvm.WAIT);
      assertEquals(0, child.awaitExit(BootPathJvm.WAIT), child.describe());
    }
    assertCompleteDemoRecording(file);
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("jdks")
  void withoutJfrNoEventClassIsLoaded(Jdk jdk) throws Exception {
    try (RunningChild child =
        BootPathJvm.of(jdk, List.of("-verbose:class"), RecordingDemo.class.getName(), "return")
            .start()) {
      child.awaitLine("gil4j-demo ready", BootPathJvm.WAIT);
      assertEquals(0, child.awaitExit(BootPathJvm.WAIT), child.describe());
      assertTrue(child.stdout().contains("dev.gil4j.profiler.jfr.JfrEvents "), child.describe());
      assertFalse(
          java.util.regex.Pattern.compile("dev\\.gil4j\\.profiler\\.jfr\\.\\w+Event ")
              .matcher(child.stdout())
              .find(),
          child.describe());
      assertFalse(
          child.stdout().contains("jdk.jfr.internal.MetadataRepository "), child.describe());
    }
  }

  static Stream<Jdk> jdks() {
    return Jdk.available();
  }

  @Test
  void gil4jEventsAppearInARecordingStartedLaterWithJcmdAndGil4jSettings() throws Exception {
    Path jfc = dir.resolve("gil4j.jfc");
    try (InputStream in =
        AgentRecording.class.getResourceAsStream(AgentRecording.SETTINGS_RESOURCE)) {
      Files.copy(in, jfc);
    }
    Path file = dir.resolve("jcmd.jfr");
    try (RunningChild child =
        BootPathJvm.of(Jdk.current(), List.of(), RecordingDemo.class.getName(), "emit").start()) {
      child.awaitLine("gil4j-demo ready", BootPathJvm.WAIT);
      String started = child.jcmd("JFR.start", "name=late", "settings=default", "settings=" + jfc);
      assertTrue(started.contains("Started recording"), started);
      Thread.sleep(1500);
      String dumped = child.jcmd("JFR.dump", "name=late", "filename=" + file);
      assertTrue(Files.exists(file), dumped);
      child.signal("TERM");
      assertEquals(143, child.awaitExit(BootPathJvm.WAIT), child.describe());
    }
    List<RecordedEvent> events = RecordingFile.readAllEvents(file);
    assertTrue(count(events, "gil4j.GilDrop") > 10, "drops emitted after JFR.start");
    assertTrue(count(events, "gil4j.GilStatistics") > 0, "1 s period from gil4j.jfc");
    assertTrue(count(events, "jdk.ActiveSetting") > 0);
  }

  private static long count(List<RecordedEvent> events, String name) {
    return events.stream().filter(e -> e.getEventType().getName().equals(name)).count();
  }

  private static void assertCompleteDemoRecording(Path file) throws Exception {
    List<RecordedEvent> events = RecordingFile.readAllEvents(file);
    assertEquals(RecordingDemo.DROPS, count(events, "gil4j.GilDrop"));
    long waits =
        events.stream()
            .filter(e -> e.getEventType().getName().equals("gil4j.ContentionHistogram"))
            .filter(e -> e.getString("site").equals(RecordingDemo.SITE))
            .filter(e -> e.getString("kind").equals("wait"))
            .mapToLong(e -> e.getLong("count"))
            .sum();
    assertEquals(RecordingDemo.VALUES, waits, "every wait, the last partial period included");
  }
}

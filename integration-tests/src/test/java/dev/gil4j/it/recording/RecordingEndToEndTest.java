package dev.gil4j.it.recording;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gil4j.testkit.Child;
import dev.gil4j.testkit.ChildRun;
import dev.gil4j.testkit.Jdk;
import dev.gil4j.testkit.RunningChild;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real agent records {@link RecordedApp}, a real application, and the recording is read back by
 * the JDK's {@code RecordingFile}, its {@code jfr} tool and gil4j's {@code report} command: with
 * {@code jfr=FILE} when a signal ends the application (SIGTERM, SIGINT: the file is written by the
 * shutdown that follows), and in a recording the user starts with {@code -XX:StartFlightRecording},
 * where gil4j's events take part at their own defaults.
 *
 * <p>What must be there: the GIL's statistics, per-site histograms for every kind of wait the
 * application makes ({@code ReentrantLock}, {@code synchronized}, {@code Object.wait}, the NIO
 * pipe, the piped stream, the child process's stdout), lock waits and pipe calls over their
 * thresholds with their sites.
 */
class RecordingEndToEndTest {
  private static final Path CLASSES = Path.of("target/test-classes");
  private static final Path AGENT_JAR =
      Path.of(System.getProperty("gil4j.agentJar", "../agent/target/gil4j-agent.jar"))
          .toAbsolutePath();
  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final String APP = RecordedApp.class.getName();

  /** The kinds of site {@link RecordedApp} waits at, as {@code ContentionHistogram} names them. */
  private static final Set<String> KINDS =
      Set.of(
          "ReentrantLock",
          "synchronized",
          "Object.wait",
          "Pipe.SourceChannel",
          "PipedInputStream",
          "Process.stdout");

  @TempDir Path dir;

  static Stream<Arguments> signals() {
    return Jdk.available()
        .flatMap(jdk -> Stream.of(Arguments.of(jdk, "TERM", 143), Arguments.of(jdk, "INT", 130)));
  }

  @ParameterizedTest(name = "{0} SIG{1}")
  @MethodSource("signals")
  void aSignalEndsTheAppAndItsRecordingReadsWholeInEveryReader(Jdk jdk, String signal, int status)
      throws Exception {
    Path file = dir.resolve("app.jfr");
    Child app = Child.java(jdk, List.of(CLASSES), APP).withAgent("jfr=" + file);
    try (RunningChild child = app.withTimeout(TIMEOUT).start()) {
      child.awaitLine("recorded-app ready");
      // past gil4j.jfc's 1 s period, so that periodic events were written before the last ones
      Thread.sleep(1500);
      child.signal(signal);
      assertEquals(status, child.awaitExit(), child::describe);
      assertTrue(child.stderr().contains("gil4j: GIL report"), child::describe);
      assertTrue(
          child.stderr().contains("gil4j: contention, most total wait first"), child::describe);
      // The pipes' waits, 10 ms each, rank among the exit report's top ten sites.
      for (String kind : List.of("Pipe.SourceChannel", "PipedInputStream", "Process.stdout")) {
        assertTrue(
            child.stderr().contains("gil4j:   " + kind + " " + APP),
            () -> kind + " missing from the exit report" + child.describe());
      }
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(file), files.toList(), "written whole, no temporary file left");
    }
    List<RecordedEvent> events = RecordingFile.readAllEvents(file);
    assertTrue(count(events, "gil4j.GilStatistics") > 0, () -> summary(events));
    assertKinds(events);
    assertTrue(
        events.stream()
            .filter(e -> e.getEventType().getName().equals("gil4j.ContentionHistogram"))
            .allMatch(
                e ->
                    !KINDS.contains(e.getString("lockClass")) || e.getString("site").contains(APP)),
        "every site named by the application frame that made it");
    assertTrue(kinds(events, "gil4j.LockWait", "lockClass").contains("ReentrantLock"));
    assertOwnFramesLeftOut(events);
    Set<String> pipes =
        events.stream()
            .filter(e -> e.getEventType().getName().equals("gil4j.PipeIo"))
            .map(e -> e.getString("pipe"))
            .collect(Collectors.toCollection(TreeSet::new));
    for (String kind : List.of("Pipe.SourceChannel", "PipedInputStream", "Process.stdout")) {
      assertTrue(
          pipes.stream().anyMatch(p -> p.startsWith(kind + " " + APP + ".main(RecordedApp.java:")),
          kind + " not among the PipeIo events' pipes " + pipes);
    }

    String summary = tool(jdk, jdk.tool("jfr").toString(), "summary", file.toString());
    for (String event :
        List.of(
            "gil4j.GilStatistics", "gil4j.ContentionHistogram", "gil4j.LockWait", "gil4j.PipeIo")) {
      assertTrue(summaryCount(summary, event) > 0, event + " in jfr summary:\n" + summary);
    }
    String print =
        tool(
            jdk,
            jdk.tool("jfr").toString(),
            "print",
            "--events",
            "gil4j.LockWait",
            file.toString());
    assertTrue(print.contains("gil4j.LockWait {"), print);
    assertTrue(print.contains("lockClass = \"ReentrantLock\""), print);

    String report =
        tool(jdk, jdk.java().toString(), "-jar", AGENT_JAR.toString(), "report", file.toString());
    for (String expected :
        List.of(
            "Locks, most total wait first",
            "ReentrantLock",
            "synchronized",
            "Process.stdout",
            "Pipes (gil4j.PipeIo",
            "GIL load per thread")) {
      assertTrue(report.contains(expected), expected + " missing from the report:\n" + report);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.gil4j.testkit.Jdk#available")
  void gil4jEventsJoinARecordingTheUserStartsOnTheCommandLine(Jdk jdk) throws Exception {
    Path file = dir.resolve("user.jfr");
    Child app = Child.java(jdk, List.of(CLASSES), APP).withAgent("").withArgs("3");
    try (RunningChild child =
        app.withJvmOptions(List.of("-XX:StartFlightRecording=filename=" + file))
            .withTimeout(TIMEOUT)
            .start()) {
      assertEquals(0, child.awaitExit(), child::describe);
      assertFalse(
          child.stderr().contains("gil4j: bad value"),
          "no jfr= option was given" + child.describe());
    }
    List<RecordedEvent> events = RecordingFile.readAllEvents(file);
    assertTrue(count(events, "gil4j.GilStatistics") > 0, () -> summary(events));
    assertTrue(count(events, "gil4j.LockWait") > 0, () -> summary(events));
    assertKinds(events);
  }

  /**
   * gil4j's events start where the application (or the JDK) waited, as the JDK's own events do: a
   * lock wait at the application's call, a GIL wait at the checkpoint's method or the JDK's
   * blocking call — on JDK 22+ by stack filters, before by a fixed count of frames skipped.
   */
  private static void assertOwnFramesLeftOut(List<RecordedEvent> events) {
    for (RecordedEvent e : events) {
      String name = e.getEventType().getName();
      if (!name.equals("gil4j.LockWait") && !name.equals("gil4j.GilWait")) {
        continue;
      }
      String top =
          e.getStackTrace() == null || e.getStackTrace().getFrames().isEmpty()
              ? "(no stack)"
              : e.getStackTrace().getFrames().get(0).getMethod().getType().getName();
      boolean ok =
          name.equals("gil4j.LockWait")
              ? top.startsWith(APP)
              : !top.startsWith("dev.gil4j.") || top.startsWith(APP);
      assertTrue(ok, () -> "top frame " + top + " of " + e);
    }
  }

  private static void assertKinds(List<RecordedEvent> events) {
    Set<String> kinds = kinds(events, "gil4j.ContentionHistogram", "lockClass");
    assertTrue(kinds.containsAll(KINDS), () -> "histograms of " + kinds + "; " + summary(events));
  }

  private static long count(List<RecordedEvent> events, String name) {
    return events.stream().filter(e -> e.getEventType().getName().equals(name)).count();
  }

  /** The values of {@code field} in the events named {@code name}. */
  private static Set<String> kinds(List<RecordedEvent> events, String name, String field) {
    return events.stream()
        .filter(e -> e.getEventType().getName().equals(name))
        .map(e -> e.getString(field))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  /** Event counts by name, for a failure message. */
  private static String summary(List<RecordedEvent> events) {
    Map<String, Long> counts =
        events.stream()
            .collect(
                Collectors.groupingBy(
                    e -> e.getEventType().getName(), TreeMap::new, Collectors.counting()));
    return "events in the recording: " + counts;
  }

  /** The count column of {@code event}'s row in {@code jfr summary}'s output, or -1. */
  private static long summaryCount(String summary, String event) {
    Matcher m =
        Pattern.compile("(?m)^\\s*" + Pattern.quote(event) + "\\s+(\\d+)\\s").matcher(summary);
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }

  /** Runs a JDK tool or the agent's command line; it must succeed within 60 s. */
  private static String tool(Jdk jdk, String... command) {
    ChildRun run =
        Child.command(List.of(command))
            .withTimeout(Duration.ofSeconds(60))
            .withLabel(jdk.name() + "-tool")
            .run();
    String text = run.stdout() + run.stderr();
    assertEquals(0, run.exitCode(), () -> String.join(" ", command) + " failed:\n" + text);
    return text;
  }
}

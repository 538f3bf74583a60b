package dev.gil4j.it.isolation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gil4j.it.Samples;
import dev.gil4j.testkit.Child;
import dev.gil4j.testkit.ChildRun;
import dev.gil4j.testkit.Jdk;
import dev.gil4j.testkit.RunningChild;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code java -jar gil4j-agent.jar profile <pid>} against a running {@code LockContention} sample:
 * profiled twice in a row, 5 s apart, each recording holds its contention and only its own time (no
 * period reaches back before it), and the application finishes with its correct result, having
 * printed one gil4j line in all; a pid that is no JVM of this user gets one line and exit status 2,
 * and is left alone.
 */
class ProfileCommandTest {
  private static final String APP = Samples.PACKAGE + ".LockContention";
  private static final String ROUND_SITE = APP + ".round(";
  private static final Duration CLI_TIMEOUT = Duration.ofSeconds(90);
  private static final long GAP_MILLIS = 5_000;
  private static final long SLACK_MILLIS = 500;

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.gil4j.testkit.Jdk#available")
  void aRunningApplicationIsProfiledTwiceAndFinishesWithItsResult(Jdk jdk, @TempDir Path tmp)
      throws Exception {
    RunningChild app =
        Child.java(jdk, List.of(Samples.classes()), APP)
            .withJvmOptions(List.of())
            .withArgs(List.of("--time", "60s"))
            .withTimeout(Duration.ofSeconds(180))
            .withLabel("profiled-app")
            .start();
    String pid = app.awaitStdout("^LockContention: pid (\\d+)").group(1);

    Path first = tmp.resolve("first.jfr");
    ChildRun one = profile(jdk, "first", pid, "--duration", "3s", "--out", first.toString());
    // What the application does between the two must not reach the second recording.
    Thread.sleep(GAP_MILLIS);
    Path second = tmp.resolve("second.jfr");
    Path html = tmp.resolve("second.html");
    ChildRun two =
        profile(
            jdk,
            "second",
            pid,
            "--duration",
            "3s",
            "--out",
            second.toString(),
            "--html",
            html.toString());

    assertProfiled(one, first);
    assertProfiled(two, second);
    assertTrue(Files.readString(html).contains("<html"), "the HTML page " + html);

    ChildRun result = app.finish();
    result.assertSucceeded();
    assertTrue(result.stdout().contains("counts ok"), result::describe);
    List<String> lines = result.gil4jLines();
    assertEquals(1, lines.size(), () -> "one gil4j line in two attaches\n" + result.describe());
    assertTrue(lines.get(0).startsWith("gil4j: gil=off "), result::describe);
    assertTrue(lines.get(0).contains("report=off"), result::describe);
    // JDK 21+ warns at every dynamic load of an agent: the second profile loads none.
    long loads = result.stderr().lines().filter(l -> l.contains("loaded dynamically")).count();
    assertTrue(loads <= 1, () -> "the agent loaded " + loads + " times\n" + result.describe());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.gil4j.testkit.Jdk#available")
  void aPidThatIsNoJvmOfThisUserGetsOneLineAndExitStatusTwo(Jdk jdk) throws Exception {
    Process ended = new ProcessBuilder("true").start();
    assertTrue(ended.waitFor(30, TimeUnit.SECONDS));
    assertRefused(jdk, Long.toString(ended.pid()), "no process with pid " + ended.pid());

    Process sleeper = new ProcessBuilder("sleep", "120").start();
    try {
      assertRefused(jdk, Long.toString(sleeper.pid()), "is not a Java virtual machine");
      // The Attach API wakes a JVM with SIGQUIT, which would have ended it.
      assertTrue(sleeper.isAlive(), "the process that is no JVM runs on");
    } finally {
      sleeper.destroyForcibly();
    }

    assertRefused(jdk, "abc", "bad pid 'abc'");
    if (!System.getProperty("user.name").equals("root")) {
      assertRefused(jdk, "1", "belongs to user");
    }
  }

  private static void assertProfiled(ChildRun run, Path jfr) throws IOException {
    run.assertSucceeded();
    assertTrue(
        run.stderr().lines().anyMatch(l -> l.startsWith("gil4j: profile: attached to pid ")),
        run::describe);
    assertTrue(run.stdout().contains("Locks, most total wait first"), run::describe);
    assertTrue(run.stdout().contains(ROUND_SITE), () -> "the round's lock\n" + run.describe());
    List<RecordedEvent> events = RecordingFile.readAllEvents(jfr);
    List<RecordedEvent> histograms =
        events.stream()
            .filter(e -> e.getEventType().getName().equals("gil4j.ContentionHistogram"))
            .filter(e -> e.getString("site").startsWith(ROUND_SITE))
            .toList();
    assertTrue(
        !histograms.isEmpty(), () -> jfr + ": no histogram of the round's lock; " + of(events));
    // Each period lies within the recording: none reaches back to what came before it (the time
    // between the two profiles, or since the attach). JFR's periodic thread may lag on a loaded
    // machine, so a period can be long; it must not start early.
    Instant start =
        events.stream()
            .filter(e -> e.getEventType().getName().equals("jdk.ActiveRecording"))
            .filter(e -> e.getString("name").startsWith("gil4j-profile-"))
            .map(e -> e.getInstant("recordingStart"))
            .findFirst()
            .orElseThrow(() -> new AssertionError(jfr + ": no jdk.ActiveRecording; " + of(events)));
    for (RecordedEvent h : histograms) {
      Instant from = h.getStartTime().minus(h.getDuration("interval"));
      assertTrue(
          !from.isBefore(start.minusMillis(SLACK_MILLIS)),
          () -> jfr + ": a period from " + from + ", the recording from " + start + ": " + h);
    }
    assertTrue(
        events.stream().anyMatch(e -> e.getEventType().getName().equals("jdk.JavaMonitorEnter")),
        () -> jfr + ": no monitor contention; " + of(events));
  }

  private static void assertRefused(Jdk jdk, String pid, String expected) {
    ChildRun run = profile(jdk, "refused", pid, "--duration", "1s");
    assertEquals(2, run.exitCode(), run::describe);
    List<String> lines = run.stderrLines();
    assertEquals(1, lines.size(), run::describe);
    assertTrue(lines.get(0).startsWith("gil4j: profile: "), run::describe);
    assertTrue(lines.get(0).contains(expected), () -> "says '" + expected + "'\n" + run.describe());
    assertEquals("", run.stdout(), run::describe);
  }

  private static ChildRun profile(Jdk jdk, String label, String pid, String... options) {
    List<String> args = new ArrayList<>(List.of("profile", pid));
    args.addAll(List.of(options));
    return Child.jar(jdk, Child.agentJar())
        .withArgs(args)
        .withTimeout(CLI_TIMEOUT)
        .withLabel("profile-" + label)
        .start()
        .finish();
  }

  private static String of(List<RecordedEvent> events) {
    Map<String, Long> counts =
        events.stream()
            .collect(
                Collectors.groupingBy(
                    e -> e.getEventType().getName(), TreeMap::new, Collectors.counting()));
    return "events: " + counts;
  }
}

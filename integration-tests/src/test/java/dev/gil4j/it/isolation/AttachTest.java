package dev.gil4j.it.isolation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.tools.attach.VirtualMachine;
import dev.gil4j.testkit.Child;
import dev.gil4j.testkit.ChildRun;
import dev.gil4j.testkit.Jdk;
import dev.gil4j.testkit.RunningChild;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * gil4j attached at run time, through the Attach API ({@code VirtualMachine.loadAgent}), to a JVM
 * that is running {@link AttachTarget}: with {@code gil=on} it is refused in one line and the
 * target runs on untouched; with {@code gil=off} it profiles the locks constructed from then on, in
 * classes loaded before the attach as well as after, and reports them at exit and in a JFR
 * recording; attached where it already runs, it is ignored in one line.
 */
class AttachTest {
  private static final String TARGET = AttachTarget.class.getName();
  private static final String EARLY = TARGET + "$Early.";
  private static final String LATE = TARGET + "$Late.";

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.gil4j.testkit.Jdk#available")
  void attachingWithTheGilIsRefusedInOneLineAndTheTargetRunsOn(Jdk jdk, @TempDir Path tmp)
      throws Exception {
    ChildRun run = attachAndFinish(jdk, List.of(), "gil=on", tmp);
    run.assertSucceeded();
    assertTrue(run.stdout().lines().anyMatch("ok"::equals), run::describe);
    List<String> lines = run.gil4jLines();
    assertEquals(1, lines.size(), () -> "one gil4j line\n" + run.describe());
    assertTrue(lines.get(0).startsWith("gil4j: refusing to attach with gil=on: "), run::describe);
    assertTrue(lines.get(0).contains("gil=off"), () -> "the line says what works: " + lines);
    // The JVM warns when the bootstrap class path grows: refused before anything changed.
    assertFalse(run.stderr().contains("bootstrap classpath has been appended"), run::describe);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.gil4j.testkit.Jdk#available")
  void attachingForProfilingRecordsLocksConstructedFromThenOn(Jdk jdk, @TempDir Path tmp)
      throws Exception {
    Path jfr = tmp.resolve("attached.jfr");
    ChildRun run = attachAndFinish(jdk, List.of(), "gil=off,jfr=" + jfr, tmp);
    run.assertSucceeded();
    assertTrue(run.stdout().lines().anyMatch("ok"::equals), run::describe);
    assertTrue(
        run.stderr().lines().anyMatch(l -> l.startsWith("gil4j: gil=off ")),
        () -> "the start line\n" + run.describe());
    List<String> sites =
        run.gil4jLines().stream()
            .filter(l -> l.startsWith("gil4j:   ReentrantLock "))
            .map(l -> l.substring("gil4j:   ReentrantLock ".length()))
            .toList();
    System.out.printf("[%s] sites in the exit report: %s%n", jdk, sites);
    assertTrue(
        sites.stream().anyMatch(s -> s.startsWith(EARLY + "makeOne(")),
        () -> "a lock constructed after the attach by a class loaded before it\n" + run.describe());
    assertTrue(
        sites.stream().anyMatch(s -> s.startsWith(LATE + "makeOne(")),
        () -> "a lock of a class loaded after the attach\n" + run.describe());
    assertTrue(
        sites.stream().noneMatch(s -> s.startsWith(EARLY + "<clinit>")),
        () -> "a lock constructed before the attach cannot be swapped\n" + run.describe());
    assertTrue(
        run.gil4jLines().stream()
            .anyMatch(
                l ->
                    l.startsWith("gil4j:   park java.util.concurrent.locks.ReentrantLock@")
                        && l.contains(" first waited for at " + TARGET + ".")),
        () -> "its waits, timed where its threads park\n" + run.describe());
    Set<String> recorded = lockWaitSites(jfr);
    assertTrue(
        recorded.stream().anyMatch(s -> s.startsWith(LATE + "makeOne(")),
        () -> "lock waits in the JFR recording: " + recorded);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.gil4j.testkit.Jdk#available")
  void attachingWhereTheAgentAlreadyRunsIsIgnoredInOneLine(Jdk jdk, @TempDir Path tmp)
      throws Exception {
    ChildRun run =
        attachAndFinish(jdk, List.of("-javaagent:" + TestJars.AGENT_JAR), "gil=off", tmp);
    run.assertSucceeded();
    assertTrue(run.stdout().lines().anyMatch("ok"::equals), run::describe);
    List<String> ignored =
        run.gil4jLines().stream().filter(l -> l.startsWith("gil4j: already started")).toList();
    assertEquals(1, ignored.size(), run::describe);
    assertTrue(ignored.get(0).contains("'gil=off'"), () -> "names the options: " + ignored);
    long reports = run.gil4jLines().stream().filter(l -> l.startsWith("gil4j: GIL report")).count();
    assertEquals(1, reports, () -> "one agent, one report\n" + run.describe());
  }

  /**
   * Starts {@link AttachTarget} with {@code jvmOptions}, attaches gil4j with {@code options} once
   * it is under way, lets it finish and returns what it did.
   */
  private static ChildRun attachAndFinish(
      Jdk jdk, List<String> jvmOptions, String options, Path tmp) throws Exception {
    Path go = tmp.resolve("go");
    RunningChild target =
        Child.java(jdk, List.of(TestJars.TEST_CLASSES), TARGET)
            .withJvmOptions(jvmOptions)
            .withArgs(List.of(go.toString()))
            .withTimeout(Duration.ofSeconds(60))
            .withLabel("attach-" + options.replaceAll("jfr=.*", "jfr"))
            .start();
    target.awaitStdout("^ready \\d+$");
    VirtualMachine vm = VirtualMachine.attach(Long.toString(target.pid()));
    try {
      // A refusal returns normally too: it is on the target's stderr, not an exception here.
      vm.loadAgent(TestJars.AGENT_JAR.toString(), options);
    } finally {
      vm.detach();
      Files.createFile(go);
    }
    return target.finish();
  }

  private static Set<String> lockWaitSites(Path jfr) throws IOException {
    assertTrue(Files.isRegularFile(jfr), () -> "no JFR recording at " + jfr);
    return RecordingFile.readAllEvents(jfr).stream()
        .filter(e -> e.getEventType().getName().equals("gil4j.LockWait"))
        .map((RecordedEvent e) -> e.getString("site"))
        .collect(Collectors.toSet());
  }
}

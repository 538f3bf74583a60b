package dev.gil4j.it.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gil4j.it.Samples;
import dev.gil4j.testkit.Child;
import dev.gil4j.testkit.ChildRun;
import dev.gil4j.testkit.Jdk;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The agent's {@code summary=FILE}, which {@code scale} reads instead of a JFR recording: its
 * figures from real child JVMs under the real agent — CPU-bound threads take turns holding the GIL,
 * a contended {@code ReentrantLock} leads the locks — and {@code scale} with a run that leaves no
 * summary and one that leaves half of one: each gets status {@code no_summary} and a line saying
 * what went wrong, the sweep goes on, and {@code --jfr} records the runs as well.
 */
class SummaryTest {
  private static final Path OUT = Path.of("target", "gil4j-summary").toAbsolutePath();
  private static final Path TEST_CLASSES = Path.of("target", "test-classes").toAbsolutePath();

  @ParameterizedTest
  @MethodSource("dev.gil4j.testkit.Jdk#available")
  void cpuBoundThreadsUnderTheGilTakeTurnsHoldingIt(Jdk jdk) throws IOException {
    Files.createDirectories(OUT);
    Path file = OUT.resolve("cpu-" + jdk.name().replace(' ', '-') + ".json");
    Files.deleteIfExists(file);
    Samples.child(jdk, "CpuBound")
        .withAgent("gil=on,report=off,summary=" + file)
        .withArgs("--threads", "2", "--work", "200000000")
        .run()
        .assertSucceeded();
    String json = Files.readString(file, StandardCharsets.UTF_8);
    long elapsed = field(json, "elapsed_ns");
    long held = field(json, "held_ns");
    long waiting = field(json, "waiting_ns");
    long released = field(json, "released_ns");
    assertEquals(1, field(json, "gil4j_summary"), json);
    assertEquals(3, field(json, "threads"), "main and the two workers: " + json);
    assertEquals(field(json, "registered_ns"), held + waiting + released, json);
    // One holder at a time, and nearly always one: the GIL is held for about the run's length,
    // one of the two workers' time while both compute, while the other waits.
    assertTrue(held <= elapsed * 1.02, "one holder at a time: " + json);
    assertTrue(held >= elapsed * 0.5, "a worker holds it most of the time: " + json);
    assertTrue(waiting >= held * 0.3, "the other worker waits meanwhile: " + json);
    assertTrue(field(json, "hand_offs") > 0, json);
    assertEquals(0, field(json, "revocations"), json);
  }

  @ParameterizedTest
  @MethodSource("dev.gil4j.testkit.Jdk#available")
  void aContendedReentrantLockLeadsTheLocks(Jdk jdk) throws IOException {
    Files.createDirectories(OUT);
    Path file = OUT.resolve("locks-" + jdk.name().replace(' ', '-') + ".json");
    Files.deleteIfExists(file);
    Samples.child(jdk, "LockContention")
        .withAgent("gil=off,report=off,summary=" + file)
        .withArgs("--time", "500ms")
        .run()
        .assertSucceeded();
    String json = Files.readString(file, StandardCharsets.UTF_8);
    assertTrue(json.contains("\"gil\": null"), "no GIL, no GIL figures: " + json);
    String locks = json.substring(json.indexOf("\"locks\""));
    Matcher first =
        Pattern.compile("\"kind\": \"([^\"]*)\", \"site\": \"([^\"]*)\"").matcher(locks);
    assertTrue(first.find(), json);
    assertEquals("ReentrantLock", first.group(1), json);
    assertTrue(first.group(2).contains("LockContention.round("), json);
    assertTrue(field(locks, "wait_total_ns") > 0, json);
  }

  @Test
  void aRunWithoutAReadableSummaryGetsItsOwnStatusAndTheSweepGoesOn() throws IOException {
    Path out = OUT.resolve("halting");
    ScaleTest.delete(out);
    ChildRun run =
        Child.java(
                Jdk.available().findFirst().orElseThrow(),
                List.of(Child.agentJar()),
                "dev.gil4j.agent.Premain")
            .withArgs(
                "scale",
                "--threads",
                "1,2,3",
                "--modes",
                "gil:5ms",
                "--repeat",
                "1",
                "--jfr",
                "--out",
                out.toString(),
                "--",
                "-cp",
                TEST_CLASSES.toString(),
                Halting.class.getName(),
                "{threads}")
            .withTimeout(Duration.ofMinutes(3))
            .run();
    run.assertSucceeded();
    String stdout = run.stdout();
    assertTrue(stdout.contains("threads=2 run 1: the agent wrote no summary to "), stdout);
    assertTrue(
        Pattern.compile(
                "threads=3 run 1: its summary could not be read: \\S+gil-5ms-t3-r1"
                    + "\\.summary\\.json: not JSON at character")
            .matcher(stdout)
            .find(),
        stdout);
    String json = Files.readString(out.resolve("results.json"));
    assertTrue(json.contains("\"status\": \"ok\""), json);
    assertTrue(json.contains("\"status\": \"no_summary\""), json);
    assertTrue(Files.isRegularFile(out.resolve("logs").resolve("gil-5ms-t1-r1.summary.json")));
    assertTrue(
        Files.size(out.resolve("recordings").resolve("gil-5ms-t1-r1.jfr")) > 0,
        "--jfr records the runs as well");
    assertFalse(
        Files.exists(out.resolve("recordings").resolve("gil-5ms-t2-r1.jfr")),
        "a halted run writes no recording either");
  }

  private static long field(String json, String key) {
    Matcher m = Pattern.compile("\"" + key + "\": (-?[0-9]+)").matcher(json);
    assertTrue(m.find(), key + " in " + json);
    return Long.parseLong(m.group(1));
  }
}

package dev.gil4j.it.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gil4j.testkit.Child;
import dev.gil4j.testkit.ChildRun;
import dev.gil4j.testkit.Chromium;
import dev.gil4j.testkit.Jdk;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code java -jar gil4j-agent.jar demo}, the README's main job, from the real agent jar: it ends
 * within its minute (here bounded at three, for a busy machine), prints a row per experiment with a
 * figure in each column it measures and a sentence per experiment, and writes a page that Chromium
 * lays out. What the figures show is checked by the tests of each sample; on a busy machine the
 * demo's own sentences say when a run did not show it.
 */
class DemoTest {
  private static final Path OUT = Path.of("target", "gil4j-demo").toAbsolutePath();

  @Test
  void theDemoTellsItsStoryAndWritesItsReport() throws Exception {
    ChildRun run =
        Child.java(
                Jdk.available().findFirst().orElseThrow(),
                List.of(Child.agentJar()),
                "dev.gil4j.agent.Premain")
            .withArgs("demo", "--out", OUT.toString())
            .withTimeout(Duration.ofMinutes(3))
            .run();
    run.assertSucceeded();
    String out = run.stdout();
    String figure = "[0-9]+\\.[0-9]{2}x";
    for (String row :
        List.of(
            "CPU-bound work, 2 workers vs 1: speedup +" + figure + " +" + figure + " +" + figure,
            "4 threads sleeping: overlap +" + figure + " +" + figure,
            "I/O thread beside a CPU thread: slowdown +" + figure + " +" + figure)) {
      assertTrue(Pattern.compile(row).matcher(out).find(), row + " in\n" + out);
    }
    assertEquals(3, out.lines().filter(l -> l.startsWith("- ")).count(), out);
    Path html = OUT.resolve("report.html");
    assertTrue(Files.size(html) > 10_000, "report.html");
    assumeTrue(Chromium.installed(), "skipped: " + Chromium.BINARY + " is absent");
    String dom = Chromium.dom(html);
    assertTrue(dom.contains("data-rendered=\"true\""), dom);
    assertTrue(dom.contains("<table class=\"summary\">"), "the story's table");
  }
}

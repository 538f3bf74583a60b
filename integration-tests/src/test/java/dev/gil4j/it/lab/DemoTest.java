package dev.gil4j.it.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gil4j.it.ChildJvm;
import dev.gil4j.it.ChildRun;
import dev.gil4j.it.Jdk;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code java -jar gil4j-agent.jar demo}, the README's main job, from the real agent jar: it ends
 * (here bounded at five minutes, for a busy machine), prints a row per experiment with a figure in
 * each column it measures — CPython's measured in the same run where {@code python3} is installed —
 * and a sentence per experiment that quotes the table's figures, and writes a page that Chromium
 * lays out, its sections named by the sample they ran. What the figures show is checked by the
 * tests of each sample; on a busy machine the demo's own sentences say when a run did not show it.
 */
class DemoTest {
  private static final Path OUT = Path.of("target", "gil4j-demo").toAbsolutePath();

  @Test
  void theDemoTellsItsStoryAndWritesItsReport() throws Exception {
    ChildRun run =
        ChildJvm.of(
                Jdk.available().findFirst().orElseThrow(),
                ChildJvm.agentJar(),
                "dev.gil4j.agent.Premain")
            .withArgs("demo", "--out", OUT.toString())
            .withTimeout(Duration.ofMinutes(5))
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
    if (FidelityTest.onPath("python3") != null) {
      assertTrue(
          Pattern.compile("CPython 3\\.[0-9.]+ \\(this run\\)").matcher(out).find(),
          "CPython's column measured in the run:\n" + out);
    }
    Matcher cpu =
        Pattern.compile("CPU-bound work, 2 workers vs 1: speedup +\\S+ +(\\S+) +(\\S+)")
            .matcher(out);
    assertTrue(cpu.find(), out);
    String story = out.lines().filter(l -> l.startsWith("- CPU-bound")).findFirst().orElseThrow();
    assertTrue(
        story.contains(cpu.group(1)) && story.contains(cpu.group(2)),
        "the sentence quotes the table's GIL and processes figures: " + story);
    Path html = OUT.resolve("report.html");
    assertTrue(Files.size(html) > 10_000, "report.html");
    assumeTrue(Chromium.installed(), "skipped: " + Chromium.BINARY + " is absent");
    String dom = Chromium.dom(html);
    assertTrue(dom.contains("data-rendered=\"true\""), dom);
    assertTrue(dom.contains("<table class=\"summary\">"), "the story's table");
    assertTrue(dom.contains("<h2>CpuBound --threads"), "sections named by their sample");
    assertTrue(!Pattern.compile("<h2>[^<]*\\.jar").matcher(dom).find(), "no jar path as a title");
  }
}

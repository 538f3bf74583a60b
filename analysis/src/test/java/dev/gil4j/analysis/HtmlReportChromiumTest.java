package dev.gil4j.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gil4j.testkit.Chromium;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Opens the scenario's HTML report in headless Chromium (Debian's {@code chromium}) and checks what
 * its script drew: one percentile plot per expected lock with a wait series, and a timeline lane
 * per worker with holds, waits and per-period shares; then takes a screenshot, {@code
 * target/gil4j-report/report.png}. Skipped, saying so, where {@code /usr/bin/chromium} is absent.
 */
class HtmlReportChromiumTest {
  static final Path OUT = Path.of("target", "gil4j-report");

  private static Path html;
  private static String dom;

  @BeforeAll
  static void render() throws Exception {
    assumeTrue(
        Chromium.installed(),
        "skipped: " + Chromium.BINARY + " is absent (apt-get install chromium)");
    Files.createDirectories(OUT);
    html = OUT.resolve("report.html").toAbsolutePath();
    ReportCommandTest.Run r =
        ReportCommandTest.report(
            ContentionScenario.recording().toString(), "--html", html.toString());
    assertEquals(0, r.status(), r.err());
    dom = Chromium.dom(html);
  }

  private static List<String> elements(String tag, String cls) {
    Matcher m =
        Pattern.compile(
                "<" + tag + " [^>]*class=\"" + cls + "\"[^>]*>.*?</" + tag + ">", Pattern.DOTALL)
            .matcher(dom);
    List<String> out = new ArrayList<>();
    while (m.find()) {
      out.add(m.group());
    }
    return out;
  }

  @Test
  void theScriptRanToTheEnd() {
    assertTrue(dom.contains("data-rendered=\"true\""), dom);
  }

  @Test
  void everyTopLockAndTheGilGetAPercentilePlotWithAWaitSeries() throws Exception {
    RecordingSummary s = RecordingSummary.read(ContentionScenario.recording());
    long locksWithWaits = s.locks().stream().filter(l -> l.waits().getTotalCount() > 0).count();
    List<String> plots = elements("svg", "percentile-plot");
    assertEquals(1 + Math.min(HtmlReport.PLOTS - 1, locksWithWaits), plots.size(), dom);
    assertTrue(plots.get(0).contains("data-title=\"GIL\""));
    assertTrue(plots.stream().anyMatch(p -> p.contains("data-title=\"ReentrantLock\"")));
    for (String plot : plots) {
      Matcher wait =
          Pattern.compile("<path class=\"series wait\" d=\"M([0-9. L]+)\"").matcher(plot);
      assertTrue(wait.find(), plot);
      assertTrue(wait.group(1).split("L").length >= 2, "a line, not a point: " + wait.group(1));
      for (String tick : List.of(">0%<", ">90%<", ">99%<")) {
        assertTrue(plot.contains(tick), tick + " in " + plot);
      }
    }
    assertTrue(
        plots.stream()
            .filter(p -> p.contains("data-title=\"ReentrantLock\""))
            .findFirst()
            .orElseThrow()
            .contains("class=\"series hold\""));
  }

  @Test
  void everyWorkerGetsATimelineLaneWithHoldsWaitsAndShares() {
    List<String> timeline = elements("svg", "gil-timeline");
    assertEquals(1, timeline.size());
    for (int i = 1; i <= ContentionScenario.WORKERS; i++) {
      Matcher lane =
          Pattern.compile(
                  "<g class=\"lane\" data-thread=\"worker-" + i + "\">(.*?)</g>", Pattern.DOTALL)
              .matcher(timeline.get(0));
      assertTrue(lane.find(), "lane of worker-" + i);
      for (String part : List.of("hold-span", "wait-span", "held", "waiting", "released")) {
        assertTrue(lane.group(1).contains("class=\"" + part + "\""), part + " in worker-" + i);
      }
    }
  }

  @Test
  void aScreenshotShowsThePage() throws Exception {
    Path png = OUT.resolve("report.png").toAbsolutePath();
    Files.deleteIfExists(png);
    Chromium.screenshot(html, png);
    byte[] bytes = Files.readAllBytes(png);
    assertTrue(bytes.length > 20_000, "screenshot of " + bytes.length + " bytes");
    assertEquals((byte) 0x89, bytes[0]);
    assertEquals('P', bytes[1]);
  }
}

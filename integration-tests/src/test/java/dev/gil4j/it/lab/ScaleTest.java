package dev.gil4j.it.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gil4j.it.Samples;
import dev.gil4j.testkit.Child;
import dev.gil4j.testkit.ChildRun;
import dev.gil4j.testkit.Chromium;
import dev.gil4j.testkit.Jdk;
import dev.gil4j.testkit.RunningChild;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code java -jar gil4j-agent.jar scale} end to end: the real command from the real agent jar,
 * sweeping real applications in child JVMs. One sweep of {@code CpuBound} over 1–4 threads × {@code
 * nogil}, {@code gil:5ms}, {@code procs} is read four ways — the table on stdout, {@code
 * results.csv}, {@code results.json} and {@code report.html} in headless Chromium — which must
 * agree; then bad command lines, an application that crashes in one configuration and hangs in
 * another, and a Ctrl-C in the middle of a sweep.
 */
class ScaleTest {
  private static final Path OUT = Path.of("target", "gil4j-scale").toAbsolutePath();
  private static final Path TEST_CLASSES = Path.of("target", "test-classes").toAbsolutePath();
  private static final Jdk JDK = Jdk.available().findFirst().orElseThrow();
  private static final List<String> MODES = List.of("nogil", "gil:5ms", "procs");
  private static final List<Integer> THREADS = List.of(1, 2, 3, 4);

  private static ChildRun sweep;
  private static Path dir;

  @BeforeAll
  static void sweepCpuBound() throws IOException {
    dir = OUT.resolve("cpu");
    delete(dir);
    sweep =
        scale(
            Duration.ofMinutes(6),
            "--threads",
            "1,2,3,4",
            "--modes",
            String.join(",", MODES),
            "--repeat",
            "1",
            "--timeout",
            "2m",
            "--out",
            dir.toString(),
            "--",
            "-cp",
            Samples.classes().toAbsolutePath() + ":" + Child.agentJar().toAbsolutePath(),
            "dev.gil4j.samples.CpuBound",
            "--threads",
            "{threads}",
            "--work",
            "100000000",
            "--workers",
            "{workers}");
    System.out.println(sweep.stdout());
  }

  private static ChildRun scale(Duration timeout, String... args) {
    List<String> all = new ArrayList<>(List.of("scale"));
    all.addAll(Arrays.asList(args));
    return Child.java(JDK, List.of(Child.agentJar()), "dev.gil4j.agent.Premain")
        .withArgs(all.toArray(String[]::new))
        .withTimeout(timeout)
        .run();
  }

  @Test
  void theTableTheCsvAndTheJsonAgree() throws IOException {
    sweep.assertSucceeded();
    Map<String, String[]> table = new HashMap<>();
    for (String line : sweep.stdout().split("\n")) {
      String[] cells = line.trim().split("\\s{2,}");
      if (cells.length == 11 && MODES.contains(cells[0])) {
        table.put(cells[0] + "/" + cells[1], cells);
      }
    }
    List<String> csv = Files.readAllLines(dir.resolve("results.csv"), StandardCharsets.UTF_8);
    String json = Files.readString(dir.resolve("results.json"));
    assertEquals(MODES.size() * THREADS.size(), table.size(), sweep.stdout());
    assertEquals(MODES.size() * THREADS.size() + 1, csv.size(), String.join("\n", csv));
    assertTrue(json.contains("\"complete\": true"), json);
    List<String> header = csvCells(csv.get(0));
    for (String row : csv.subList(1, csv.size())) {
      List<String> cells = csvCells(row);
      String mode = cells.get(header.indexOf("mode"));
      String threads = cells.get(header.indexOf("threads"));
      String[] shown = table.get(mode + "/" + threads);
      double median = Double.parseDouble(cells.get(header.indexOf("median")));
      assertEquals("ok", cells.get(header.indexOf("status")), row);
      assertEquals(median, number(shown[2]), median * 1e-3, "table vs csv median: " + row);
      assertEquals(median, jsonMedian(json, mode, Integer.parseInt(threads)), median * 1e-5);
      double speedup = Double.parseDouble(cells.get(header.indexOf("speedup")));
      assertEquals(speedup, number(shown[4]), 0.006, "table vs csv speedup: " + row);
      String held = cells.get(header.indexOf("gil_held"));
      if (mode.equals("nogil")) {
        assertEquals("-", shown[6], "no GIL, no GIL share: " + row);
      } else {
        assertEquals(Double.parseDouble(held) * 100, number(shown[6]), 0.51, row);
      }
    }
  }

  @Test
  void underTheGilCpuBoundThreadsTakeTurnsAndWaitForIt() throws IOException {
    sweep.assertSucceeded();
    List<String> csv = Files.readAllLines(dir.resolve("results.csv"), StandardCharsets.UTF_8);
    List<String> header = csvCells(csv.get(0));
    for (String row : csv.subList(1, csv.size())) {
      List<String> cells = csvCells(row);
      if (cells.get(0).equals("gil:5ms") && !cells.get(1).equals("1")) {
        double waiting = Double.parseDouble(cells.get(header.indexOf("gil_waiting")));
        double rate = Double.parseDouble(cells.get(header.indexOf("handoffs_per_s")));
        double held = Double.parseDouble(cells.get(header.indexOf("gil_held")));
        int threads = Integer.parseInt(cells.get(1));
        assertTrue(waiting > 0.1, "threads wait for the GIL: " + row);
        assertTrue(rate > 20, "the GIL changes hands about every 5 ms: " + row);
        // One holder at a time: the threads together hold it at most for the wall time, while
        // each of them is registered for about all of it (main, joining, is registered too).
        assertTrue(held <= 1.0 / threads + 0.05, "one holder at a time: " + row);
      }
    }
  }

  @Test
  void eachRunLeavesASummaryPerProcessAndNoRecording() throws IOException {
    sweep.assertSucceeded();
    assertFalse(Files.exists(dir.resolve("recordings")), "no JFR recording unless --jfr");
    try (var logs = Files.list(dir.resolve("logs"))) {
      List<String> summaries =
          logs.map(p -> p.getFileName().toString())
              .filter(n -> n.startsWith("procs-t2-r1.summary"))
              .toList();
      assertEquals(3, summaries.size(), "the parent's and its two processes': " + summaries);
    }
  }

  @Test
  void eachModeIsProjectedAndCheckedOnTheHeldOutPoint() throws IOException {
    sweep.assertSucceeded();
    String table = sweep.stdout();
    assertTrue(table.contains("projections: Amdahl's law and the USL"), table);
    String json = Files.readString(dir.resolve("results.json"));
    for (String mode : MODES) {
      int at = table.indexOf("\n" + mode + "\n", table.indexOf("projections:"));
      assertTrue(at > 0, "a projection block for " + mode + " in " + table);
      Matcher next = Pattern.compile("\\n\\S").matcher(table);
      int end = next.find(at + mode.length() + 2) ? next.start() : table.length();
      String block = table.substring(at, end);
      for (String law : List.of("Amdahl: ", "USL: ")) {
        assertTrue(block.contains(law), law + " for " + mode + " in " + block);
      }
      assertTrue(block.contains("speedup at 64: "), block);
      // Amdahl needs 2 thread counts: fitted on 1-3 threads, it predicts the 4th.
      assertTrue(block.contains("held out n=4 from n<4: predicted "), block);
      Matcher fit =
          Pattern.compile(
                  "\"mode\": \""
                      + Pattern.quote(mode)
                      + "\",\\s*\"law\": \"amdahl\",.*?"
                      + "\"held_out\": \\{\\s*\"n\": 4,\\s*\"predicted_speedup\": ([0-9.eE+-]+)",
                  Pattern.DOTALL)
              .matcher(json);
      assertTrue(fit.find(), "the held-out check of " + mode + " in " + json);
      assertTrue(Double.parseDouble(fit.group(1)) > 0, fit.group());
    }
  }

  @Test
  void theReportDrawsEveryModeInChromium() throws Exception {
    sweep.assertSucceeded();
    assumeTrue(Chromium.installed(), "skipped: " + Chromium.BINARY + " is absent");
    Path html = dir.resolve("report.html");
    String dom = Chromium.dom(html);
    assertTrue(dom.contains("data-rendered=\"true\""), "every plot laid out: " + dom);
    Matcher speedup =
        Pattern.compile("<svg class=\"plot speedup\".*?</svg>", Pattern.DOTALL).matcher(dom);
    assertTrue(speedup.find(), dom);
    assertTrue(speedup.group().contains("class=\"ideal\""), "the ideal line");
    for (String mode : MODES) {
      Matcher series =
          Pattern.compile(
                  "<g class=\"series\" data-mode=\"" + mode + "\">(.*?)</g>", Pattern.DOTALL)
              .matcher(speedup.group());
      assertTrue(series.find(), mode + " in " + speedup.group());
      Matcher points = Pattern.compile("<circle class=\"point\"").matcher(series.group(1));
      int count = 0;
      while (points.find()) {
        count++;
      }
      assertEquals(THREADS.size(), count, "a point per thread count for " + mode);
    }
    for (String mode : MODES) {
      assertTrue(
          dom.contains("<g class=\"fit\" data-mode=\"" + mode + "\""),
          "a projected curve for " + mode);
    }
    for (String plot : List.of("plot projection", "plot shares", "plot switch-rate")) {
      assertTrue(dom.contains("<svg class=\"" + plot + "\""), plot);
    }
    Path png = dir.resolve("report.png");
    Files.deleteIfExists(png);
    Chromium.screenshot(html, png);
    assertTrue(Files.size(png) > 20_000, "a screenshot with something on it");
  }

  @Test
  void badCommandLinesGetOneLineAndExitStatus2() {
    String[][] bad = {
      {"--modes", "gil:fast", "--", "-cp", ".", "Main", "{threads}"},
      {"--modes", "gil:20s", "--", "-cp", ".", "Main", "{threads}"},
      {"--threads", "1,2", "-cp", ".", "Main"},
      {"--threads", "1,2", "--", "-cp", ".", "Main"},
      {"--modes", "procs", "--threads", "2", "--", "-cp", ".", "Main"},
      {"--repeat", "0", "--", "-cp", ".", "Main"},
      {"--frobnicate", "1", "--", "-cp", ".", "Main"},
    };
    String[] expected = {
      "bad mode 'gil:fast' in --modes; accepted: nogil, gil, gil:DURATION",
      "bad mode 'gil:20s' in --modes: bad value for option switch",
      "missing '--' before the application's java arguments",
      "no {threads} placeholder",
      "mode procs needs a {workers} placeholder",
      "bad --repeat '0'; accepted: integers from 1 to 100",
      "unknown option '--frobnicate'; accepted:",
    };
    for (int i = 0; i < bad.length; i++) {
      ChildRun run = scale(Duration.ofSeconds(60), bad[i]);
      assertEquals(2, run.exitCode(), run.describe());
      List<String> lines = run.stderrLines();
      assertEquals(1, lines.size(), run.describe());
      assertTrue(lines.get(0).startsWith("gil4j scale: "), lines.get(0));
      assertTrue(lines.get(0).contains(expected[i]), lines.get(0));
      assertEquals("", run.stdout(), run.describe());
    }
  }

  @Test
  void aCrashAndAHangAreReportedWhileTheSweepGoesOn() throws IOException {
    Path out = OUT.resolve("flaky");
    delete(out);
    ChildRun run =
        scale(
            Duration.ofMinutes(3),
            "--threads",
            "1,2,3",
            "--modes",
            "nogil",
            "--repeat",
            "1",
            "--timeout",
            "15s",
            "--out",
            out.toString(),
            "--",
            "-cp",
            TEST_CLASSES.toString(),
            Flaky.class.getName(),
            "{threads}");
    run.assertSucceeded();
    assertTrue(
        run.stdout().contains("threads=2 run 1: exit status 3: Flaky: failing"), run.stdout());
    assertTrue(
        run.stdout().contains("threads=3 run 1: no end after 15 s; threads dumped to"),
        run.stdout());
    String dump = Files.readString(out.resolve("logs").resolve("nogil-t3-r1.threads.txt"));
    assertTrue(dump.contains("dev.gil4j.it.lab.Flaky.main"), dump);
    String json = Files.readString(out.resolve("results.json"));
    for (String status : List.of("\"ok\"", "\"failed\"", "\"timed_out\"")) {
      assertTrue(json.contains("\"status\": " + status), status + " in " + json);
    }
  }

  @Test
  void ctrlCStopsTheSweepAndKeepsEveryFinishedRun() throws Exception {
    Path out = OUT.resolve("interrupted");
    delete(out);
    try (RunningChild scale =
        Child.java(JDK, List.of(Child.agentJar()), "dev.gil4j.agent.Premain")
            .withArgs(
                "scale",
                "--threads",
                "1,3",
                "--modes",
                "nogil",
                "--timeout",
                "5m",
                "--out",
                out.toString(),
                "--",
                "-cp",
                TEST_CLASSES.toString(),
                Flaky.class.getName(),
                "{threads}")
            .withTimeout(Duration.ofMinutes(3))
            .withLabel("scale-interrupted")
            .start()) {
      Path csv = out.resolve("results.csv");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      while (!(Files.exists(csv) && Files.readString(csv).contains("nogil,1,"))) {
        if (System.nanoTime() > deadline || !scale.isAlive()) {
          fail("no finished run after 90 s:\n" + scale.describe());
        }
        Thread.sleep(100);
      }
      Thread.sleep(1000);
      List<ProcessHandle> children = scale.handle().descendants().toList();
      assertFalse(children.isEmpty(), "the hanging run is under way");
      // SIGTERM, which takes the same path through the JVM's shutdown hooks as the SIGINT of a
      // Ctrl-C: a JVM started from a background job inherits SIGINT ignored and never sees it.
      scale.signal("TERM");
      int status = scale.awaitExit(Duration.ofSeconds(60));
      String text = scale.stdout() + scale.stderr();
      assertEquals(143, status, text);
      assertTrue(text.contains("gil4j scale: stopped; the 1 finished run(s) are kept in"), text);
      String kept = Files.readString(csv);
      assertTrue(kept.contains("nogil,1,"), kept);
      assertFalse(kept.contains("nogil,3,"), "the interrupted run is not counted: " + kept);
      assertTrue(Files.readString(out.resolve("results.json")).contains("\"complete\": false"));
      for (ProcessHandle child : children) {
        assertTrue(child.onExit().get(30, TimeUnit.SECONDS) != null && !child.isAlive());
      }
    }
  }

  private static double jsonMedian(String json, String mode, int threads) {
    Matcher m =
        Pattern.compile(
                "\"mode\": \""
                    + Pattern.quote(mode)
                    + "\",\\s*\"threads\": "
                    + threads
                    + ",.*?\"median\": ([0-9.eE+-]+)",
                Pattern.DOTALL)
            .matcher(json);
    assertTrue(m.find(), mode + "/" + threads + " in " + json);
    return Double.parseDouble(m.group(1));
  }

  private static double number(String cell) {
    return Double.parseDouble(cell.replaceAll("[^0-9.]", ""));
  }

  private static List<String> csvCells(String row) {
    List<String> cells = new ArrayList<>();
    Matcher m = Pattern.compile("\"((?:[^\"]|\"\")*)\"|([^,]*)").matcher(row);
    int at = 0;
    while (at <= row.length() && m.find(at)) {
      cells.add(m.group(1) != null ? m.group(1).replace("\"\"", "\"") : m.group(2));
      at = m.end() + 1;
    }
    return cells;
  }

  static void delete(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (var files = Files.walk(dir)) {
        for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(f);
        }
      }
    }
  }
}

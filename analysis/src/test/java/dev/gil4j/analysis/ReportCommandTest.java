package dev.gil4j.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ReportCommandTest {
  @TempDir Path dir;

  /** Exit status, stdout, stderr. */
  record Run(int status, String out, String err) {}

  static Run report(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status =
        ReportCommand.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(
        status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void textReportRanksTheCacheLockFirstWithPercentilesAndOwners() throws Exception {
    Run r = report(ContentionScenario.recording().toString());
    assertEquals(0, r.status(), r.err());
    assertEquals("", r.err());
    List<String> lines = Arrays.asList(r.out().split("\n"));
    int locks = lines.indexOf("Locks, most total wait first");
    assertTrue(locks > 0, r.out());
    String first = lines.get(locks + 2);
    assertTrue(first.contains("ReentrantLock " + ContentionScenario.CACHE), r.out());
    assertTrue(first.trim().startsWith("1 "), first);
    String detail = lines.get(locks + 3);
    assertTrue(detail.contains("hold p50="), detail);
    assertTrue(detail.contains("owners while others waited: cache-"), detail);
    assertTrue(r.out().contains("Semaphore " + ContentionScenario.QUIET), r.out());
    assertTrue(
        r.out().contains("synchronized " + ContentionScenario.Ledger.class.getName()), r.out());
    assertTrue(r.out().contains("from jdk.JavaMonitorEnter"), r.out());
    assertTrue(r.out().contains("owners while others waited: ledger-holder 100%"), r.out());
  }

  @Test
  void textReportShowsGilLoadPerThreadRevocationsPipesAndRules() throws Exception {
    Run r = report(ContentionScenario.recording().toString());
    String out = r.out();
    assertTrue(out.contains("GIL load per thread (gil4j.GilStatistics)"), out);
    for (int i = 1; i <= ContentionScenario.WORKERS; i++) {
      assertTrue(out.contains("\n  worker-" + i + " "), out);
    }
    assertTrue(out.contains("\n  all threads "), out);
    assertTrue(out.contains("hand-offs "), out);
    assertTrue(out.contains("GIL waits over threshold (gil4j.GilWait): n="), out);
    assertTrue(out.contains("GIL holds over threshold (gil4j.GilDrop): n="), out);
    assertTrue(out.contains("GIL revocations (gil4j.GilRevoke): 2, by reason BLOCKED 2"), out);
    assertTrue(out.contains("at com.acme.Cache.load(Cache.java:88)"), out);
    assertTrue(out.contains("read ") && out.contains(ContentionScenario.PIPE), out);
    assertTrue(out.contains("[WARNING] GIL contention: Registered threads spent"), out);
    assertTrue(out.contains("[WARNING] Hot lock: Threads waited"), out);
  }

  @Test
  void htmlReportIsWrittenWholeAndSelfContained() throws Exception {
    Path html = dir.resolve("report.html");
    Run r = report(ContentionScenario.recording().toString(), "--html", html.toString());
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().endsWith("HTML report: " + html + "\n"), r.out());
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(html), files.collect(Collectors.toList()), "no temporary file left");
    }
    String page = Files.readString(html);
    assertTrue(page.startsWith("<!DOCTYPE html>"));
    for (String external : List.of(" src=", " href=", "url(", "@import", "https://")) {
      assertFalse(page.contains(external), "external resource: " + external);
    }
    assertTrue(page.contains("<svg") || page.contains("createElementNS"));
    assertTrue(page.contains(HtmlReport.escape(ContentionScenario.CACHE)));
  }

  static Stream<Arguments> badInputs() {
    return Stream.of(
        Arguments.of("no arguments", List.of(), "no recording given"),
        Arguments.of("missing file", List.of("{dir}/none.jfr"), "no such file"),
        Arguments.of("a text file", List.of("{text}"), "is not a JFR recording"),
        Arguments.of("an empty file", List.of("{empty}"), "is not a JFR recording"),
        Arguments.of("a truncated recording", List.of("{half}"), "corrupt or truncated"),
        Arguments.of("a garbled recording", List.of("{garbled}"), "corrupt or truncated"),
        Arguments.of("an unknown flag", List.of("{jfr}", "--pdf", "x"), "unknown option '--pdf'"),
        Arguments.of(
            "--html without a file", List.of("{jfr}", "--html"), "--html needs a file name"),
        Arguments.of(
            "--html into a missing directory",
            List.of("{jfr}", "--html", "{dir}/no/such/out.html"),
            "no such directory"),
        Arguments.of("two recordings", List.of("{jfr}", "{jfr}"), "unexpected argument"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badInputs")
  void badInputIsOneLineOnStderrExitTwoAndNothingWritten(
      String what, List<String> template, String problem) throws Exception {
    Path jfr = ContentionScenario.recording();
    byte[] whole = Files.readAllBytes(jfr);
    Path text =
        Files.writeString(dir.resolve("notes.jfr"), "these are not the events\n".repeat(40));
    Path empty = Files.write(dir.resolve("empty.jfr"), new byte[0]);
    Path half = Files.write(dir.resolve("half.jfr"), Arrays.copyOf(whole, whole.length / 2));
    byte[] garbled = whole.clone();
    for (int i = 4096; i < garbled.length; i += 97) {
      garbled[i] ^= (byte) 0x5a;
    }
    Path bad = Files.write(dir.resolve("garbled.jfr"), garbled);
    List<String> args = new ArrayList<>();
    for (String a : template) {
      args.add(
          a.replace("{dir}", dir.toString())
              .replace("{text}", text.toString())
              .replace("{empty}", empty.toString())
              .replace("{half}", half.toString())
              .replace("{garbled}", bad.toString())
              .replace("{jfr}", jfr.toString()));
    }
    if (args.size() == 1 && !args.get(0).endsWith("none.jfr") || what.startsWith("a ")) {
      args.add("--html");
      args.add(dir.resolve("out.html").toString());
    }
    Run r = report(args.toArray(new String[0]));
    assertEquals(2, r.status(), what + ": " + r.out() + r.err());
    assertEquals("", r.out(), what);
    String[] lines = r.err().split("\n");
    assertEquals(1, lines.length, r.err());
    assertTrue(lines[0].startsWith("gil4j: report: "), lines[0]);
    assertTrue(lines[0].contains(problem), lines[0]);
    assertTrue(lines[0].contains("usage: report FILE.jfr [--html OUT.html]"), lines[0]);
    assertFalse(Files.exists(dir.resolve("out.html")), "HTML written despite bad input");
    try (Stream<Path> files = Files.list(dir)) {
      assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")));
    }
  }

  @Test
  void helpPrintsUsageAndSucceeds() {
    Run r = report("--help");
    assertEquals(0, r.status());
    assertTrue(r.out().contains("report FILE.jfr [--html OUT.html]"));
  }
}

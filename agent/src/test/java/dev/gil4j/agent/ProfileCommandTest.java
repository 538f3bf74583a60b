package dev.gil4j.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code profile}'s command line: every bad argument is one line on stderr, naming it and what is
 * accepted, and exit status 2, before any process is looked at. (Attaching is tested on real JVMs
 * in integration-tests' {@code ProfileCommandTest}.)
 */
class ProfileCommandTest {
  @Test
  void badArgumentsGetOneLineAndExitStatusTwo(@TempDir Path tmp) {
    String missing = tmp.resolve("no-such-dir").resolve("x.jfr").toString();
    List<List<String>> cases =
        List.of(
            List.of(),
            List.of("12", "13"),
            List.of("-5"),
            List.of("12", "--duration"),
            List.of("12", "--duration", "30"),
            List.of("12", "--duration", "25h"),
            List.of("12", "--duration=0.5s"),
            List.of("12", "--out", missing),
            List.of("12", "--html", missing),
            List.of("12", "--out", tmp.toString()),
            List.of("12", "--verbose"));
    List<String> expected =
        List.of(
            "no pid given",
            "unexpected argument '13'",
            "unknown option '-5'",
            "--duration needs a value",
            "bad --duration '30'; accepted: a duration from 1s to 24h",
            "bad --duration '25h'",
            "bad --duration '0.5s'",
            "no such directory",
            "no such directory",
            "it is a directory",
            "unknown option '--verbose'; accepted: --duration, --out, --html");
    for (int i = 0; i < cases.size(); i++) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int status =
          ProfileCommand.run(
              cases.get(i).toArray(new String[0]),
              new PrintStream(out, true, StandardCharsets.UTF_8),
              new PrintStream(err, true, StandardCharsets.UTF_8));
      String text = err.toString(StandardCharsets.UTF_8);
      String what = cases.get(i) + " -> " + text;
      assertEquals(2, status, what);
      assertEquals(1, text.lines().count(), what);
      assertTrue(text.startsWith("gil4j: profile: "), what);
      assertTrue(text.contains(expected.get(i)), what + " should say " + expected.get(i));
      assertTrue(text.contains("usage: profile <pid>"), what);
      assertEquals("", out.toString(StandardCharsets.UTF_8), what);
    }
  }

  @Test
  void helpPrintsTheUsage() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int status =
        ProfileCommand.run(
            new String[] {"--help"},
            new PrintStream(out, true, StandardCharsets.UTF_8),
            System.err);
    assertEquals(0, status);
    assertTrue(out.toString(StandardCharsets.UTF_8).contains(ProfileCommand.USAGE));
  }
}

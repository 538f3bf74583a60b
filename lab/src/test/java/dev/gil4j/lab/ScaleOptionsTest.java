package dev.gil4j.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ScaleOptionsTest {
  private static ScaleOptions parse(String line) {
    return ScaleOptions.parse(line.split(" "));
  }

  @Test
  void defaultsSweepOneTwoFourThreadsWithoutAndWithTheGil() {
    ScaleOptions o = parse("-- -cp app.jar Main {threads}");
    assertEquals(List.of(1, 2, 4), o.threads());
    assertEquals(List.of("nogil", "gil:5ms"), o.modes().stream().map(Mode::name).toList());
    assertEquals(3, o.repeat());
    assertEquals(0, o.warmup());
    assertEquals(Duration.ofMinutes(5), o.timeout());
    assertNull(o.metric());
    assertFalse(o.jfr(), "the measured runs carry no recording unless asked");
    assertEquals(List.of("-cp", "app.jar", "Main", "{threads}"), o.application());
  }

  @Test
  void everyOptionIsRead() {
    ScaleOptions o =
        parse(
            "--threads 8,1,2 --modes nogil,gil:1ms,ticks:100,tokens:2,procs --repeat 5 --warmup 1"
                + " --timeout 90s --out target/x --metric ops:higher --agent include=com.acme.* --jfr"
                + " -- -cp app.jar Main --threads {threads} --as {workers}");
    assertEquals(List.of(1, 2, 8), o.threads());
    assertEquals(
        List.of(
            "gil=off",
            "gil=on,switch=1ms",
            "gil=on,policy=ticks,ticks=100",
            "gil=on,tokens=2",
            "gil=on"),
        o.modes().stream().map(Mode::agentOptions).toList());
    assertTrue(o.modes().get(4).processes());
    assertEquals(5, o.repeat());
    assertEquals(1, o.warmup());
    assertEquals(Duration.ofSeconds(90), o.timeout());
    assertEquals("ops", o.metric());
    assertFalse(o.lowerIsBetter());
    assertTrue(o.jfr());
    assertEquals(
        "gil=on,tokens=2,include=com.acme.*", ScaleOptions.combined(o.modes().get(3), o.agent()));
    assertEquals(
        List.of("-cp", "app.jar", "Main", "--threads", "8", "--as", "processes"),
        o.applicationFor(o.modes().get(4), 8));
    assertEquals(
        List.of("-cp", "app.jar", "Main", "--threads", "2", "--as", "threads"),
        o.applicationFor(o.modes().get(0), 2));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "--modes gil:fast -- Main {threads}|bad mode 'gil:fast' in --modes; accepted: nogil, gil,",
        "--modes gil:0us -- Main {threads}|bad mode 'gil:0us' in --modes: bad value for option"
            + " switch",
        "--modes tokens:0 -- Main {threads}|bad mode 'tokens:0'",
        "--modes nogil,nogil -- Main {threads}|mode 'nogil' given twice",
        "--threads 1,2 Main {threads}|missing '--'",
        "--threads 1,2 --|nothing after '--'",
        "--threads 1,2 -- Main|no {threads} placeholder",
        "--threads 0 -- Main|bad --threads '0'; accepted: integers from 1 to 4096",
        "--modes procs --threads 2 -- Main|mode procs needs a {workers} placeholder",
        "--repeat x -- Main|bad --repeat 'x'",
        "--timeout 5 -- Main|bad --timeout '5'; accepted: a duration from 100ms to 24h",
        "--metric a:b -- Main|bad --metric 'a:b'; accepted after the name: :lower or :higher",
        "--agent profile=maybe -- Main {threads}|bad --agent 'profile=maybe': bad value for"
            + " option profile",
        "--agent gil=off -- Main {threads}|bad --agent 'gil=off': gil is set by --modes",
        "--agent summary=s.json -- Main {threads}|bad --agent 'summary=s.json': summary is set by"
            + " --modes and by scale itself",
        "--agent jfr=x.jfr -- Main {threads}|jfr is set by --modes and by scale itself",
        "--agent jfc=pom.xml -- Main {threads}|bad --agent 'jfc=pom.xml': jfc needs --jfr",
        "--jfr=yes -- Main|bad --jfr 'yes'; accepted: --jfr alone",
        "--java /nonexistent -- Main|bad --java '/nonexistent'",
        "--repeat -- Main|option --repeat needs a value",
        "--what 1 -- Main|unknown option '--what'",
      })
  void badCommandLinesSayWhatIsWrongAndWhatIsAccepted(String line, String message) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse(line));
    assertTrue(e.getMessage().contains(message), e.getMessage());
  }

  @Test
  void jfcIsAcceptedWithJfr() {
    assertEquals("jfc=pom.xml", parse("--jfr --agent jfc=pom.xml -- Main {threads}").agent());
  }

  @Test
  void timeUnitsMeanLowerIsBetterUnlessSaidOtherwise() {
    assertTrue(Sweep.Metric.of("wall_ms", "ms", null).lowerIsBetter());
    assertFalse(Sweep.Metric.of("ops", "1/s", null).lowerIsBetter());
    assertTrue(Sweep.Metric.of("slowdown_x", "x", true).lowerIsBetter());
  }
}

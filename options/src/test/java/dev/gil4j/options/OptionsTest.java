package dev.gil4j.options;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OptionsTest {
  @Test
  void noOptionsMeansCpythonDefaults() {
    Options o = Options.parse(null);
    assertTrue(o.gil());
    assertEquals("cpython", o.policy());
    assertEquals(5_000_000L, o.switchNanos());
    assertEquals(1, o.tokens());
    assertEquals("stderr", o.report());
  }

  @ParameterizedTest
  @CsvSource({"5ms,5000000", "500us,500000", "0.005s,5000000", "1us,1000", "10s,10000000000"})
  void switchIntervalsTakeUnits(String text, long nanos) {
    assertEquals(nanos, Options.parse("switch=" + text).switchNanos());
  }

  @Test
  void everyKeyIsParsed() {
    Options o =
        Options.parse(
            "gil=off,policy=ticks,ticks=50,tokens=4,profile=off,include=com.acme.*|org.x.Y,exclude=*Test,keepgil=com.github.luben.zstd.Zstd.*,report=off");
    assertFalse(o.gil());
    assertFalse(o.profile());
    assertEquals("ticks", o.policy());
    assertEquals(50, o.ticks());
    assertEquals(4, o.tokens());
    assertEquals(List.of("com.acme.*", "org.x.Y"), o.include());
    assertEquals(List.of("*Test"), o.exclude());
    assertEquals(List.of("com.github.luben.zstd.Zstd.*"), o.keepgil());
    assertEquals("off", o.report());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = ';',
      value = {
        "swich=5ms; unknown option 'swich'; accepted: gil, switch",
        "switch=fast; bad value for option switch: 'fast'; accepted: a duration from 1us to 10s",
        "switch=0ms; bad value for option switch: '0ms'",
        "switch=20s; bad value for option switch: '20s'",
        "ticks=0; bad value for option ticks: '0'; accepted: a whole number from 1",
        "tokens=2000; bad value for option tokens: '2000'",
        "policy=fifo; bad value for option policy: 'fifo'; accepted: cpython or ticks",
        "gil=maybe; bad value for option gil: 'maybe'; accepted: on or off",
        "include=a b; bad value for option include",
        "keepgil=a(b); bad value for option keepgil: 'a(b)'; accepted: method-name globs",
        "report=/no/such/dir/r.txt; bad value for option report",
        "gil=on,gil=off; option 'gil' given twice",
        "switch; bad option 'switch': expected key=value",
        "jfr=/no/such/dir/x.jfr; bad value for option jfr: '/no/such/dir/x.jfr'; accepted: a file in",
        "jfr=x.jfr,jfc=/no/such.jfc; bad value for option jfc",
        "jfc=pom.xml; option jfc needs option jfr",
        "summary=/no/such/dir/s.json; bad value for option summary: '/no/such/dir/s.json';"
            + " accepted: a file in an existing directory",
        "summary=; bad value for option summary",
      })
  void badOptionsNameTheOptionTheValueAndWhatIsAccepted(String text, String message) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Options.parse(text));
    assertTrue(e.getMessage().startsWith(message), e.getMessage());
    assertFalse(e.getMessage().contains("\n"));
  }

  @Test
  void percentPInAFileNameBecomesTheProcessId() {
    long pid = ProcessHandle.current().pid();
    Options o =
        Options.parse("report=target/r-%p.txt,jfr=target/app-%p-%p.jfr,summary=target/s-%p.json");
    assertEquals("target/r-" + pid + ".txt", o.report());
    assertEquals("target/app-" + pid + "-" + pid + ".jfr", o.jfr());
    assertEquals("target/s-" + pid + ".json", o.summary());
  }

  @Test
  void theStartLineSaysWhatIsInForce() {
    assertEquals(
        "gil=on policy=cpython switch=1ms tokens=2 profile=on report=stderr",
        Options.parse("switch=1ms,tokens=2").describe());
    assertEquals(
        "gil=off profile=off report=off",
        Options.parse("gil=off,profile=off,report=off").describe());
  }
}

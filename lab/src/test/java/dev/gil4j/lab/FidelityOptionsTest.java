package dev.gil4j.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FidelityOptionsTest {
  @Test
  void defaultsArePython3OnThePathAMinuteAndGil4jFidelity() {
    FidelityOptions o = FidelityOptions.parse(new String[0]);
    assertNull(o.python());
    assertEquals(Path.of("gil4j-fidelity"), o.out());
    assertEquals(Duration.ofSeconds(60), o.timeout());
    assertEquals(List.of("cpu", "overlap", "handoffs", "convoy", "locks"), o.only());
    assertEquals(0, o.load());
  }

  @Test
  void onlyNamesExperimentsAndLoadCountsProcesses() {
    FidelityOptions o = FidelityOptions.parse(new String[] {"--only", "locks,convoy", "--load=4"});
    assertEquals(List.of("locks", "convoy"), o.only());
    assertEquals(4, o.load());
    assertEquals(
        List.of("convoy", "lock contention"),
        FidelityExperiment.select(o.only()).stream().map(FidelityExperiment::name).toList(),
        "in the order they run");
  }

  @Test
  void optionsTakeTheirValueAfterASpaceOrAnEqualsSign() {
    FidelityOptions o =
        FidelityOptions.parse(
            new String[] {"--python", "/opt/py/bin/python3", "--out=target/f", "--timeout", "2m"});
    assertEquals(Path.of("/opt/py/bin/python3"), o.python());
    assertEquals(Path.of("target/f"), o.out());
    assertEquals(Duration.ofMinutes(2), o.timeout());
  }

  @ParameterizedTest
  @CsvSource({"90s,90000", "1.5m,90000", "2500ms,2500", "1h,3600000"})
  void timeoutsTakeUnits(String text, long millis) {
    assertEquals(
        Duration.ofMillis(millis),
        FidelityOptions.parse(new String[] {"--timeout=" + text}).timeout());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "--bogus|unknown option '--bogus'; accepted: --python PATH, --out DIR, --timeout DURATION, --only NAME,..., --load N",
        "extra|unexpected argument 'extra'; accepted: --python PATH, --out DIR, --timeout DURATION, --only NAME,..., --load N",
        "--python|option --python needs a value",
        "--out=|option --out needs a value",
        "--timeout=5x|bad --timeout '5x'; accepted: a duration from 1s to 1h, e.g. 90s, 5m",
        "--timeout=500ms|bad --timeout '500ms'; accepted: a duration from 1s to 1h, e.g. 90s, 5m",
        "--timeout=2h|bad --timeout '2h'; accepted: a duration from 1s to 1h, e.g. 90s, 5m",
        "--only=cpu,gil|bad --only 'cpu,gil': comma-separated names from cpu, overlap, handoffs,"
            + " convoy, locks",
        "--only=cpu,|bad --only 'cpu,': comma-separated names from cpu, overlap, handoffs, convoy,"
            + " locks",
        "--load=-1|bad --load '-1': a number of processes from 0 to 64",
        "--load=65|bad --load '65': a number of processes from 0 to 64",
        "--load=two|bad --load 'two': a number of processes from 0 to 64"
      })
  void aBadOptionIsOneLineThatSaysWhatIsAccepted(String arg, String message) {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> FidelityOptions.parse(new String[] {arg}));
    assertEquals(message, e.getMessage());
  }

  @Test
  void theOutputDirectoryMustNotBeAFile(@TempDir Path dir) throws IOException {
    Path file = Files.createFile(dir.resolve("taken"));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> FidelityOptions.parse(new String[] {"--out", file.toString()}));
    assertTrue(e.getMessage().contains("a file, not a directory"), e.getMessage());
  }
}

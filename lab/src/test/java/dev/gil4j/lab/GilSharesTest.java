package dev.gil4j.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading the agent's summaries back: one run's files added up, and what is not a summary. */
class GilSharesTest {
  @TempDir Path dir;

  private Path write(String name, String json) throws IOException {
    return Files.writeString(dir.resolve(name), json);
  }

  private static String summary(long elapsed, String gil, String locks) {
    return "{\"gil4j_summary\": 1, \"pid\": 7, \"elapsed_ns\": "
        + elapsed
        + ",\n \"gil\": "
        + gil
        + ",\n \"locks\": ["
        + locks
        + "]}\n";
  }

  private static String gil(long held, long waiting, long released, long handOffs) {
    return "{\"policy\": \"cpython\", \"switch_ns\": 5000000, \"tokens\": 1, \"threads\": 2,"
        + " \"registered_ns\": "
        + (held + waiting + released)
        + ", \"held_ns\": "
        + held
        + ", \"waiting_ns\": "
        + waiting
        + ", \"released_ns\": "
        + released
        + ", \"hand_offs\": "
        + handOffs
        + ", \"drop_requests\": 0, \"forced_drops\": 0, \"revocations\": 1}";
  }

  private static String lock(String kind, String site, long waitNanos) {
    return "{\"kind\": \""
        + kind
        + "\", \"site\": \""
        + site
        + "\", \"waits\": 3, \"wait_total_ns\": "
        + waitNanos
        + ", \"wait_p50_ns\": 1, \"wait_p99_ns\": 2, \"wait_max_ns\": 3, \"holds\": 0,"
        + " \"hold_total_ns\": 0}";
  }

  @Test
  void aProcessAndItsChildrenAddUp() throws IOException {
    Path parent =
        write(
            "r.summary.json",
            summary(
                2_000_000_000L,
                gil(100, 0, 900, 0),
                lock("ReentrantLock", "A.<init>(A.java:1)", 4_000_000)));
    Path child =
        write(
            "r.summary-12.json",
            summary(
                1_000_000_000L,
                gil(500, 400, 100, 300),
                lock("ReentrantLock", "A.<init>(A.java:1)", 2_000_000)
                    + ", "
                    + lock("synchronized", "java.lang.Object B.run(B.java:9)", 1_000_000)));
    GilShares g = GilShares.read(List.of(parent, child));
    assertEquals(600 / 2000.0, g.held(), 1e-9);
    assertEquals(400 / 2000.0, g.waiting(), 1e-9);
    assertEquals(1000 / 2000.0, g.released(), 1e-9);
    assertEquals(150.0, g.handOffsPerSecond(), 1e-9, "hand-offs over the longest GIL's life");
    assertEquals(2, g.revocations());
    assertEquals(
        List.of(
            new GilShares.LockWait("ReentrantLock A.<init>(A.java:1)", 6.0),
            new GilShares.LockWait("synchronized java.lang.Object B.run(B.java:9)", 1.0)),
        g.topLocks());
  }

  @Test
  void withoutAGilOnlyTheLocksCount() throws IOException {
    GilShares g =
        GilShares.read(
            List.of(write("s.json", summary(5, "null", lock("Semaphore", "S.<init>()", 9)))));
    assertTrue(Double.isNaN(g.held()));
    assertEquals(1, g.topLocks().size());
    assertNull(GilShares.read(List.of(write("n.json", summary(5, "null", "")))));
  }

  @Test
  void whatIsNotASummaryIsNamedWithTheFile() throws IOException {
    for (String[] bad :
        new String[][] {
          {"{\"gil4j_summary\": 1, \"pid\": 12", "not JSON at character 30: expected '}'"},
          {summary(5, "null", "").replace("\": 1,", "\": 2,"), "gil4j_summary is 2, this lab"},
          {summary(5, "{\"held_ns\": \"x\"}", ""), "registered_ns is not a whole number"},
          {"[]", "the summary is not a JSON object"},
        }) {
      Path file = write("bad.json", bad[0]);
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> GilShares.read(List.of(file)));
      assertTrue(e.getMessage().startsWith(file + ": " + bad[1]), e.getMessage());
    }
    assertThrows(
        NoSuchFileException.class, () -> GilShares.read(List.of(dir.resolve("none.json"))));
  }
}

package dev.gil4j.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChildJavaTest {
  /** A child that prints two figures, then ends with the status given as its argument. */
  public static final class Reporter {
    public static void main(String[] args) {
      System.out.println("Reporter: for people");
      System.out.println("gil4j-metric wall_ms 12.5 ms");
      System.out.println("gil4j-metric round_trips_per_s 1e4 1/s");
      System.err.println("Reporter: the last words");
      System.exit(Integer.parseInt(args[0]));
    }
  }

  /** A child that never ends by itself. */
  public static final class Sleeper {
    public static void main(String[] args) throws InterruptedException {
      Thread.sleep(Long.MAX_VALUE);
    }
  }

  @Test
  void readsTheFirstOfEachMetricAndSkipsLinesThatOnlyLookLikeOne() {
    Map<String, ChildJava.Metric> m =
        ChildJava.metrics(
            List.of(
                "gil4j-metric wall_ms 10 ms",
                "gil4j-metric wall_ms 20 ms",
                "  gil4j-metric indented 1 x",
                "gil4j-metric threads two count",
                "gil4j-metric no_unit 3",
                "gil4j-metric slowdown_x 20.8 x"));
    assertEquals(List.of("wall_ms", "slowdown_x"), List.copyOf(m.keySet()));
    assertEquals(new ChildJava.Metric("wall_ms", 10, "ms"), m.get("wall_ms"));
    assertEquals(20.8, m.get("slowdown_x").value());
  }

  @Test
  void aChildThatEndsIsReadBackWithItsStatusAndFigures(@TempDir Path dir) throws Exception {
    ChildJava java = new ChildJava(ChildJava.thisJava(), Duration.ofSeconds(60));
    ChildJava.Result ok = java.run(args(Reporter.class, "0"), dir.resolve("ok"));
    assertTrue(ok.ok());
    assertNull(ok.problem());
    assertEquals(12.5, ok.metrics().get("wall_ms").value());
    assertEquals(10_000, ok.metrics().get("round_trips_per_s").value());
    assertEquals(dir.resolve("ok.out"), ok.stdout());

    ChildJava.Result failed = java.run(args(Reporter.class, "3"), dir.resolve("failed"));
    assertFalse(failed.ok());
    assertEquals(3, failed.exit());
    assertEquals(
        "exit status 3: Reporter: the last words (log " + dir.resolve("failed.err") + ")",
        failed.problem());
  }

  @Test
  void aHungChildHasItsThreadsDumpedAndIsKilled(@TempDir Path dir) throws Exception {
    ChildJava java = new ChildJava(ChildJava.thisJava(), Duration.ofSeconds(3));
    ChildJava.Result r = java.run(args(Sleeper.class), dir.resolve("sleeper"));
    assertTrue(r.hung());
    assertEquals(-1, r.exit());
    assertEquals(dir.resolve("sleeper.threads.txt"), r.dump());
    String dump = Files.readString(r.dump());
    assertTrue(dump.contains("Sleeper.main"), dump);
    assertTrue(r.problem().startsWith("no end after 3 s; threads dumped to "), r.problem());
  }

  private static List<String> args(Class<?> main, String... args) {
    List<String> all =
        new java.util.ArrayList<>(
            List.of("-cp", System.getProperty("java.class.path"), main.getName()));
    all.addAll(List.of(args));
    return all;
  }
}

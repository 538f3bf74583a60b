package dev.gil4j.options;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** docs/options.md documents exactly the options {@link Options} accepts, in its order. */
class OptionsDocTest {
  private static final Path DOC = Path.of("../docs/options.md");

  @Test
  void docsOptionsTableHasARowPerOptionInOrder() throws Exception {
    List<String> rows =
        Files.readAllLines(DOC).stream()
            .filter(l -> l.startsWith("| `"))
            .map(l -> l.substring(3, l.indexOf('`', 3)))
            .toList();
    assertEquals(Options.KEYS, rows, DOC + " rows");
  }

  @Test
  void everyDocumentedDefaultIsTheParsersDefault() throws Exception {
    String doc = Files.readString(DOC);
    Options d = Options.DEFAULTS;
    for (String row :
        List.of(
            "| `gil` | `on`, `off` | `" + (d.gil() ? "on" : "off") + "` |",
            "| `switch` | a duration, `1us`..`10s`: `5ms`, `500us`, `0.005s` | `"
                + Durations.format(d.switchNanos())
                + "` |",
            "| `policy` | `" + String.join("`, `", Options.POLICIES) + "` | `" + d.policy() + "` |",
            "| `ticks` | `1`..`2147483647` | `" + d.ticks() + "` |",
            "| `tokens` | `1`..`1024` | `" + d.tokens() + "` |",
            "| `profile` | `on`, `off` | `" + (d.profile() ? "on" : "off") + "` |",
            "| `report` | `stderr`, `off`, a file path | `" + d.report() + "` |")) {
      assertTrue(doc.contains(row), "docs/options.md should contain: " + row);
    }
  }
}

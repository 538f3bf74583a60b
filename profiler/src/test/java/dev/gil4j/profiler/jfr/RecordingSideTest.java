package dev.gil4j.profiler.jfr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The recording side — every class of the profiler outside {@code dev.gil4j.profiler.analysis} — is
 * loaded on the boot class path inside the application, so it may use only the JDK and
 * HdrHistogram: never JMC, never the analysis side.
 */
class RecordingSideTest {
  @Test
  void recordingClassesReferenceNeitherJmcNorTheAnalysisSide() throws Exception {
    Path classes =
        Path.of(AgentRecording.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Path root = classes.resolve("dev/gil4j/profiler");
    List<String> offenders = new ArrayList<>();
    int checked = 0;
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        if (!f.toString().endsWith(".class") || f.startsWith(root.resolve("analysis"))) {
          continue;
        }
        checked++;
        // Class names in a constant pool are UTF-8 with '/' separators.
        String pool = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
        for (String banned : List.of("org/openjdk/jmc", "dev/gil4j/profiler/analysis")) {
          if (pool.contains(banned)) {
            offenders.add(classes.relativize(f) + " -> " + banned);
          }
        }
      }
    }
    assertTrue(checked > 10, "checked " + checked + " classes under " + root);
    assertEquals(List.of(), offenders);
  }
}

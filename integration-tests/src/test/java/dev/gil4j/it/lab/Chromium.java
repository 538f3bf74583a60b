package dev.gil4j.it.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Debian's headless Chromium, for tests that check what a generated page draws: the DOM after its
 * scripts ran, and a screenshot. Each call gets a fresh profile and a hard timeout.
 */
final class Chromium {
  static final Path BINARY = Path.of("/usr/bin/chromium");
  private static final long TIMEOUT_SECONDS = 120;

  private Chromium() {}

  static boolean installed() {
    return Files.isExecutable(BINARY);
  }

  /** The page's DOM once its scripts have run. */
  static String dom(Path page) throws Exception {
    return run(page, "--dump-dom");
  }

  /** A PNG screenshot of the page, into {@code png}. */
  static void screenshot(Path page, Path png) throws Exception {
    run(page, "--screenshot=" + png.toAbsolutePath());
  }

  private static String run(Path page, String what) throws Exception {
    Path dir = page.toAbsolutePath().getParent();
    Path profile = Files.createTempDirectory(dir, "chromium-profile");
    List<String> cmd =
        new ArrayList<>(
            List.of(
                BINARY.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--user-data-dir=" + profile.toAbsolutePath(),
                "--window-size=1200,2400",
                what,
                page.toAbsolutePath().toUri().toString()));
    Path log = dir.resolve("chromium.log");
    Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
    try {
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        fail("chromium did not finish within " + TIMEOUT_SECONDS + " s; see " + log);
      }
      assertEquals(0, p.exitValue(), "chromium failed; see " + log);
      return new String(out, StandardCharsets.UTF_8);
    } finally {
      delete(profile);
    }
  }

  private static void delete(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }
}

package dev.gil4j.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Debian's headless Chromium, for tests that check what a generated page draws: the DOM after its
 * scripts ran, and a screenshot. Each call gets a fresh profile and runs as a {@link Child} with a
 * 120 s hard timeout; its stderr goes to {@code chromium.stderr} beside the page.
 */
public final class Chromium {
  /** Where Debian installs it. */
  public static final Path BINARY = Path.of("/usr/bin/chromium");

  private static final Duration TIMEOUT = Duration.ofSeconds(120);

  private Chromium() {}

  /** Whether it is installed here. */
  public static boolean installed() {
    return Files.isExecutable(BINARY);
  }

  /** The page's DOM once its scripts have run. */
  public static String dom(Path page) {
    return run(page, "--dump-dom");
  }

  /** A PNG screenshot of the page, into {@code png}. */
  public static void screenshot(Path page, Path png) {
    run(page, "--screenshot=" + png.toAbsolutePath());
  }

  private static String run(Path page, String what) {
    Path dir = page.toAbsolutePath().getParent();
    try {
      Path profile = Files.createTempDirectory(dir, "chromium-profile");
      try {
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
        ChildRun run =
            Child.command(cmd).withLogs(dir.resolve("chromium")).withTimeout(TIMEOUT).quiet().run();
        if (run.exitCode() != 0) {
          throw new AssertionError("chromium failed; see " + run.stderrLog());
        }
        return run.stdout();
      } finally {
        try (Stream<Path> files = Files.walk(profile)) {
          files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

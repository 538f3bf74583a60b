package dev.gil4j.multiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A CPython process at the other end of a {@link Connection}, for the interop tests: a script run
 * with {@code python3 -c SCRIPT ADDRESS}, as a client of a Java {@link Listener} or as a listener
 * that prints {@code ready} once it listens. Each exchange must end, and python3 with status 0,
 * within the limit.
 */
final class PythonPeer {
  /** What the Java side does with its end. */
  interface Exchange {
    void with(Connection conn) throws Exception;
  }

  private PythonPeer() {}

  /** Skips the calling test class, saying {@code what} goes untested, without python3 here. */
  static void assumePython(String what) throws InterruptedException {
    boolean found;
    try {
      java.lang.Process p =
          new ProcessBuilder("python3", "-c", "import multiprocessing.connection")
              .redirectErrorStream(true)
              .start();
      found = p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
      p.destroyForcibly();
    } catch (IOException e) {
      found = false;
    }
    Assumptions.assumeTrue(
        found, "python3 with multiprocessing is not installed: " + what + " not tested");
  }

  /** {@code script} connects to a Java listener; {@code exchange} talks to it. */
  static void asClient(String script, Duration limit, Exchange exchange) throws Exception {
    Children.within(
        limit,
        () -> {
          try (Listener listener = Listener.open()) {
            java.lang.Process py = python(script, listener.address());
            try {
              try (Connection conn = listener.accept()) {
                exchange.with(conn);
              }
              awaitExit(py, limit);
            } finally {
              py.destroyForcibly();
            }
          }
        });
  }

  /** {@code script} listens at an address of its own; Java connects and {@code exchange} talks. */
  static void asListener(String script, Duration limit, Exchange exchange) throws Exception {
    Children.within(
        limit,
        () -> {
          Path dir = Files.createTempDirectory("gil4j-py-");
          Path address = dir.resolve("py.sock");
          java.lang.Process py = python(script, address);
          try {
            BufferedReader out =
                new BufferedReader(
                    new InputStreamReader(py.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("ready", out.readLine());
            try (Connection conn = Connection.connect(address)) {
              exchange.with(conn);
            }
            awaitExit(py, limit);
          } finally {
            py.destroyForcibly();
            Files.deleteIfExists(address);
            Files.deleteIfExists(dir);
          }
        });
  }

  static java.lang.Process python(String script, Path address) throws IOException {
    return new ProcessBuilder("python3", "-c", script, address.toString())
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
  }

  private static void awaitExit(java.lang.Process py, Duration limit) throws InterruptedException {
    if (!py.waitFor(limit.toSeconds(), TimeUnit.SECONDS)) {
      py.destroyForcibly();
      throw new AssertionError("python3 did not end within " + limit);
    }
    assertEquals(0, py.exitValue(), "python3's exit status");
  }
}

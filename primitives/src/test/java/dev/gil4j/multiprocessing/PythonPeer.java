package dev.gil4j.multiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gil4j.testkit.Child;
import dev.gil4j.testkit.RunningChild;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * A CPython process at the other end of a {@link Connection}, for the interop tests: a script run
 * with {@code python3 -c SCRIPT ARGS…} by the testkit's launcher, as a client of a Java {@link
 * Listener} or as a listener that prints {@code ready} once it listens. Each exchange must end, and
 * python3 with status 0, within the limit.
 */
final class PythonPeer {
  /** What the Java side does with its end. */
  interface Exchange {
    void with(Connection conn) throws Exception;
  }

  private PythonPeer() {}

  /** Skips the calling test class, saying {@code what} goes untested, without python3 here. */
  static void assumePython(String what) {
    boolean found;
    try {
      found =
          Child.command(List.of("python3", "-c", "import multiprocessing.connection"))
              .withTimeout(Duration.ofSeconds(20))
              .withLabel("python3-probe")
              .quiet()
              .tryRun()
              .succeeded();
    } catch (UncheckedIOException e) {
      found = false;
    }
    Assumptions.assumeTrue(
        found, "python3 with multiprocessing is not installed: " + what + " not tested");
  }

  /**
   * A script of {@code functions} that connects to the Java listener named by its argument and
   * calls {@code serve(conn)}; {@code exchange} talks to it.
   */
  static void asClient(String functions, String serve, Duration limit, Exchange exchange)
      throws Exception {
    String script =
        functions
            + """
            import sys
            from multiprocessing.connection import Client
            with Client(sys.argv[1], family='AF_UNIX') as conn:
                %s(conn)
            """
                .formatted(serve);
    Children.within(
        limit,
        () -> {
          try (Listener listener = Listener.open();
              RunningChild py = start(script, limit, listener.address().toString())) {
            try (Connection conn = listener.accept()) {
              exchange.with(conn);
            }
            assertEquals(0, py.awaitExit(), "python3's exit status");
          }
        });
  }

  /**
   * A script of {@code functions} that listens at the address its argument names, prints {@code
   * ready} and calls {@code serve(conn)} on the connection it accepts; Java connects and {@code
   * exchange} talks.
   */
  static void asListener(String functions, String serve, Duration limit, Exchange exchange)
      throws Exception {
    String script =
        functions
            + """
            import sys
            from multiprocessing.connection import Listener
            with Listener(sys.argv[1], family='AF_UNIX') as listener:
                print('ready', flush=True)
                with listener.accept() as conn:
                    %s(conn)
            """
                .formatted(serve);
    Children.within(
        limit,
        () -> {
          Path dir = Files.createTempDirectory("gil4j-py-");
          Path address = dir.resolve("py.sock");
          try (RunningChild py = start(script, limit, address.toString())) {
            awaitReady(py);
            try (Connection conn = Connection.connect(address)) {
              exchange.with(conn);
            }
            assertEquals(0, py.awaitExit(), "python3's exit status");
          } finally {
            Files.deleteIfExists(address);
            Files.deleteIfExists(dir);
          }
        });
  }

  /** Starts {@code python3 -c script args…}, which must end within {@code limit}. */
  static RunningChild start(String script, Duration limit, String... args) {
    List<String> command = new ArrayList<>(List.of("python3", "-c", script));
    command.addAll(List.of(args));
    return Child.command(command).withTimeout(limit).withLabel("python3").start();
  }

  /** Waits for a listening script's first line, which must be {@code ready}. */
  static void awaitReady(RunningChild py) {
    py.awaitLine("ready");
    assertEquals("ready", py.stdout().lines().findFirst().orElseThrow(), py::describe);
  }

  /** The line the script printed last, once it has ended. */
  static String lastLine(RunningChild py) {
    py.awaitExit();
    List<String> lines = py.stdout().lines().toList();
    return lines.isEmpty() ? null : lines.get(lines.size() - 1);
  }
}

package dev.gil4j.multiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * CPython's {@code authkey} challenge–response: Java against Java, and Java against a real CPython
 * 3 {@code Listener} and {@code Client}, each way round, with the right key and a wrong one.
 * CPython prints what its side saw ({@code ok <message>} or {@code AuthenticationError <message>}).
 * The CPython cases are skipped, saying so, without {@code python3}.
 */
class AuthenticationTest {
  private static final Duration LIMIT = Duration.ofSeconds(40);
  private static final byte[] KEY = "secret".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] WRONG = "guess".getBytes(StandardCharsets.US_ASCII);

  private static final String PYTHON =
      """
      import sys
      from multiprocessing import AuthenticationError
      from multiprocessing.connection import Client, Listener
      mode, address, key = sys.argv[1], sys.argv[2], sys.argv[3].encode()
      try:
          if mode == 'client':
              conn = Client(address, family='AF_UNIX', authkey=key)
          else:
              listener = Listener(address, family='AF_UNIX', authkey=key)
              print('ready', flush=True)
              conn = listener.accept()
          conn.send('hello from python')
          print('ok', conn.recv(), flush=True)
      except AuthenticationError as e:
          print('AuthenticationError', e, flush=True)
      """;

  private static boolean python() {
    try {
      java.lang.Process p = new ProcessBuilder("python3", "-c", "import multiprocessing").start();
      return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  private static java.lang.Process python(String mode, Path address, byte[] key)
      throws IOException {
    return new ProcessBuilder(
            "python3",
            "-c",
            PYTHON,
            mode,
            address.toString(),
            new String(key, StandardCharsets.US_ASCII))
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
  }

  /** The line CPython printed last, once it has ended. */
  private static String outcome(java.lang.Process py, BufferedReader out) throws Exception {
    String last = null;
    for (String line; (line = out.readLine()) != null; ) {
      last = line;
    }
    if (!py.waitFor(LIMIT.toSeconds(), TimeUnit.SECONDS)) {
      py.destroyForcibly();
      throw new AssertionError("python3 did not end within " + LIMIT);
    }
    return last;
  }

  private static BufferedReader stdout(java.lang.Process py) {
    return new BufferedReader(new InputStreamReader(py.getInputStream(), StandardCharsets.UTF_8));
  }

  @Test
  void javaPeersWithTheSameKeyTalkAndAWrongKeyFailsBothSides() throws Exception {
    Children.within(
        LIMIT,
        () -> {
          try (Listener listener = Listener.open(KEY)) {
            CompletableFuture<Connection> accepted = new CompletableFuture<>();
            Thread acceptor =
                new Thread(
                    () -> {
                      try {
                        accepted.complete(listener.accept());
                      } catch (IOException e) {
                        accepted.completeExceptionally(e);
                      }
                    });
            acceptor.start();
            try (Connection client = Connection.connect(listener.address(), KEY);
                Connection server = accepted.get(30, TimeUnit.SECONDS)) {
              client.send("hello");
              assertEquals("hello", server.recv());
            }

            CompletableFuture<Connection> refused = new CompletableFuture<>();
            Thread second =
                new Thread(
                    () -> {
                      try {
                        refused.complete(listener.accept());
                      } catch (IOException e) {
                        refused.completeExceptionally(e);
                      }
                    });
            second.start();
            AuthenticationException client =
                assertThrows(
                    AuthenticationException.class,
                    () -> Connection.connect(listener.address(), WRONG));
            assertEquals("digest sent was rejected", client.getMessage());
            Throwable server =
                assertThrows(Exception.class, () -> refused.get(30, TimeUnit.SECONDS)).getCause();
            assertEquals(AuthenticationException.class, server.getClass());
            assertEquals("digest received was wrong", server.getMessage());
          }
        });
  }

  @Test
  void aPythonClientWithTheKeyIsAcceptedAndOneWithoutItRefused() throws Exception {
    assumeTrue(python(), "python3 is not installed: authkey interop not tested");
    Children.within(
        LIMIT,
        () -> {
          try (Listener listener = Listener.open(KEY)) {
            java.lang.Process py = python("client", listener.address(), KEY);
            BufferedReader out = stdout(py);
            try (Connection conn = listener.accept()) {
              assertEquals("hello from python", conn.recv());
              conn.send("hello from java");
            }
            assertEquals("ok hello from java", outcome(py, out));

            java.lang.Process wrong = python("client", listener.address(), WRONG);
            BufferedReader wrongOut = stdout(wrong);
            AuthenticationException e =
                assertThrows(AuthenticationException.class, listener::accept);
            assertEquals("digest received was wrong", e.getMessage());
            assertEquals("AuthenticationError digest sent was rejected", outcome(wrong, wrongOut));
          }
        });
  }

  @Test
  void javaAuthenticatesToAPythonListenerAndAWrongKeyIsRejected() throws Exception {
    assumeTrue(python(), "python3 is not installed: authkey interop not tested");
    Children.within(
        LIMIT,
        () -> {
          Path dir = Files.createTempDirectory("gil4j-auth-");
          Path address = dir.resolve("py.sock");
          try {
            java.lang.Process py = python("listener", address, KEY);
            BufferedReader out = stdout(py);
            assertEquals("ready", out.readLine());
            try (Connection conn = Connection.connect(address, KEY)) {
              assertEquals("hello from python", conn.recv());
              conn.send("hello from java");
            }
            assertEquals("ok hello from java", outcome(py, out));
            Files.deleteIfExists(address);

            java.lang.Process wrong = python("listener", address, KEY);
            BufferedReader wrongOut = stdout(wrong);
            assertEquals("ready", wrongOut.readLine());
            AuthenticationException e =
                assertThrows(
                    AuthenticationException.class, () -> Connection.connect(address, WRONG));
            assertEquals("digest sent was rejected", e.getMessage());
            assertEquals("AuthenticationError digest received was wrong", outcome(wrong, wrongOut));
          } finally {
            Files.deleteIfExists(address);
            Files.deleteIfExists(dir);
          }
        });
  }
}

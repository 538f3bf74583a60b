package dev.gil4j.multiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.gil4j.testkit.RunningChild;
import java.io.IOException;
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

  private static RunningChild python(String mode, Path address, byte[] key) {
    return PythonPeer.start(
        PYTHON, LIMIT, mode, address.toString(), new String(key, StandardCharsets.US_ASCII));
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
    PythonPeer.assumePython("authkey interop");
    Children.within(
        LIMIT,
        () -> {
          try (Listener listener = Listener.open(KEY)) {
            try (RunningChild py = python("client", listener.address(), KEY)) {
              try (Connection conn = listener.accept()) {
                assertEquals("hello from python", conn.recv());
                conn.send("hello from java");
              }
              assertEquals("ok hello from java", PythonPeer.lastLine(py));
            }
            try (RunningChild wrong = python("client", listener.address(), WRONG)) {
              AuthenticationException e =
                  assertThrows(AuthenticationException.class, listener::accept);
              assertEquals("digest received was wrong", e.getMessage());
              assertEquals(
                  "AuthenticationError digest sent was rejected", PythonPeer.lastLine(wrong));
            }
          }
        });
  }

  @Test
  void javaAuthenticatesToAPythonListenerAndAWrongKeyIsRejected() throws Exception {
    PythonPeer.assumePython("authkey interop");
    Children.within(
        LIMIT,
        () -> {
          Path dir = Files.createTempDirectory("gil4j-auth-");
          Path address = dir.resolve("py.sock");
          try {
            try (RunningChild py = python("listener", address, KEY)) {
              PythonPeer.awaitReady(py);
              try (Connection conn = Connection.connect(address, KEY)) {
                assertEquals("hello from python", conn.recv());
                conn.send("hello from java");
              }
              assertEquals("ok hello from java", PythonPeer.lastLine(py));
            }
            Files.deleteIfExists(address);

            try (RunningChild wrong = python("listener", address, KEY)) {
              PythonPeer.awaitReady(wrong);
              AuthenticationException e =
                  assertThrows(
                      AuthenticationException.class, () -> Connection.connect(address, WRONG));
              assertEquals("digest sent was rejected", e.getMessage());
              assertEquals(
                  "AuthenticationError digest received was wrong", PythonPeer.lastLine(wrong));
            }
          } finally {
            Files.deleteIfExists(address);
            Files.deleteIfExists(dir);
          }
        });
  }
}

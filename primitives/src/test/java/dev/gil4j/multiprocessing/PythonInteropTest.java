package dev.gil4j.multiprocessing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A Java {@link Connection} against a real CPython {@code multiprocessing.connection} peer, both
 * ways round: Python's {@code Client} to a Java {@link Listener}, and {@link Connection#connect} to
 * Python's {@code Listener}. The Python side answers each message with its bytes reversed, so a
 * passing test shows Python parsed Java's framing and Java parsed Python's, for messages of 0
 * bytes, small ones, and ones over 64 KiB. Skipped, saying so, where {@code python3} is missing.
 */
class PythonInteropTest {
  private static final Duration LIMIT = Duration.ofSeconds(30);

  private static final String ECHO_LOOP =
      """
      def echo(conn):
          conn.send_bytes(b'hello from python')
          while True:
              try:
                  m = conn.recv_bytes()
              except EOFError:
                  return
              conn.send_bytes(m[::-1])
      """;

  @BeforeAll
  static void needsPython() throws InterruptedException {
    PythonPeer.assumePython("CPython interop");
  }

  /** Sends messages a Python echo peer reverses, and checks each answer. */
  private static void exchange(Connection conn) throws IOException {
    assertArrayEquals("hello from python".getBytes(StandardCharsets.US_ASCII), conn.recvBytes());
    Random random = new Random(7);
    for (int size : new int[] {0, 1, 64, 65_535, 70_000, 1 << 20}) {
      byte[] message = new byte[size];
      random.nextBytes(message);
      conn.sendBytes(message);
      byte[] reversed = new byte[size];
      for (int i = 0; i < size; i++) {
        reversed[i] = message[size - 1 - i];
      }
      assertArrayEquals(reversed, conn.recvBytes(), "echo of " + size + " bytes");
    }
    conn.sendBytes(new byte[] {1, 2, 3, 4, 5}, 1, 3);
    byte[] into = new byte[6];
    assertEquals(3, conn.recvBytesInto(into, 2));
    assertArrayEquals(new byte[] {0, 0, 4, 3, 2, 0}, into);
  }

  @Test
  void pythonClientTalksToAJavaListener() throws Exception {
    PythonPeer.asClient(ECHO_LOOP, "echo", LIMIT, PythonInteropTest::exchange);
  }

  @Test
  void javaConnectsToAPythonListener() throws Exception {
    PythonPeer.asListener(ECHO_LOOP, "echo", LIMIT, PythonInteropTest::exchange);
  }
}

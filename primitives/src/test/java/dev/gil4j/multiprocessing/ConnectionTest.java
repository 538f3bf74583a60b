package dev.gil4j.multiprocessing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gil4j.profiler.ContentionRecorder;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.NotSerializableException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Pipes within one JVM: Python's {@code Connection} methods, errors and blocking behaviour. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class ConnectionTest {
  private Pipe pipe;
  private Connection a;
  private Connection b;

  @BeforeEach
  void open() throws IOException {
    pipe = Pipe.open();
    a = pipe.first();
    b = pipe.second();
  }

  @AfterEach
  void close() {
    a.close();
    b.close();
  }

  private static byte[] random(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  @Test
  void recvBytesReturnsExactlyWhatOneSendBytesSent() throws IOException {
    // past 64 KiB the buffers grow to 1 MiB, keeping the bytes that came after a header
    int[] sizes = {0, 1, 4, 100, 65_535, 65_536, 65_537, 300_000, 7, 3 << 20, 1 << 20, 5};
    CompletableFuture<Void> writer =
        CompletableFuture.runAsync(
            () -> {
              try {
                for (int size : sizes) {
                  a.sendBytes(random(size, size));
                }
              } catch (IOException e) {
                throw new RuntimeException(e);
              }
            });
    for (int size : sizes) {
      assertArrayEquals(random(size, size), b.recvBytes(), "message of " + size + " bytes");
    }
    writer.join();
  }

  @Test
  void sendBytesTakesOffsetAndSize() throws IOException {
    byte[] buf = {0, 1, 2, 3, 4, 5};
    a.sendBytes(buf, 2);
    a.sendBytes(buf, 1, 3);
    a.sendBytes(buf, 6, 0);
    assertArrayEquals(new byte[] {2, 3, 4, 5}, b.recvBytes());
    assertArrayEquals(new byte[] {1, 2, 3}, b.recvBytes());
    assertArrayEquals(new byte[0], b.recvBytes());
  }

  @Test
  void badOffsetsAndSizesRaisePythonsValueErrors() {
    byte[] buf = new byte[4];
    assertEquals(
        "offset is negative",
        assertThrows(IllegalArgumentException.class, () -> a.sendBytes(buf, -1)).getMessage());
    assertEquals(
        "buffer length < offset",
        assertThrows(IllegalArgumentException.class, () -> a.sendBytes(buf, 5)).getMessage());
    assertEquals(
        "size is negative",
        assertThrows(IllegalArgumentException.class, () -> a.sendBytes(buf, 0, -1)).getMessage());
    assertEquals(
        "buffer length < offset + size",
        assertThrows(IllegalArgumentException.class, () -> a.sendBytes(buf, 2, 3)).getMessage());
    assertEquals(
        "negative maxlength",
        assertThrows(IllegalArgumentException.class, () -> b.recvBytes(-1)).getMessage());
    assertEquals(
        "negative offset",
        assertThrows(IllegalArgumentException.class, () -> b.recvBytesInto(buf, -1)).getMessage());
    assertEquals(
        "offset too large",
        assertThrows(IllegalArgumentException.class, () -> b.recvBytesInto(buf, 5)).getMessage());
  }

  @Test
  void sendAndRecvCarryObjects() throws IOException {
    a.send(Map.of("answer", 42));
    a.send(null);
    a.send(List.of(1L, "two", 3.0));
    assertEquals(Map.of("answer", 42), b.recv());
    assertEquals(null, b.recv());
    assertEquals(List.of(1, "two", 3.0), b.recv(), "a Python int: the smallest type that holds it");
  }

  @Test
  void javaSerializationIsAnOptInOfBothEnds() throws IOException {
    java.util.concurrent.atomic.AtomicLong counter = new java.util.concurrent.atomic.AtomicLong(5);
    NotSerializableException refused =
        assertThrows(NotSerializableException.class, () -> a.send(counter));
    assertTrue(
        refused.getMessage().startsWith("cannot pickle java.util.concurrent.atomic.AtomicLong"));
    a.setSerializer(Connection.Serializer.JAVA);
    a.send(counter);
    assertThrows(
        java.io.StreamCorruptedException.class,
        b::recv,
        "a pickling end refuses a Java-serialized message");
    a.send(7L);
    b.setSerializer(Connection.Serializer.JAVA);
    assertEquals(7L, b.recv(), "Java serialization keeps the Java type");
  }

  @Test
  void sendOfAnUnserializableObjectSendsNothing() throws IOException {
    assertThrows(NotSerializableException.class, () -> a.send(new Object()));
    a.send("next");
    assertEquals("next", b.recv());
  }

  @Test
  void messageOverMaxLengthIsABadMessageLengthAndStopsReading() throws IOException {
    a.sendBytes(new byte[11]);
    IOException e = assertThrows(IOException.class, () -> b.recvBytes(10));
    assertEquals("bad message length", e.getMessage());
    assertFalse(b.readable());
    assertFalse(b.closed(), "a duplex end stays open for sending");
    b.sendBytes(new byte[] {1});
    assertArrayEquals(new byte[] {1}, a.recvBytes(1));
  }

  @Test
  void badMessageLengthClosesAReadOnlyEnd() throws IOException {
    Pipe simplex = Pipe.open(false);
    try {
      simplex.second().sendBytes(new byte[11]);
      assertThrows(IOException.class, () -> simplex.first().recvBytes(10));
      assertTrue(simplex.first().closed());
    } finally {
      simplex.second().close();
    }
  }

  @Test
  void recvBytesIntoWritesAtOffsetAndReturnsTheLength() throws IOException {
    byte[] buf = new byte[8];
    a.sendBytes(new byte[] {1, 2, 3});
    assertEquals(3, b.recvBytesInto(buf, 5));
    assertArrayEquals(new byte[] {0, 0, 0, 0, 0, 1, 2, 3}, buf);
  }

  @Test
  void recvBytesIntoATooShortBufferThrowsBufferTooShortCarryingTheMessage() throws IOException {
    byte[] buf = new byte[8];
    a.sendBytes(new byte[] {1, 2, 3, 4});
    a.sendBytes(new byte[] {5});
    BufferTooShortException e =
        assertThrows(BufferTooShortException.class, () -> b.recvBytesInto(buf, 5));
    assertArrayEquals(new byte[] {1, 2, 3, 4}, e.message());
    assertArrayEquals(new byte[8], buf, "the buffer is left as it was");
    assertEquals(1, b.recvBytesInto(buf), "the connection stays in step");
  }

  @Test
  void pollWaitsUpToItsTimeoutThenSeesMessagesAndTheEnd() throws IOException {
    assertFalse(b.poll());
    long start = System.nanoTime();
    assertFalse(b.poll(0.1));
    assertTrue(System.nanoTime() - start >= 90_000_000L, "poll(0.1) waited");
    assertFalse(b.poll(-1), "a negative timeout means 0");
    a.sendBytes(new byte[] {1});
    assertTrue(b.poll(1));
    assertTrue(b.poll(), "still there until read");
    b.recvBytes();
    a.close();
    assertTrue(b.poll(1), "the end of the stream is input too");
    assertThrows(EOFException.class, b::recvBytes);
    assertThrows(EOFException.class, b::recv, "and stays so");
  }

  @Test
  void pollReturnsWhenAMessageArrivesNotAtItsTimeout() throws Exception {
    CompletableFuture.runAsync(
        () -> {
          try {
            Thread.sleep(100);
            a.sendBytes(new byte[] {1});
          } catch (Exception e) {
            throw new RuntimeException(e);
          }
        });
    long start = System.nanoTime();
    assertTrue(b.poll(Double.POSITIVE_INFINITY));
    assertTrue(System.nanoTime() - start < 5_000_000_000L);
  }

  @Test
  void simplexPipeHasAReadOnlyFirstAndAWriteOnlySecondEnd() throws IOException {
    Pipe simplex = Pipe.open(false);
    Connection reader = simplex.first();
    Connection writer = simplex.second();
    try {
      assertTrue(reader.readable());
      assertFalse(reader.writable());
      assertFalse(writer.readable());
      assertTrue(writer.writable());
      assertEquals(
          "connection is read-only",
          assertThrows(IOException.class, () -> reader.sendBytes(new byte[1])).getMessage());
      assertEquals(
          "connection is write-only",
          assertThrows(IOException.class, writer::recvBytes).getMessage());
      assertEquals(
          "connection is write-only", assertThrows(IOException.class, writer::poll).getMessage());
      writer.send("one way");
      assertEquals("one way", reader.recv());
    } finally {
      reader.close();
      writer.close();
    }
  }

  @Test
  void aClosedEndRaisesHandleIsClosed() throws IOException {
    a.close();
    a.close();
    assertTrue(a.closed());
    for (Children.Body op :
        List.<Children.Body>of(
            a::recv, a::recvBytes, a::poll, () -> a.send(1), () -> a.sendBytes(new byte[1]))) {
      assertEquals("handle is closed", assertThrows(IOException.class, op::run).getMessage());
    }
  }

  @Test
  void closeWakesAThreadBlockedInRecv() throws Exception {
    CompletableFuture<Throwable> reader =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                b.recvBytes();
                return null;
              } catch (Throwable t) {
                return t;
              }
            });
    Thread.sleep(100);
    b.close();
    Throwable t = reader.get(5, TimeUnit.SECONDS);
    assertNotNull(t);
    assertEquals("handle is closed", t.getMessage());
  }

  @Test
  void interruptWakesAThreadBlockedInRecv() throws Exception {
    CompletableFuture<Throwable> result = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try {
                b.recvBytes();
                result.complete(null);
              } catch (Throwable t) {
                result.complete(t);
              }
            });
    reader.start();
    Thread.sleep(100);
    reader.interrupt();
    assertTrue(result.get(5, TimeUnit.SECONDS) instanceof InterruptedIOException);
  }

  @Test
  void sendingToAClosedPeerFails() throws IOException {
    b.close();
    assertThrows(
        IOException.class,
        () -> {
          for (int i = 0; i < 100; i++) {
            a.sendBytes(new byte[100_000]);
          }
        });
  }

  @Test
  void countersCountPayloadBytesAndMessages() throws IOException {
    a.sendBytes(new byte[10]);
    a.send("x");
    b.recvBytes();
    b.recv();
    assertEquals(2, a.messagesSent());
    assertEquals(2, b.messagesReceived());
    assertEquals(a.bytesSent(), b.bytesReceived());
    assertTrue(a.bytesSent() > 10);
    assertEquals(0, a.bytesReceived());
  }

  @Test
  void concurrentSendersNeverInterleaveMessages() throws Exception {
    int messages = 200;
    List<CompletableFuture<Void>> writers =
        Stream.of((byte) 1, (byte) 2, (byte) 3)
            .map(
                value ->
                    CompletableFuture.runAsync(
                        () -> {
                          byte[] message = new byte[20_000];
                          java.util.Arrays.fill(message, value);
                          try {
                            for (int i = 0; i < messages; i++) {
                              a.sendBytes(message);
                            }
                          } catch (IOException e) {
                            throw new RuntimeException(e);
                          }
                        }))
            .toList();
    for (int i = 0; i < 3 * messages; i++) {
      byte[] m = b.recvBytes();
      assertEquals(20_000, m.length);
      for (byte x : m) {
        assertEquals(m[0], x);
      }
    }
    writers.forEach(CompletableFuture::join);
  }

  @Test
  void waitAnyReturnsTheConnectionsWithInput() throws IOException {
    Pipe other = Pipe.open();
    try {
      List<Connection> both = List.of(b, other.second());
      assertEquals(List.of(), Connection.waitAny(both, 0.05));
      other.first().sendBytes(new byte[1]);
      assertEquals(List.of(other.second()), Connection.waitAny(both, 5));
      a.sendBytes(new byte[1]);
      assertEquals(both, Connection.waitAny(both, 5));
    } finally {
      other.first().close();
      other.second().close();
    }
  }

  @Test
  void aBlockedReadIsRecordedAsAWaitAtThePipesCreationSite() throws Exception {
    Pipe recorded = Pipe.open();
    String site = recorded.first().name();
    assertTrue(site.startsWith(ConnectionTest.class.getName() + "."), site);
    CompletableFuture.runAsync(
        () -> {
          try {
            Thread.sleep(50);
            recorded.second().sendBytes(new byte[1]);
          } catch (Exception e) {
            throw new RuntimeException(e);
          }
        });
    recorded.first().recvBytes();
    ContentionRecorder.SiteSnapshot snapshot =
        ContentionRecorder.snapshot().stream()
            .filter(s -> s.kind().equals("pipe") && s.name().equals(site))
            .findFirst()
            .orElseThrow();
    assertTrue(snapshot.waits().getTotalCount() >= 1);
    assertTrue(snapshot.waits().getMaxValue() >= 20_000_000L, "waited about 50 ms");
    recorded.first().close();
    recorded.second().close();
  }

  @Test
  void pipesLeaveNothingOnDiskAndListenersAreUserPrivate() throws IOException {
    Path tmp = Files.createTempDirectory("gil4j-test-");
    String saved = System.getProperty("java.io.tmpdir");
    System.setProperty("java.io.tmpdir", tmp.toString());
    try {
      Pipe p = Pipe.open();
      try (Stream<Path> left = Files.list(tmp)) {
        assertEquals(0, left.count(), "socket file and directory removed");
      }
      p.first().close();
      p.second().close();
      Listener listener = Listener.open();
      Path dir = listener.address().getParent();
      assertEquals(tmp, dir.getParent());
      assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
      listener.close();
      assertFalse(Files.exists(dir));
    } finally {
      System.setProperty("java.io.tmpdir", saved);
      Files.deleteIfExists(tmp);
    }
  }

  @Test
  void listenerAcceptsConnectionsAndCloseWakesAccept() throws Exception {
    Listener listener = Listener.open();
    try (Connection client = Connection.connect(listener.address());
        Connection server = listener.accept()) {
      client.send("hello");
      assertEquals("hello", server.recv());
    }
    CompletableFuture<Throwable> accepting =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                listener.accept();
                return null;
              } catch (Throwable t) {
                return t;
              }
            });
    Thread.sleep(100);
    listener.close();
    assertEquals("listener is closed", accepting.get(5, TimeUnit.SECONDS).getMessage());
    assertFalse(Files.exists(listener.address()), "the socket file is removed");
  }

  @Test
  void aConnectionCannotTravelInAMessage() {
    assertThrows(NotSerializableException.class, () -> a.send(b));
  }

  @Test
  void filenoIsTheSocketsDescriptorInThisProcess() throws Exception {
    Pipe pipe = Pipe.open();
    int a = pipe.first().fileno();
    int b = pipe.second().fileno();
    assertNotEquals(a, b);
    assertTrue(
        java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/" + a))
            .toString()
            .startsWith("socket:"));
    pipe.first().close();
    assertEquals(
        "handle is closed", assertThrows(IOException.class, pipe.first()::fileno).getMessage());
    pipe.second().close();
  }
}

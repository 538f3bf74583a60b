package dev.gil4j.multiprocessing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gil4j.multiprocessing.internal.Framing;
import dev.gil4j.multiprocessing.internal.Sockets;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * CPython's framing ({@code Lib/multiprocessing/connection.py}, {@code _send_bytes}/{@code
 * _recv_bytes}): the codec on byte streams, including the {@code -1} + 8-byte header CPython writes
 * above {@code 0x7fffffff} bytes, tested with large declared lengths and no large allocation; then
 * the same headers arriving at a real {@link Connection}.
 */
class FramingTest {
  private static byte[] header(long length) {
    byte[] b = new byte[Framing.MAX_HEADER_SIZE];
    return Arrays.copyOf(b, Framing.encodeHeader(length, b, 0));
  }

  private static long decode(byte[] bytes) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
    return Framing.readLength(in::readFully, new byte[Framing.MAX_HEADER_SIZE]);
  }

  @Test
  void lengthsUpTo0x7fffffffGetTheFourByteBigEndianHeader() throws IOException {
    assertArrayEquals(new byte[] {0, 0, 0, 0}, header(0));
    assertArrayEquals(new byte[] {0, 0, 1, 2}, header(258));
    assertArrayEquals(new byte[] {0x7f, -1, -1, -1}, header(0x7fffffffL));
    assertEquals(0x7fffffffL, decode(header(0x7fffffffL)));
    assertEquals(258, decode(header(258)));
  }

  @Test
  void longerLengthsGetMinusOneThenAnEightByteLength() throws IOException {
    assertArrayEquals(new byte[] {-1, -1, -1, -1, 0, 0, 0, 0, -128, 0, 0, 0}, header(0x80000000L));
    long threeGiB = 3L << 30;
    byte[] h = header(threeGiB);
    assertEquals(12, h.length);
    assertEquals(-1, ByteBuffer.wrap(h).getInt());
    assertEquals(threeGiB, ByteBuffer.wrap(h, 4, 8).getLong());
    assertEquals(threeGiB, decode(h));
    assertEquals(1L << 40, decode(header(1L << 40)));
  }

  @Test
  void malformedLengthsDecodeNegative() throws IOException {
    assertTrue(decode(new byte[] {-1, -1, -1, -2}) < 0, "4-byte length -2");
    assertTrue(
        decode(new byte[] {-1, -1, -1, -1, -128, 0, 0, 0, 0, 0, 0, 0}) < 0, "8-byte length 2^63");
  }

  @Test
  void endOfStreamBeforeAHeaderIsEofAndInsideOneIsAnError() {
    assertThrows(EOFException.class, () -> decode(new byte[0]));
    assertThrows(IOException.class, () -> decode(new byte[] {0, 0}));
    assertThrows(EOFException.class, () -> decode(new byte[] {-1, -1, -1, -1}));
  }

  @Test
  void negativeLengthsCannotBeEncoded() {
    assertThrows(IllegalArgumentException.class, () -> header(-1));
  }

  /** A connection fed raw bytes by a socket of the test's own. */
  private static final class Raw implements AutoCloseable {
    final Listener listener = Listener.open();
    final SocketChannel raw = Sockets.connect(listener.address());
    final Connection conn = listener.accept();

    Raw() throws IOException {}

    void write(byte[]... parts) throws IOException {
      for (byte[] p : parts) {
        ByteBuffer b = ByteBuffer.wrap(p);
        while (b.hasRemaining()) {
          raw.write(b);
        }
      }
    }

    @Override
    public void close() throws IOException {
      conn.close();
      raw.close();
      listener.close();
    }
  }

  @Test
  void connectionReadsAMessageAnnouncedByTheLongHeader() throws IOException {
    try (Raw r = new Raw()) {
      r.write(new byte[] {-1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 3}, new byte[] {7, 8, 9});
      assertArrayEquals(new byte[] {7, 8, 9}, r.conn.recvBytes());
    }
  }

  @Test
  void declaredThreeGibIsABadMessageLengthWithoutAllocating() throws IOException {
    try (Raw r = new Raw()) {
      r.write(header(3L << 30));
      IOException e = assertThrows(IOException.class, r.conn::recvBytes);
      assertEquals("bad message length", e.getMessage());
      assertFalse(r.conn.readable(), "a duplex end stops being readable");
      assertTrue(r.conn.writable());
      assertEquals(
          "connection is write-only", assertThrows(IOException.class, r.conn::recv).getMessage());
    }
  }

  @Test
  void endOfFileInsideAMessageIsNotEof() throws IOException {
    try (Raw r = new Raw()) {
      r.write(header(10), new byte[] {1, 2, 3});
      r.raw.close();
      IOException e = assertThrows(IOException.class, r.conn::recvBytes);
      assertFalse(e instanceof EOFException);
      assertEquals("got end of file during message", e.getMessage());
    }
  }

  @Test
  void negativeFourByteLengthIsABadMessageLength() throws IOException {
    try (Raw r = new Raw()) {
      r.write(new byte[] {-1, -1, -1, -5});
      assertEquals(
          "bad message length", assertThrows(IOException.class, r.conn::recvBytes).getMessage());
    }
  }
}

package dev.gil4j.multiprocessing.internal;

import java.io.IOException;

/**
 * The message framing of CPython's {@code multiprocessing.connection.Connection} on Unix: a 4-byte
 * big-endian signed length, then the payload; a payload longer than {@code 0x7fffffff} bytes is
 * announced by the length {@code -1} followed by an 8-byte big-endian unsigned length.
 *
 * <p>Only the header is coded here; the payload follows it unchanged. Java arrays never exceed
 * {@code 0x7fffffff} bytes, so a Java sender always writes the short header; the long form is still
 * written for such a length and read back, so that a CPython sender's long header is understood.
 */
public final class Framing {
  /** The longest payload announced by the 4-byte header (CPython's {@code 0x7fffffff}). */
  public static final long MAX_SHORT_LENGTH = 0x7fffffffL;

  /** The longest header: the {@code -1} marker and the 8-byte length. */
  public static final int MAX_HEADER_SIZE = 12;

  private Framing() {}

  /** Where a header is read from: fills {@code len} bytes or throws. */
  @FunctionalInterface
  public interface Source {
    /**
     * Reads exactly {@code len} bytes into {@code dst} at {@code off}.
     *
     * @throws java.io.EOFException if the stream ended before the first byte
     * @throws IOException if it ended after some but not all bytes, or on an I/O error
     */
    void readFully(byte[] dst, int off, int len) throws IOException;
  }

  /**
   * Writes the header announcing {@code length} payload bytes into {@code dst} at {@code off}.
   * Returns the header's size: 4, or 12 above {@link #MAX_SHORT_LENGTH}.
   *
   * @throws IllegalArgumentException if {@code length} is negative
   */
  public static int encodeHeader(long length, byte[] dst, int off) {
    if (length < 0) {
      throw new IllegalArgumentException("negative message length " + length);
    }
    if (length > MAX_SHORT_LENGTH) {
      putInt(dst, off, -1);
      putInt(dst, off + 4, (int) (length >>> 32));
      putInt(dst, off + 8, (int) length);
      return MAX_HEADER_SIZE;
    }
    putInt(dst, off, (int) length);
    return 4;
  }

  /**
   * Reads one header and returns the payload length it announces. A negative result means the
   * header is malformed: a 4-byte length below {@code -1}, or an 8-byte length of 2^63 or more.
   * (CPython would read a negative 4-byte length as an empty message; a Java reader reports it.)
   */
  public static long readLength(Source in, byte[] scratch) throws IOException {
    in.readFully(scratch, 0, 4);
    int size = getInt(scratch, 0);
    if (size != -1) {
      return size;
    }
    in.readFully(scratch, 0, 8);
    return ((long) getInt(scratch, 0) << 32) | (getInt(scratch, 4) & 0xffffffffL);
  }

  private static void putInt(byte[] b, int off, int v) {
    b[off] = (byte) (v >>> 24);
    b[off + 1] = (byte) (v >>> 16);
    b[off + 2] = (byte) (v >>> 8);
    b[off + 3] = (byte) v;
  }

  private static int getInt(byte[] b, int off) {
    return (b[off] << 24)
        | ((b[off + 1] & 0xff) << 16)
        | ((b[off + 2] & 0xff) << 8)
        | (b[off + 3] & 0xff);
  }
}

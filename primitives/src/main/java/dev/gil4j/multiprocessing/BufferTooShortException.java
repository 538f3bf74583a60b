package dev.gil4j.multiprocessing;

import java.io.IOException;

/**
 * A message did not fit the buffer given to {@link Connection#recvBytesInto}: Python's {@code
 * multiprocessing.BufferTooShort}. The message has been read whole (the connection stays usable)
 * and is carried here.
 */
public final class BufferTooShortException extends IOException {
  private static final long serialVersionUID = 1L;

  private final byte[] message;

  BufferTooShortException(byte[] message) {
    super("buffer too short for a message of " + message.length + " bytes");
    this.message = message;
  }

  /** The message that did not fit. */
  public byte[] message() {
    return message.clone();
  }
}

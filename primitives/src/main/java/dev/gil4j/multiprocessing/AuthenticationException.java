package dev.gil4j.multiprocessing;

import java.io.IOException;

/**
 * The peer failed, or refused, the {@code authkey} challenge: Python's {@code
 * multiprocessing.AuthenticationError}, with its messages — "digest received was wrong" where this
 * end checked the peer, "digest sent was rejected" where the peer checked this end. The connection
 * is closed.
 */
public final class AuthenticationException extends IOException {
  private static final long serialVersionUID = 1L;

  /** An authentication failure with {@code message}. */
  public AuthenticationException(String message) {
    super(message);
  }
}

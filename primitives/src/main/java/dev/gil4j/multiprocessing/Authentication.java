package dev.gil4j.multiprocessing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * CPython's {@code authkey} handshake (Lib/multiprocessing/connection.py, {@code deliver_challenge}
 * and {@code answer_challenge}): each side proves it knows the key without sending it. The side
 * that delivers sends {@code #CHALLENGE#} and 20 random bytes; the other answers with their
 * HMAC-MD5 under the key; the deliverer replies {@code #WELCOME#} or {@code #FAILURE#}. A listener
 * delivers then answers; a client answers then delivers.
 *
 * <p>CPython 3.12 and later deliver {@code #CHALLENGE#{sha256}…} and expect {@code {sha256}} and
 * the HMAC-SHA256 of everything after {@code #CHALLENGE#}; {@link #answer} replies so to a
 * challenge that names its digest, and {@link #deliver} accepts such a reply, as CPython 3.12 does.
 * The challenge delivered here is 3.11's, which every CPython 3 answers.
 */
final class Authentication {
  private static final byte[] CHALLENGE = ascii("#CHALLENGE#");
  private static final byte[] WELCOME = ascii("#WELCOME#");
  private static final byte[] FAILURE = ascii("#FAILURE#");
  private static final int MESSAGE_LENGTH = 20;

  /** CPython reads handshake messages with {@code recv_bytes(256)}: a longer one is an attack. */
  private static final int MAX_MESSAGE = 256;

  private static final SecureRandom RANDOM = new SecureRandom();

  private Authentication() {}

  /** Challenges the peer to prove it knows {@code key}. */
  static void deliver(Connection c, byte[] key) throws IOException {
    byte[] message = new byte[MESSAGE_LENGTH];
    RANDOM.nextBytes(message);
    c.sendBytes(concat(CHALLENGE, message));
    byte[] response = c.recvBytes(MAX_MESSAGE);
    String digest = "md5";
    byte[] mac = response;
    String named = digestName(response);
    if (named != null) {
      digest = named;
      mac = Arrays.copyOfRange(response, named.length() + 2, response.length);
    }
    byte[] expected = hmac(key, message, digest);
    if (expected != null && MessageDigest.isEqual(expected, mac)) {
      c.sendBytes(WELCOME);
    } else {
      c.sendBytes(FAILURE);
      throw new AuthenticationException("digest received was wrong");
    }
  }

  /** Answers the peer's challenge with {@code key}. */
  static void answer(Connection c, byte[] key) throws IOException {
    byte[] message = c.recvBytes(MAX_MESSAGE);
    if (!startsWith(message, CHALLENGE)) {
      // CPython asserts here; the peer is not running the handshake at all.
      throw new AuthenticationException(
          "expected the peer's #CHALLENGE#, got a message of " + message.length + " bytes");
    }
    message = Arrays.copyOfRange(message, CHALLENGE.length, message.length);
    String named = digestName(message);
    byte[] response;
    if (named == null) {
      response = hmac(key, message, "md5");
    } else {
      byte[] mac = hmac(key, message, named);
      if (mac == null) {
        throw new AuthenticationException("digest " + named + " unsupported");
      }
      response = concat(ascii("{" + named + "}"), mac);
    }
    c.sendBytes(response);
    if (!Arrays.equals(c.recvBytes(MAX_MESSAGE), WELCOME)) {
      throw new AuthenticationException("digest sent was rejected");
    }
  }

  /** The {@code name} of a message that starts {@code {name}}, as CPython 3.12 prefixes it. */
  private static String digestName(byte[] message) {
    if (message.length == 0 || message[0] != '{') {
      return null;
    }
    for (int i = 1; i < Math.min(message.length, 21); i++) {
      if (message[i] == '}') {
        return new String(message, 1, i - 1, StandardCharsets.US_ASCII);
      }
    }
    return null;
  }

  /** HMAC of {@code message} under {@code key} with CPython's digest name; null if unknown here. */
  private static byte[] hmac(byte[] key, byte[] message, String digest) {
    String algorithm =
        switch (digest) {
          case "md5" -> "HmacMD5";
          case "sha256" -> "HmacSHA256";
          case "sha384" -> "HmacSHA384";
          case "sha512" -> "HmacSHA512";
          default -> null;
        };
    if (algorithm == null) {
      return null;
    }
    try {
      Mac mac = Mac.getInstance(algorithm);
      // SecretKeySpec refuses an empty key, which CPython's Client accepts; HMAC pads a key with
      // zeros to its block size, so one zero byte is the same key.
      mac.init(new SecretKeySpec(key.length == 0 ? new byte[1] : key, algorithm));
      return mac.doFinal(message);
    } catch (GeneralSecurityException e) {
      return null;
    }
  }

  private static boolean startsWith(byte[] message, byte[] prefix) {
    return message.length >= prefix.length
        && Arrays.equals(message, 0, prefix.length, prefix, 0, prefix.length);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}

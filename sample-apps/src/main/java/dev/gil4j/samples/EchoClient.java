package dev.gil4j.samples;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;

/**
 * One connection to an {@link EchoServer}, doing request/response round trips of one byte with
 * {@code TCP_NODELAY}, so that every round trip is two blocking socket calls: a write and a read
 * that waits for the reply.
 */
final class EchoClient implements AutoCloseable {
  /** A reply that does not come within this time fails the run instead of hanging it. */
  private static final int READ_TIMEOUT_MS = 10_000;

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private int sent;

  private EchoClient(Socket socket) throws IOException {
    this.socket = socket;
    socket.setTcpNoDelay(true);
    socket.setSoTimeout(READ_TIMEOUT_MS);
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
  }

  /** Connects to the echo server listening on {@code port} of the loopback interface. */
  static EchoClient connect(int port) throws IOException {
    return new EchoClient(new Socket(InetAddress.getLoopbackAddress(), port));
  }

  /**
   * Does round trips until {@code max} are done or {@link System#nanoTime()} passes {@code
   * deadlineNanos}, but at least one, so that a rate can be computed; returns how many were done.
   * Each reply is checked to be the byte sent.
   */
  int roundTrips(int max, long deadlineNanos) throws IOException {
    int done = 0;
    while (done < max && (done == 0 || System.nanoTime() - deadlineNanos < 0)) {
      int request = sent++ & 0xff;
      out.write(request);
      int reply = in.read();
      if (reply < 0) {
        throw new EOFException("echo server closed the connection");
      }
      if (reply != request) {
        throw new IOException("echo server replied " + reply + " to " + request);
      }
      done++;
    }
    return done;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}

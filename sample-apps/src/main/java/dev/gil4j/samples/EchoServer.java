package dev.gil4j.samples;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;

/**
 * A TCP echo server on the loopback interface: every byte a client sends comes straight back.
 *
 * <p>As a program it is the other process of {@link Convoy}: it listens on a free port (or {@code
 * --port N}), prints the port number alone on the first line of stdout, serves each connection on
 * its own thread with {@code TCP_NODELAY}, and exits when its standard input reaches its end — so
 * it ends when the parent closes the pipe or dies, even if the parent never got to destroy it. Run
 * it without gil4j: it stands for a server outside the application.
 *
 * <p>{@link Blocking} uses the same serving code on threads inside its own JVM.
 */
public final class EchoServer {
  private static final String USAGE = "EchoServer [port (0..65535, default 0: any free port)]";

  private EchoServer() {}

  public static void main(String[] argv) throws IOException {
    Args args = Args.parse("EchoServer", USAGE, argv, "port");
    int port = args.intValue("port", 0, 0, 65535);
    ServerSocket server = open(port);
    System.out.println(server.getLocalPort());
    System.out.flush();
    Thread lifeline =
        new Thread(
            () -> {
              try {
                InputStream in = System.in;
                while (in.read() >= 0) {
                  // only the end of input matters
                }
              } catch (IOException e) {
                // a broken pipe means the parent is gone, as an end of input does
              }
              System.exit(0);
            },
            "stdin-lifeline");
    lifeline.setDaemon(true);
    lifeline.start();
    serve(server);
  }

  /** A server socket bound to the loopback address; port 0 picks a free port. */
  static ServerSocket open(int port) throws IOException {
    return new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
  }

  /**
   * Accepts connections until {@code server} is closed, echoing each on a new daemon thread;
   * returns normally once another thread closed {@code server}.
   */
  static void serve(ServerSocket server) throws IOException {
    int connections = 0;
    while (true) {
      Socket client;
      try {
        client = server.accept();
      } catch (SocketException e) {
        if (server.isClosed()) {
          return;
        }
        throw e;
      }
      Thread echo = new Thread(() -> echo(client), "echo-" + connections++);
      echo.setDaemon(true);
      echo.start();
    }
  }

  /** Sends back whatever {@code client} sends, until it closes its side. */
  private static void echo(Socket client) {
    try (Socket socket = client) {
      socket.setTcpNoDelay(true);
      InputStream in = socket.getInputStream();
      OutputStream out = socket.getOutputStream();
      byte[] buffer = new byte[64];
      int n;
      while ((n = in.read(buffer)) > 0) {
        out.write(buffer, 0, n);
      }
    } catch (IOException e) {
      // the client reset the connection: it is gone, and so is this echo
    }
  }
}

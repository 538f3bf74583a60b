package dev.gil4j.multiprocessing.internal;

import dev.gil4j.profiler.Deferred;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Unix domain socket plumbing: private directories for socket files, and a connected pair of
 * sockets (what {@code socketpair(2)} gives C and CPython, built from a listener the JDK can open).
 */
public final class Sockets {
  /**
   * A Unix socket path holds at most 107 bytes on Linux (103 on macOS); a temporary directory
   * deeper than this leaves too little room, and {@code /tmp} is used instead.
   */
  private static final int MAX_DIRECTORY_LENGTH = 80;

  private Sockets() {}

  /**
   * A new directory that only this user can enter ({@code rwx------}), under {@code
   * java.io.tmpdir}, or under {@code /tmp} when that path is too long for socket files.
   */
  public static Path privateDirectory() throws IOException {
    Path base = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath();
    if (base.toString().length() > MAX_DIRECTORY_LENGTH) {
      base = Path.of("/tmp");
    }
    return Files.createTempDirectory(
        base,
        "gil4j-",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
  }

  /** A listening Unix socket at {@code file}, which must not exist yet. */
  public static ServerSocketChannel listen(Path file) throws IOException {
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      server.bind(UnixDomainSocketAddress.of(file));
      return server;
    } catch (IOException | RuntimeException e) {
      server.close();
      throw e;
    }
  }

  /** A blocking connection to the Unix socket at {@code file}. */
  public static SocketChannel connect(Path file) throws IOException {
    SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      channel.connect(UnixDomainSocketAddress.of(file));
      return channel;
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /**
   * Two connected sockets, in blocking mode. The listener they met through lives in a private
   * directory that is removed, with the socket file, before this returns: nothing else can connect,
   * and nothing is left behind.
   */
  public static SocketChannel[] pair() throws IOException {
    Path dir = privateDirectory();
    Path file = dir.resolve("p");
    SocketChannel first = null;
    try (ServerSocketChannel server = listen(file)) {
      first = connect(file);
      SocketChannel second = server.accept();
      return new SocketChannel[] {first, second};
    } catch (IOException | RuntimeException e) {
      if (first != null) {
        first.close();
      }
      throw e;
    } finally {
      deleteQuietly(file);
      deleteQuietly(dir);
    }
  }

  /**
   * Deletes {@code path} if it exists; a failure leaves a file in a private temporary directory.
   */
  public static void deleteQuietly(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      // a stale private file is harmless: nothing else can enter its directory
    }
  }

  /**
   * The file descriptor of {@code channel}, read through the JDK's {@code sun.nio.ch.SelChImpl}
   * interface, which {@code java.base} exports to gil4j when the agent runs ({@link
   * Deferred#JDK_ACCESS}, run here) (and to everyone with {@code --add-exports
   * java.base/sun.nio.ch=ALL-UNNAMED}).
   *
   * @throws UnsupportedOperationException if the JDK does not let this code read it
   */
  public static int fileno(SocketChannel channel) {
    try {
      Deferred.JDK_ACCESS.run();
      Class<?> selectable = Class.forName("sun.nio.ch.SelChImpl");
      return (int) selectable.getMethod("getFDVal").invoke(channel);
    } catch (ReflectiveOperationException | RuntimeException e) {
      UnsupportedOperationException failure =
          new UnsupportedOperationException(
              "fileno: this JVM does not let gil4j read a socket's file descriptor; run with the"
                  + " gil4j agent or with --add-exports java.base/sun.nio.ch=ALL-UNNAMED");
      failure.initCause(e);
      throw failure;
    }
  }
}

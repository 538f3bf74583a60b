package dev.gil4j.multiprocessing;

import dev.gil4j.multiprocessing.internal.CreationSite;
import dev.gil4j.multiprocessing.internal.Sockets;
import dev.gil4j.runtime.Hooks;
import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * A listening Unix domain socket that hands out {@link Connection}s: Python's {@code
 * multiprocessing.connection.Listener(address, family='AF_UNIX', authkey=…)}. Peers connect with
 * {@link Connection#connect} or with CPython's {@code multiprocessing.connection.Client(address,
 * authkey=…)}.
 *
 * <p><b>Authentication.</b> With an {@code authkey} (not null, not empty — CPython's listener skips
 * an empty one too), {@link #accept} runs CPython's challenge–response on each new connection
 * before returning it: it challenges the peer to prove it knows the key (HMAC-MD5 of 20 random
 * bytes, as CPython 3.11), then answers the peer's challenge. A peer with another key, or none,
 * fails with {@link AuthenticationException} ("digest received was wrong"), its connection closed;
 * the listener goes on listening. The key never crosses the socket.
 *
 * <p><b>Guarantees.</b> {@link #open()} listens in a new directory that only this user can enter
 * ({@code rwx------}), which is what keeps other users out in place of Python's authentication;
 * {@link #bind} listens where it is told. {@link #close} removes the socket file (and the directory
 * {@code open()} made). {@link #accept} blocks, with gil4j's GIL released, until a peer connects;
 * closing the listener from another thread wakes it with {@code IOException("listener is closed")}.
 * Safe for use from several threads.
 */
public final class Listener implements Closeable {
  private final ServerSocketChannel server;
  private final Path address;
  private final Path ownDirectory;
  private final byte[] authkey;
  private volatile boolean closed;

  private Listener(ServerSocketChannel server, Path address, Path ownDirectory, byte[] authkey) {
    this.server = server;
    this.address = address;
    this.ownDirectory = ownDirectory;
    this.authkey = authkey == null || authkey.length == 0 ? null : authkey.clone();
  }

  /** Listens at a new address in a private directory, without authentication. */
  public static Listener open() throws IOException {
    return open(null);
  }

  /**
   * Listens at a new address in a private directory; peers must prove they know {@code authkey}
   * (null or empty: no authentication).
   */
  public static Listener open(byte[] authkey) throws IOException {
    Path dir = Sockets.privateDirectory();
    Path file = dir.resolve("listener");
    try {
      return new Listener(Sockets.listen(file), file, dir, authkey);
    } catch (IOException | RuntimeException e) {
      Sockets.deleteQuietly(dir);
      throw e;
    }
  }

  /**
   * Listens at {@code address}, a socket file that must not exist yet, without authentication.
   *
   * @throws java.net.BindException if it exists
   */
  public static Listener bind(Path address) throws IOException {
    return bind(address, null);
  }

  /**
   * Listens at {@code address}, a socket file that must not exist yet; peers must prove they know
   * {@code authkey} (null or empty: no authentication).
   *
   * @throws java.net.BindException if it exists
   */
  public static Listener bind(Path address, byte[] authkey) throws IOException {
    return new Listener(Sockets.listen(address), address, null, authkey);
  }

  /** The socket file's path: what a peer connects to. */
  public Path address() {
    return address;
  }

  /**
   * Waits for a peer and returns a connection to it, named by where {@code accept} was called; with
   * an {@code authkey}, after the peer passed the challenge.
   *
   * @throws IOException "listener is closed", before or during the wait
   * @throws AuthenticationException if the peer failed the challenge, or refused this end's
   */
  public Connection accept() throws IOException {
    return accept(CreationSite.ofCaller());
  }

  /** {@link #accept()}, naming the connection {@code name} for the profiler. */
  Connection accept(String name) throws IOException {
    if (closed) {
      throw new IOException("listener is closed");
    }
    SocketChannel ch;
    boolean released = Hooks.beforeBlocking();
    try {
      ch = server.accept();
    } catch (ClosedChannelException e) {
      throw new IOException("listener is closed", e);
    } finally {
      if (released) {
        Hooks.afterBlocking();
      }
    }
    Connection c;
    try {
      c = new Connection(ch, true, true, name);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
    if (authkey != null) {
      try {
        Authentication.deliver(c, authkey);
        Authentication.answer(c, authkey);
      } catch (IOException | RuntimeException e) {
        c.close();
        throw e;
      }
    }
    return c;
  }

  /** Stops listening and removes the socket file. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      server.close();
    } catch (IOException e) {
      // the file is removed below either way
    }
    Sockets.deleteQuietly(address);
    if (ownDirectory != null) {
      Sockets.deleteQuietly(ownDirectory);
    }
  }
}

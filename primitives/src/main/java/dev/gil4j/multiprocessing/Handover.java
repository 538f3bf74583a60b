package dev.gil4j.multiprocessing;

import dev.gil4j.multiprocessing.internal.Sockets;
import java.io.IOException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * One pipe end on its way to a child process. The JDK cannot pass a socket to a child, so the child
 * re-creates the end by connecting to a listener in a private directory, and the end that stays
 * switches over to that connection when it is next used.
 *
 * <p>Ends when the child connects (the result is its socket) or when it can no longer connect: the
 * child ended, its start failed, or the staying end was closed (the result is null). A child that
 * connected and then ended quickly is still taken: {@link #end} first accepts what is waiting, so a
 * message it sent is not lost. The listener and its directory are removed as soon as it ends.
 */
final class Handover {
  private final Path dir;
  private final Path file;
  private final ServerSocketChannel server;
  private final Selector selector;

  // Guarded by this.
  private boolean done;
  private SocketChannel result;

  private Handover(Path dir, Path file, ServerSocketChannel server, Selector selector) {
    this.dir = dir;
    this.file = file;
    this.server = server;
    this.selector = selector;
  }

  static Handover open() throws IOException {
    Path dir = Sockets.privateDirectory();
    Path file = dir.resolve("h");
    ServerSocketChannel server = null;
    Selector selector = null;
    try {
      server = Sockets.listen(file);
      server.configureBlocking(false);
      selector = Selector.open();
      server.register(selector, SelectionKey.OP_ACCEPT);
      return new Handover(dir, file, server, selector);
    } catch (IOException | RuntimeException e) {
      if (selector != null) {
        selector.close();
      }
      if (server != null) {
        server.close();
      }
      Sockets.deleteQuietly(file);
      Sockets.deleteQuietly(dir);
      throw e;
    }
  }

  Path address() {
    return file;
  }

  /** Takes the child's connection if it is waiting; true once ended, either way. */
  synchronized boolean poll() throws IOException {
    if (!done) {
      SocketChannel ch = server.accept();
      if (ch != null) {
        result = ch;
        release();
      }
    }
    return done;
  }

  /**
   * Waits up to {@code nanos} (negative: forever) for the child to connect or for the end. Called
   * without holding this, so that {@link #end} can proceed meanwhile; its closing the selector is
   * what wakes a waiter.
   */
  void await(long nanos) throws IOException {
    try {
      if (nanos < 0) {
        selector.select();
      } else {
        selector.select(Math.max(1, (nanos + 999_999) / 1_000_000));
      }
      selector.selectedKeys().clear();
    } catch (ClosedSelectorException e) {
      // ended meanwhile: the caller's next poll sees it
    }
  }

  /** No child will connect any more: accepts one already waiting, else ends with no result. */
  synchronized void end() {
    if (done) {
      return;
    }
    try {
      result = server.accept();
    } catch (IOException e) {
      result = null;
    }
    release();
  }

  /** The child's socket, or null if it never connected; valid once {@link #poll} is true. */
  synchronized SocketChannel result() {
    return result;
  }

  /** Closes the child's socket if nobody took it over. */
  synchronized void closeResult() {
    if (result != null) {
      try {
        result.close();
      } catch (IOException e) {
        // already gone
      }
    }
  }

  private void release() {
    done = true;
    try {
      selector.close();
    } catch (IOException e) {
      // a selector holds only descriptors
    }
    try {
      server.close();
    } catch (IOException e) {
      // the listener's file is removed below either way
    }
    Sockets.deleteQuietly(file);
    Sockets.deleteQuietly(dir);
  }
}

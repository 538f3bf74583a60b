package dev.gil4j.multiprocessing;

import dev.gil4j.multiprocessing.internal.CreationSite;
import dev.gil4j.multiprocessing.internal.Sockets;
import java.io.IOException;
import java.nio.channels.SocketChannel;

/**
 * A pair of connected {@link Connection} ends: Python's {@code multiprocessing.Pipe(duplex)}.
 *
 * <p><b>Duplex</b> (the default): both ends send and receive. <b>Simplex</b> ({@code open(false)}):
 * {@link #first} only receives and {@link #second} only sends, as in Python.
 *
 * <p><b>How.</b> A Unix domain socket pair, with {@code socketpair(2)}'s guarantees: the two ends
 * meet through a listening socket in a new directory that only this user can enter ({@code
 * rwx------}, under {@code java.io.tmpdir}), and the socket file and directory are removed before
 * {@code open} returns, so no other process can join and nothing is left on disk. Each end is named
 * by where {@code open} was called, for the profiler.
 *
 * <p><b>Giving an end to a child.</b> Capture an end in the {@link Task} of a {@link Process}, as
 * Python passes it in {@code args}:
 *
 * <pre>{@code
 * Pipe pipe = Pipe.open();
 * Connection parent = pipe.first();
 * Connection child = pipe.second();
 * Process p = new Process(() -> child.send(42L));
 * p.start();
 * long answer = (Long) parent.recv();
 * }</pre>
 *
 * The JDK cannot pass a socket to another process, so the child re-creates its end by connecting to
 * a listener in a private directory, and the end that stays switches to that connection: the first
 * operation on it waits (with a {@code poll} timeout, up to that timeout) until the child has
 * connected. Rules that follow: an end can be given away only before either end has sent or
 * received anything (else {@code Process.start} throws {@link java.io.NotSerializableException});
 * only one end of a pipe can leave this process; the given end is closed here once the child is
 * launched (in Python the parent should close its copy by hand); and if the child ends without
 * connecting, the staying end reads the end of the stream. An end cannot be sent in a message.
 */
public final class Pipe {
  private final Connection first;
  private final Connection second;

  private Pipe(Connection first, Connection second) {
    this.first = first;
    this.second = second;
  }

  /** A duplex pipe: {@code open(true)}. */
  public static Pipe open() throws IOException {
    return open(true);
  }

  /**
   * A new pipe; simplex if {@code duplex} is false (the first end receives, the second sends).
   *
   * @throws IOException if no socket could be made (no descriptors left, temporary directory not
   *     writable)
   */
  public static Pipe open(boolean duplex) throws IOException {
    String name = CreationSite.ofCaller();
    SocketChannel[] pair = Sockets.pair();
    try {
      Connection first = new Connection(pair[0], true, duplex, name);
      Connection second = new Connection(pair[1], duplex, true, name);
      Connection.link(first, second);
      return new Pipe(first, second);
    } catch (IOException | RuntimeException e) {
      pair[0].close();
      pair[1].close();
      throw e;
    }
  }

  /** The first end: Python's {@code conn1}; receive-only in a simplex pipe. */
  public Connection first() {
    return first;
  }

  /** The second end: Python's {@code conn2}; send-only in a simplex pipe. */
  public Connection second() {
    return second;
  }
}

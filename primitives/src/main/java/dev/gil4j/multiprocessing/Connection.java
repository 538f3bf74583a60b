package dev.gil4j.multiprocessing;

import dev.gil4j.multiprocessing.internal.CreationSite;
import dev.gil4j.multiprocessing.internal.Framing;
import dev.gil4j.multiprocessing.internal.ObjectStreams;
import dev.gil4j.multiprocessing.internal.Pickle;
import dev.gil4j.multiprocessing.internal.Sockets;
import dev.gil4j.profiler.ContentionRecorder;
import dev.gil4j.runtime.Hooks;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.NotSerializableException;
import java.io.ObjectStreamException;
import java.io.Serializable;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One end of a {@link Pipe}, or a connection made by {@link Listener#accept} or {@link #connect}:
 * Python's {@code multiprocessing.connection.Connection}, with the same methods, errors and wire
 * format, so that a Java end and a CPython end exchange {@code send_bytes}/{@code recv_bytes}
 * messages.
 *
 * <p><b>Messages.</b> {@link #sendBytes} and {@link #recvBytes} carry byte messages, framed as
 * CPython frames them: a 4-byte big-endian signed length, then the payload (a length of {@code -1}
 * announces an 8-byte length, which CPython uses above 2^31-1 bytes; a Java array is never that
 * long, so a Java sender never needs it, but a Java reader understands it). {@link #send} and
 * {@link #recv} carry objects as Java-serialized byte messages, where Python pickles: only a Java
 * peer understands them, and {@code recv} deserializes what the peer sent, so connect only peers
 * you trust, as with pickle. Message boundaries are kept: one {@code recvBytes} returns exactly
 * what one {@code sendBytes} sent.
 *
 * <p><b>Blocking.</b> {@code send…} blocks while the socket buffer (about 200 KiB on Linux) is
 * full; {@code recv…} blocks until a whole message has arrived, without a timeout, as in Python;
 * {@link #poll(double)} waits up to a timeout for input. While blocked, the thread releases gil4j's
 * GIL (when the agent is active) and the time it waited is recorded per creation site ({@code
 * ContentionRecorder} kind {@code pipe}), as the wait of any lock. An interrupt wakes a blocked
 * thread with an {@link InterruptedIOException}, leaving its interrupt status set.
 *
 * <p><b>Errors</b> (Python's in brackets): the peer closed before a message started — {@link
 * EOFException} [{@code EOFError}]; it closed inside a message — {@code IOException("got end of
 * file during message")}; a length above {@code maxLength}, negative, or too long for a Java array
 * — {@code IOException("bad message length")} [{@code OSError}], after which the end is no longer
 * readable (closed, if it was not writable either), since the unread message still blocks the
 * stream; a message longer than the buffer of {@link #recvBytesInto} — {@link
 * BufferTooShortException} carrying the message [{@code BufferTooShort}]; any operation after
 * {@link #close} — {@code IOException("handle is closed")}; receiving on a write-only end — {@code
 * IOException("connection is write-only")}, sending on a read-only end — {@code
 * IOException("connection is read-only")}; bad offsets and sizes — {@link IllegalArgumentException}
 * with Python's message [{@code ValueError}]; writing to a closed peer — the socket's {@code
 * IOException} ("Broken pipe") [{@code BrokenPipeError}].
 *
 * <p><b>Threads.</b> Python connections are not thread-safe; this one lets one thread send while
 * another receives, and serializes concurrent senders (and concurrent receivers) whole message by
 * whole message. {@link #close} may be called from any thread and wakes threads blocked on this
 * end, which then throw {@code IOException("handle is closed")}.
 *
 * <p><b>Between processes.</b> An end of a {@link Pipe} whose other end is in the same process may
 * be given to a child {@link Process} by capturing it in the child's {@link Task}, as Python passes
 * a connection in {@code args}; see {@link Pipe}. Counters {@link #bytesSent}, {@link
 * #bytesReceived}, {@link #messagesSent} and {@link #messagesReceived} tell how much went through
 * this end (payload bytes, headers excluded).
 *
 * <p><b>Authentication.</b> {@link Listener#open(byte[])}, {@link Listener#bind(Path, byte[])} and
 * {@link #connect(Path, byte[])} run CPython's {@code authkey} challenge–response, with CPython
 * peers as with Java ones; a wrong key is an {@link AuthenticationException}.
 */
public final class Connection implements Closeable, Serializable {
  private static final long serialVersionUID = 1L;

  /** Read and write through buffers this large: a message below it costs one system call. */
  private static final int BUFFER_SIZE = 64 * 1024;

  /**
   * What a buffer grows to, at most, once a larger message has passed: then a 1 MiB message costs
   * one copy in and one system call per socket-buffer's worth, where 64 KiB chunks cost sixteen of
   * each (measured on two busy cores: the 1 MiB round trip's median 0.65–0.83 ms against 1.1–2.1
   * ms). A connection that carried one keeps the larger buffers, one per direction.
   */
  private static final int LARGE_BUFFER_SIZE = 1 << 20;

  /**
   * The send buffer asked of the kernel. A Unix socket's default (212,992 bytes on Linux) holds a
   * fifth of a 1 MiB message: the sender then sleeps and is woken several times while the reader
   * drains it, and on a busy machine each wake-up waits for a core. With room for the whole message
   * the sender writes it and goes on. The kernel caps it at {@code net.core.wmem_max}; the memory
   * is taken only by bytes in flight.
   */
  private static final int SEND_BUFFER = 1 << 20;

  /** The largest array the JVM allocates. */
  private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

  /** A deadline that never passes. */
  static final long FOREVER = Long.MAX_VALUE;

  /** How often {@link #waitAny} looks again at an end whose child has not connected yet. */
  private static final long HANDOVER_RECHECK_NANOS = 10_000_000L;

  /** How {@link #send} and {@link #recv} turn objects into messages. */
  public enum Serializer {
    /** Python's pickle, for the plain data types listed in the class comment: the default. */
    PICKLE,
    /**
     * Java serialization ({@code ObjectOutputStream}) of any {@link Serializable} object, for a
     * Java peer that trusts this end and that this end trusts: {@code recv} then instantiates any
     * class the peer names.
     */
    JAVA
  }

  private final transient String name;
  private final transient ContentionRecorder.Site site;
  private transient volatile Serializer serializer = Serializer.PICKLE;
  private final transient boolean writable;
  private transient volatile boolean readable;
  private transient volatile boolean closed;
  private transient volatile SocketChannel channel;

  /** The other end, while both ends were made by one {@link Pipe} in this process. */
  private transient volatile Connection peer;

  /** Set while the peer's end is being taken over by a child process: see {@link Handover}. */
  private transient volatile Handover handover;

  private final transient ReentrantLock readLock = new ReentrantLock();
  private final transient ReentrantLock writeLock = new ReentrantLock();
  private final transient ReentrantLock handoverLock = new ReentrantLock();

  // Guarded by readLock: received bytes not yet returned, in read mode; the stream's end seen.
  private transient ByteBuffer in;
  private transient boolean eof;
  private final transient byte[] readScratch = new byte[Framing.MAX_HEADER_SIZE];
  private transient volatile Selector readSelector;
  private transient SocketChannel readSelectorChannel;
  private transient long readWaitNanos;

  // Guarded by writeLock.
  private transient ByteBuffer out;
  private final transient byte[] writeScratch = new byte[Framing.MAX_HEADER_SIZE];
  private transient volatile Selector writeSelector;
  private transient SocketChannel writeSelectorChannel;
  private transient long writeWaitNanos;

  // Written under their lock, read by anyone.
  private transient volatile long bytesSent;
  private transient volatile long bytesReceived;
  private transient volatile long messagesSent;
  private transient volatile long messagesReceived;

  Connection(SocketChannel channel, boolean readable, boolean writable, String name)
      throws IOException {
    prepare(channel);
    this.channel = channel;
    this.readable = readable;
    this.writable = writable;
    this.name = name;
    this.site = ContentionRecorder.site("pipe", name);
  }

  /**
   * Non-blocking (this end waits in its own selector, with the GIL released), and with a send
   * buffer of {@link #SEND_BUFFER}.
   */
  private static void prepare(SocketChannel channel) throws IOException {
    channel.configureBlocking(false);
    channel.setOption(StandardSocketOptions.SO_SNDBUF, SEND_BUFFER);
  }

  /**
   * Connects to a {@link Listener}, or to a CPython {@code multiprocessing.connection.Listener}
   * made with {@code family='AF_UNIX'} and no {@code authkey}: Python's {@code Client(address)}.
   * See {@link #connect(Path, byte[])} for one with a key. Blocks until the listener's backlog
   * takes the connection.
   *
   * @throws IOException if nothing listens at {@code address}
   */
  public static Connection connect(Path address) throws IOException {
    return new Connection(Sockets.connect(address), true, true, CreationSite.ofCaller());
  }

  /**
   * Connects to a {@link Listener} or a CPython {@code Listener} made with the same {@code
   * authkey}: Python's {@code Client(address, authkey=…)}. Answers the listener's challenge, then
   * challenges it in turn (CPython's order); a null key skips both, and an empty key does not, as
   * in CPython.
   *
   * @throws AuthenticationException "digest sent was rejected" if the listener has another key,
   *     "digest received was wrong" if it failed this end's challenge
   */
  public static Connection connect(Path address, byte[] authkey) throws IOException {
    Connection c = new Connection(Sockets.connect(address), true, true, CreationSite.ofCaller());
    if (authkey != null) {
      try {
        Authentication.answer(c, authkey);
        Authentication.deliver(c, authkey);
      } catch (IOException | RuntimeException e) {
        c.close();
        throw e;
      }
    }
    return c;
  }

  /**
   * Waits until at least one of {@code connections} is ready: it has a message (or part of one) to
   * read, or its peer closed it — Python's {@code multiprocessing.connection.wait}. Returns the
   * ready ones, in the given order; an empty list if {@code timeoutSeconds} passed first (negative
   * means 0, {@link Double#POSITIVE_INFINITY} forever).
   *
   * @throws IOException if one of them is closed or not readable
   */
  public static List<Connection> waitAny(Collection<Connection> connections, double timeoutSeconds)
      throws IOException {
    long deadline = deadline(timeoutSeconds);
    while (true) {
      List<Connection> ready = new ArrayList<>();
      for (Connection c : connections) {
        if (c.poll()) {
          ready.add(c);
        }
      }
      long now = System.nanoTime();
      if (!ready.isEmpty() || (deadline != FOREVER && now - deadline >= 0)) {
        return ready;
      }
      // An end still waiting for its child to connect has no socket worth selecting on yet.
      long wait = deadline == FOREVER ? -1 : deadline - now;
      try (Selector selector = Selector.open()) {
        for (Connection c : connections) {
          if (c.handover != null) {
            wait = wait < 0 ? HANDOVER_RECHECK_NANOS : Math.min(wait, HANDOVER_RECHECK_NANOS);
          } else {
            c.channel.register(selector, SelectionKey.OP_READ);
          }
        }
        boolean released = Hooks.beforeBlocking();
        try {
          if (wait < 0) {
            selector.select();
          } else {
            selector.select(Math.max(1, (wait + 999_999) / 1_000_000));
          }
        } finally {
          if (released) {
            Hooks.afterBlocking();
          }
        }
      } catch (ClosedChannelException e) {
        throw closedError();
      }
      if (Thread.currentThread().isInterrupted()) {
        throw new InterruptedIOException("interrupted while waiting for connections");
      }
    }
  }

  // ---------------------------------------------------------------- sending

  /**
   * Sends {@code obj} as one message, pickled (Python's {@code send}) or, after {@link
   * #setSerializer}{@code (JAVA)}, Java-serialized.
   *
   * @throws NotSerializableException if {@code obj} or something it holds is not one of the types
   *     pickle carries (see the class comment), or, with Java serialization, not serializable
   */
  public void send(Object obj) throws IOException {
    checkClosed();
    checkWritable();
    if (serializer == Serializer.JAVA) {
      byte[] bytes = ObjectStreams.toBytes(obj);
      writeMessage(bytes, 0, bytes.length);
    } else {
      ByteBuffer pickle = Pickle.encode(obj);
      writeMessage(pickle.array(), 0, pickle.limit());
    }
  }

  /**
   * Chooses how {@link #send} and {@link #recv} carry objects on this end: {@link
   * Serializer#PICKLE} (the default) or {@link Serializer#JAVA}. Both ends must agree.
   */
  public void setSerializer(Serializer serializer) {
    if (serializer == null) {
      throw new NullPointerException("serializer");
    }
    this.serializer = serializer;
  }

  /** How {@link #send} and {@link #recv} carry objects on this end. */
  public Serializer serializer() {
    return serializer;
  }

  /** Sends all of {@code buf} as one message. */
  public void sendBytes(byte[] buf) throws IOException {
    sendBytes(buf, 0);
  }

  /** Sends {@code buf} from {@code offset} to its end as one message. */
  public void sendBytes(byte[] buf, int offset) throws IOException {
    checkClosed();
    checkWritable();
    checkOffset(buf, offset);
    writeMessage(buf, offset, buf.length - offset);
  }

  /**
   * Sends {@code size} bytes of {@code buf} from {@code offset} as one message (Python's {@code
   * send_bytes(buf, offset, size)}).
   *
   * @throws IllegalArgumentException "offset is negative", "buffer length &lt; offset", "size is
   *     negative" or "buffer length &lt; offset + size"
   */
  public void sendBytes(byte[] buf, int offset, int size) throws IOException {
    checkClosed();
    checkWritable();
    checkOffset(buf, offset);
    if (size < 0) {
      throw new IllegalArgumentException("size is negative");
    }
    if ((long) offset + size > buf.length) {
      throw new IllegalArgumentException("buffer length < offset + size");
    }
    writeMessage(buf, offset, size);
  }

  private static void checkOffset(byte[] buf, int offset) {
    if (offset < 0) {
      throw new IllegalArgumentException("offset is negative");
    }
    if (buf.length < offset) {
      throw new IllegalArgumentException("buffer length < offset");
    }
  }

  private void writeMessage(byte[] buf, int offset, int size) throws IOException {
    writeLock.lock();
    try {
      int header = Framing.encodeHeader(size, writeScratch, 0);
      int want = header + size > BUFFER_SIZE ? LARGE_BUFFER_SIZE : BUFFER_SIZE;
      if (out == null || out.capacity() < want) {
        out = ByteBuffer.allocateDirect(want);
      }
      out.clear();
      out.put(writeScratch, 0, header);
      int done = 0;
      // Header and a short payload leave in one write: CPython concatenates for the same reason.
      do {
        int chunk = Math.min(out.remaining(), size - done);
        out.put(buf, offset + done, chunk);
        done += chunk;
        out.flip();
        writeFully(out);
        out.clear();
      } while (done < size);
      bytesSent += size;
      messagesSent++;
    } catch (ClosedChannelException e) {
      throw closedError();
    } finally {
      if (writeWaitNanos > 0) {
        site.recordWait(writeWaitNanos);
        writeWaitNanos = 0;
      }
      if (closed) {
        closeSelector(false);
      }
      writeLock.unlock();
    }
  }

  private void writeFully(ByteBuffer buf) throws IOException {
    while (buf.hasRemaining()) {
      if (handover != null) {
        awaitHandover(FOREVER);
      }
      SocketChannel ch = channel;
      if (ch.write(buf) == 0) {
        await(ch, SelectionKey.OP_WRITE, FOREVER);
      }
    }
  }

  // ---------------------------------------------------------------- receiving

  /**
   * Receives one message sent by {@link #send} (or by CPython's {@code send}) and returns the
   * object it carries.
   *
   * @throws EOFException if the peer closed before a message started
   * @throws java.io.StreamCorruptedException if the message is not a pickle of plain data (it names
   *     a class or function, or it is not a pickle at all); the connection stays usable
   * @throws IOException with Java serialization, if the object cannot be deserialized
   */
  public Object recv() throws IOException {
    checkClosed();
    checkReadable();
    byte[] message = readMessage(-1);
    if (serializer == Serializer.JAVA) {
      return ObjectStreams.fromBytes(message, 0, message.length);
    }
    return Pickle.read(message, 0, message.length);
  }

  /** Receives one message; blocks until it has arrived whole. */
  public byte[] recvBytes() throws IOException {
    checkClosed();
    checkReadable();
    return readMessage(-1);
  }

  /**
   * Receives one message of at most {@code maxLength} bytes (Python's {@code
   * recv_bytes(maxlength)}). A longer message is not read: this end stops being readable (it is
   * closed if it was not writable) and {@code IOException("bad message length")} is thrown, as in
   * Python.
   *
   * @throws IllegalArgumentException "negative maxlength"
   */
  public byte[] recvBytes(int maxLength) throws IOException {
    checkClosed();
    checkReadable();
    if (maxLength < 0) {
      throw new IllegalArgumentException("negative maxlength");
    }
    return readMessage(maxLength);
  }

  /**
   * Receives one message into {@code buf} from its start; see {@link #recvBytesInto(byte[], int)}.
   */
  public int recvBytesInto(byte[] buf) throws IOException {
    return recvBytesInto(buf, 0);
  }

  /**
   * Receives one message into {@code buf} at {@code offset} and returns its length (Python's {@code
   * recv_bytes_into}). A message that does not fit is read whole and thrown as a {@link
   * BufferTooShortException}, {@code buf} unchanged.
   *
   * @throws IllegalArgumentException "negative offset" or "offset too large"
   */
  public int recvBytesInto(byte[] buf, int offset) throws IOException {
    checkClosed();
    checkReadable();
    if (offset < 0) {
      throw new IllegalArgumentException("negative offset");
    }
    if (offset > buf.length) {
      throw new IllegalArgumentException("offset too large");
    }
    readLock.lock();
    try {
      int size = readLength(-1);
      if (size > buf.length - offset) {
        byte[] message = new byte[size];
        readFully(message, 0, size);
        received(size);
        throw new BufferTooShortException(message);
      }
      readFully(buf, offset, size);
      received(size);
      return size;
    } catch (ClosedChannelException e) {
      throw closedError();
    } finally {
      afterRead();
    }
  }

  /** Polls without waiting: {@code poll(0)}. */
  public boolean poll() throws IOException {
    return poll(0);
  }

  /**
   * Whether there is input to read: a message, part of one, or the end of the stream (the next
   * {@code recv} then throws {@link EOFException}). Waits up to {@code timeoutSeconds} for it;
   * negative means 0, and {@link Double#POSITIVE_INFINITY} waits forever (Python's {@code
   * poll(None)}).
   *
   * @throws IllegalArgumentException if {@code timeoutSeconds} is NaN
   */
  public boolean poll(double timeoutSeconds) throws IOException {
    checkClosed();
    checkReadable();
    long deadline = deadline(timeoutSeconds);
    readLock.lock();
    try {
      return awaitInput(deadline);
    } catch (ClosedChannelException e) {
      throw closedError();
    } finally {
      afterRead();
    }
  }

  private byte[] readMessage(int maxLength) throws IOException {
    readLock.lock();
    try {
      int size = readLength(maxLength);
      byte[] message = new byte[size];
      readFully(message, 0, size);
      received(size);
      return message;
    } catch (ClosedChannelException e) {
      throw closedError();
    } finally {
      afterRead();
    }
  }

  private void received(int size) {
    bytesReceived += size;
    messagesReceived++;
  }

  private void afterRead() {
    if (readWaitNanos > 0) {
      site.recordWait(readWaitNanos);
      readWaitNanos = 0;
    }
    if (closed) {
      closeSelector(true);
    }
    readLock.unlock();
  }

  /** Reads a header; a length over {@code maxLength} (unless negative) is a bad message length. */
  private int readLength(int maxLength) throws IOException {
    long size = Framing.readLength(this::readFully, readScratch);
    if (size < 0 || size > MAX_ARRAY || (maxLength >= 0 && size > maxLength)) {
      badMessageLength();
    }
    if (size > in.capacity() && in.capacity() < LARGE_BUFFER_SIZE) {
      // the header was read through in, so it exists; the bytes after the header move along
      ByteBuffer larger = ByteBuffer.allocateDirect(LARGE_BUFFER_SIZE);
      in = larger.put(in).flip();
    }
    return (int) size;
  }

  private void badMessageLength() throws IOException {
    if (writable) {
      readable = false;
    } else {
      close();
    }
    throw new IOException("bad message length");
  }

  /**
   * Reads exactly {@code len} bytes; like CPython's {@code _recv}, an end of stream before the
   * first of them is an {@link EOFException}, after it a broken message.
   */
  private void readFully(byte[] dst, int off, int len) throws IOException {
    int done = 0;
    while (done < len) {
      awaitInput(FOREVER);
      if (!in.hasRemaining()) {
        if (done == 0) {
          throw new EOFException("end of file: the other end of the connection is closed");
        }
        throw new IOException("got end of file during message");
      }
      int chunk = Math.min(in.remaining(), len - done);
      in.get(dst, off + done, chunk);
      done += chunk;
    }
  }

  /**
   * Waits until {@code in} holds unread bytes or the stream has ended; false if {@code deadline}
   * passed first.
   */
  private boolean awaitInput(long deadline) throws IOException {
    if (in == null) {
      in = ByteBuffer.allocateDirect(BUFFER_SIZE).limit(0);
    }
    while (!in.hasRemaining() && !eof) {
      if (handover != null && !awaitHandover(deadline)) {
        return false;
      }
      SocketChannel ch = channel;
      int n;
      in.clear();
      try {
        n = ch.read(in);
      } finally {
        in.flip();
      }
      if (n < 0) {
        // The old socket ends when the peer's end is handed to a child: then wait for the child.
        eof = handover == null;
      } else if (n == 0 && !await(ch, SelectionKey.OP_READ, deadline)) {
        return false;
      }
    }
    return true;
  }

  // ---------------------------------------------------------------- waiting

  /**
   * Waits until {@code ch} is ready for {@code op}, with the GIL released; false if {@code
   * deadline} passed first. Returns early, true, when woken for another reason (a handover).
   */
  private boolean await(SocketChannel ch, int op, long deadline) throws IOException {
    boolean read = op == SelectionKey.OP_READ;
    Selector selector = selector(ch, read);
    long start = System.nanoTime();
    if (deadline != FOREVER && deadline - start <= 0) {
      return false;
    }
    boolean released = Hooks.beforeBlocking();
    int ready;
    try {
      if (deadline == FOREVER) {
        ready = selector.select();
      } else {
        ready = selector.select(Math.max(1, (deadline - start + 999_999) / 1_000_000));
      }
      selector.selectedKeys().clear();
    } catch (ClosedSelectorException e) {
      throw closedError();
    } finally {
      if (released) {
        Hooks.afterBlocking();
      }
      long waited = System.nanoTime() - start;
      if (read) {
        readWaitNanos += waited;
      } else {
        writeWaitNanos += waited;
      }
    }
    if (closed) {
      throw closedError();
    }
    if (Thread.currentThread().isInterrupted()) {
      throw new InterruptedIOException("interrupted while waiting on a pipe: " + name);
    }
    return ready > 0 || deadline == FOREVER || System.nanoTime() - deadline < 0;
  }

  /** This end's selector for reading or writing, registered with {@code ch}. */
  private Selector selector(SocketChannel ch, boolean read) throws IOException {
    Selector s = read ? readSelector : writeSelector;
    if (s != null && (read ? readSelectorChannel : writeSelectorChannel) == ch) {
      return s;
    }
    if (s != null) {
      s.close();
    }
    s = Selector.open();
    try {
      ch.register(s, read ? SelectionKey.OP_READ : SelectionKey.OP_WRITE);
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
    if (read) {
      readSelector = s;
      readSelectorChannel = ch;
    } else {
      writeSelector = s;
      writeSelectorChannel = ch;
    }
    if (closed) {
      closeSelector(read);
      throw closedError();
    }
    return s;
  }

  private void closeSelector(boolean read) {
    Selector s = read ? readSelector : writeSelector;
    if (s != null) {
      try {
        s.close();
      } catch (IOException e) {
        // a selector holds only descriptors: nothing is lost
      }
    }
  }

  // ---------------------------------------------------------------- handing an end to a child

  /**
   * Sets the pipe relation: {@code a} and {@code b} are the two ends of one pipe in this process.
   */
  static void link(Connection a, Connection b) {
    a.peer = b;
    b.peer = a;
  }

  /** The other end of this end's pipe, if it is in this process and usable. */
  Connection localPeer() {
    return peer;
  }

  /** Whether a message has gone through either end: then the pipe cannot be split. */
  boolean used() {
    return messagesSent + messagesReceived > 0 || bytesSent + bytesReceived > 0;
  }

  boolean handoverPending() {
    return handover != null;
  }

  /**
   * This end's peer is being handed to a child: from now on this end talks to whatever connects to
   * {@code h}, and the old socket (whose other end closes) is left. Threads blocked on this end are
   * woken to follow.
   */
  void arm(Handover h) {
    handover = h;
    peer = null;
    Selector r = readSelector;
    if (r != null) {
      r.wakeup();
    }
  }

  /** This end has been given to a child: it is closed here, and its pipe no longer local. */
  void transferred() {
    peer = null;
    close();
  }

  /**
   * Completes a pending handover: waits for the child's connection until {@code deadline}; false if
   * it passed first. When the child ended without connecting, this end keeps its old socket, whose
   * peer is closed: reads see the end of the stream, as they would have from the dead child.
   */
  private boolean awaitHandover(long deadline) throws IOException {
    handoverLock.lock();
    try {
      Handover h = handover;
      if (h == null) {
        return true;
      }
      while (!h.poll()) {
        long start = System.nanoTime();
        if (deadline != FOREVER && start - deadline >= 0) {
          return false;
        }
        boolean released = Hooks.beforeBlocking();
        try {
          h.await(deadline == FOREVER ? -1 : deadline - start);
        } finally {
          if (released) {
            Hooks.afterBlocking();
          }
          site.recordWait(System.nanoTime() - start);
        }
        if (closed) {
          throw closedError();
        }
        if (Thread.currentThread().isInterrupted()) {
          throw new InterruptedIOException("interrupted while waiting for a child to connect");
        }
      }
      SocketChannel child = h.result();
      if (child != null) {
        prepare(child);
        SocketChannel old = channel;
        channel = child;
        old.close();
      }
      handover = null;
      return true;
    } finally {
      handoverLock.unlock();
    }
  }

  /** What crosses to the child: where to connect, and how. */
  private record Transferred(
      String address, boolean readable, boolean writable, String name, Serializer serializer)
      implements Serializable {
    private Object readResolve() throws ObjectStreamException {
      try {
        Connection c = attach(Path.of(address), readable, writable, name);
        c.serializer = serializer;
        return c;
      } catch (IOException e) {
        NotSerializableException failure =
            new NotSerializableException("cannot re-create pipe end " + name + ": " + e);
        failure.initCause(e);
        throw failure;
      }
    }
  }

  /**
   * The child's side of a handover: connects to the parent. If the parent no longer waits (it
   * closed its end, or ended), the child gets an end whose peer is closed, as a Python child would.
   */
  private static Connection attach(Path address, boolean readable, boolean writable, String name)
      throws IOException {
    SocketChannel ch;
    try {
      ch = Sockets.connect(address);
    } catch (IOException e) {
      SocketChannel[] pair = Sockets.pair();
      pair[1].close();
      ch = pair[0];
    }
    return new Connection(ch, readable, writable, name);
  }

  /**
   * Serialization hands this end over to a child {@link Process}: allowed only while a {@code
   * Process} is serializing its task; see {@link Pipe}.
   */
  private Object writeReplace() throws ObjectStreamException {
    TransferScope scope = TransferScope.current();
    if (scope == null) {
      throw new NotSerializableException(
          "a Connection can only be given to a child Process, captured in its Task: " + name);
    }
    Handover h = scope.transfer(this);
    return new Transferred(h.address().toString(), readable, writable, name, serializer);
  }

  // ---------------------------------------------------------------- state

  /**
   * Closes this end; the peer then reads the end of the stream. Idempotent; wakes threads blocked
   * on this end, which throw {@code IOException("handle is closed")}.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    Handover h = handover;
    if (h != null) {
      h.end();
      h.closeResult();
    }
    Selector r = readSelector;
    Selector w = writeSelector;
    if (r != null) {
      r.wakeup();
    }
    if (w != null) {
      w.wakeup();
    }
    try {
      channel.close();
    } catch (IOException e) {
      // closing a socket fails only if it is already gone
    }
    if (readLock.tryLock()) {
      try {
        closeSelector(true);
      } finally {
        readLock.unlock();
      }
    }
    if (writeLock.tryLock()) {
      try {
        closeSelector(false);
      } finally {
        writeLock.unlock();
      }
    }
  }

  /**
   * The file descriptor of this end's socket (Python's {@code fileno()}): a number for logs, {@code
   * /proc/<pid>/fd} and native code, never to be closed or read behind this object's back. It
   * changes when a {@link Pipe} end's peer is handed to a child process and this end takes the
   * child's connection.
   *
   * @throws IOException "handle is closed" after {@link #close}
   * @throws UnsupportedOperationException (Python's {@code io.UnsupportedOperation}) if this JVM
   *     does not let gil4j read a socket's descriptor: the gil4j agent grants it; without the agent
   *     it needs {@code --add-exports java.base/sun.nio.ch=ALL-UNNAMED}
   */
  public int fileno() throws IOException {
    checkClosed();
    if (handover != null) {
      readLock.lock();
      try {
        awaitHandover(FOREVER);
      } finally {
        readLock.unlock();
      }
    }
    return Sockets.fileno(channel);
  }

  /** Whether {@link #close} was called (Python's {@code closed}). */
  public boolean closed() {
    return closed;
  }

  /** Whether this end can receive (Python's {@code readable}). */
  public boolean readable() {
    return readable;
  }

  /** Whether this end can send (Python's {@code writable}). */
  public boolean writable() {
    return writable;
  }

  /** Payload bytes sent through this end so far, headers excluded. */
  public long bytesSent() {
    return bytesSent;
  }

  /** Payload bytes received through this end so far, headers excluded. */
  public long bytesReceived() {
    return bytesReceived;
  }

  /** Messages sent through this end so far. */
  public long messagesSent() {
    return messagesSent;
  }

  /** Messages received through this end so far. */
  public long messagesReceived() {
    return messagesReceived;
  }

  /**
   * Where this end was made, as in the profiler's reports: {@code com.acme.Main.run(Main.java:42)}.
   * A child's end keeps the name of the end it was given.
   */
  public String name() {
    return name;
  }

  @Override
  public String toString() {
    return "Connection["
        + name
        + (closed ? ", closed" : "")
        + (readable ? ", readable" : "")
        + (writable ? ", writable" : "")
        + "]";
  }

  private void checkClosed() throws IOException {
    if (closed) {
      throw closedError();
    }
  }

  private void checkReadable() throws IOException {
    if (!readable) {
      throw new IOException("connection is write-only");
    }
  }

  private void checkWritable() throws IOException {
    if (!writable) {
      throw new IOException("connection is read-only");
    }
  }

  private static IOException closedError() {
    return new IOException("handle is closed");
  }

  /** The {@link System#nanoTime} deadline {@code timeoutSeconds} from now; Python's rules. */
  static long deadline(double timeoutSeconds) {
    if (Double.isNaN(timeoutSeconds)) {
      throw new IllegalArgumentException("timeout is NaN");
    }
    if (timeoutSeconds == Double.POSITIVE_INFINITY) {
      return FOREVER;
    }
    long nanos = timeoutSeconds <= 0 ? 0 : (long) Math.min(timeoutSeconds * 1e9, 1e18);
    return System.nanoTime() + nanos;
  }
}

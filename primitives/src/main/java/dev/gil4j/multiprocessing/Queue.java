package dev.gil4j.multiprocessing;

import dev.gil4j.multiprocessing.internal.CreationSite;
import dev.gil4j.multiprocessing.internal.ObjectStreams;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.NotSerializableException;
import java.io.ObjectStreamException;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A FIFO queue shared by a process and its children: Python's {@code multiprocessing.Queue}.
 *
 * <p><b>Between processes.</b> Capture the queue in a child's {@link Task}; the child gets a queue
 * that talks to this one. The items live in the process that made the queue (its owner): a child
 * sends each {@code put} and {@code get} there over a Unix domain socket in a private directory,
 * served by a thread of the owner (the listener and its threads start when the queue is first given
 * to a child, and end with the owner). A child may give the queue on to its own children. Items are
 * Java-serialized at {@code put} (so later changes to the object do not travel) and deserialized at
 * {@code get}, in the getting process; they must be {@link Serializable}, and {@code null} is
 * allowed (Python's {@code None}). Java serialization is safe to use here because the queue's
 * socket lives in a directory only this user can enter and its address is given only to the owner's
 * own children, through their tasks: only processes of this program ever write to it. A CPython
 * process cannot share a queue (CPython's own {@code Queue} cannot be reached from outside its
 * process tree either); exchange objects with CPython over a {@link Connection}.
 *
 * <p><b>Guarantees.</b> Items from one putter come out in the order it put them; items are never
 * duplicated. Safe for any number of threads in any number of processes. As in Python, a process
 * killed while it is in {@code get} may take an item with it, and {@link #qsize} is only a
 * snapshot.
 *
 * <p><b>Blocking and timeouts</b> (in seconds, as in Python): {@code put} blocks while the queue
 * holds {@code maxsize} items (never if {@code maxsize} is 0 or negative); {@code get} blocks while
 * it is empty. The timed forms throw {@link Full} or {@link Empty} when the timeout passes (a
 * negative timeout counts as 0); the {@code …Nowait} forms do not wait. Waiting threads release
 * gil4j's GIL. An interrupt ends a wait with {@link InterruptedIOException}, interrupt status set.
 *
 * <p><b>Errors.</b> Using a queue after {@link #close} in the same process: {@link
 * IllegalStateException} (Python's {@code ValueError}). An item that cannot be serialized: {@link
 * NotSerializableException} at {@code put}. The owner gone: {@link IOException} (often {@link
 * EOFException}) in the children.
 *
 * @param <E> the type of the items
 */
public sealed class Queue<E> implements Serializable permits JoinableQueue {
  private static final long serialVersionUID = 1L;

  private static final byte PUT = 1;
  private static final byte GET = 2;
  private static final byte SIZE = 3;
  private static final byte TASK_DONE = 4;
  private static final byte JOIN = 5;
  private static final byte OK = 0;
  private static final byte REFUSED = 1;

  /**
   * How often a serving thread that waits for a child also checks that the child is still there.
   */
  private static final long SLICE_NANOS = 100_000_000L;

  private final transient int maxsize;

  /** In the owner: the items; null in a child. */
  private final transient LinkedBlockingQueue<byte[]> items;

  /** In the owner: where children connect, once one exists. In a child: where the owner is. */
  private transient volatile Listener listener;

  private final transient Path ownerAddress;

  /** In a child: connections to the owner not in use by a thread. */
  private final transient ConcurrentLinkedQueue<Connection> idle;

  private transient volatile boolean closed;

  /** Where the owner made the queue: the name of the connections that serve its children. */
  private final transient String site;

  /** Whether items are counted until {@code taskDone}: a {@link JoinableQueue}. */
  private final transient boolean joinable;

  /** In the owner of a joinable queue: guards {@link #unfinished}, signalled when it reaches 0. */
  private final transient ReentrantLock tasksLock;

  private final transient java.util.concurrent.locks.Condition allDone;

  /** Items put and not yet marked done; guarded by {@link #tasksLock}. */
  private transient long unfinished;

  /** A queue without a size limit. */
  public Queue() {
    this(0);
  }

  /** A queue that holds at most {@code maxsize} items; 0 or negative means no limit. */
  public Queue(int maxsize) {
    this(maxsize, false);
  }

  Queue(int maxsize, boolean joinable) {
    this.maxsize = maxsize;
    this.items = new LinkedBlockingQueue<>(maxsize <= 0 ? Integer.MAX_VALUE : maxsize);
    this.ownerAddress = null;
    this.idle = null;
    this.site = "queue " + CreationSite.ofCaller();
    this.joinable = joinable;
    this.tasksLock = joinable ? new ReentrantLock() : null;
    this.allDone = joinable ? tasksLock.newCondition() : null;
  }

  Queue(Path ownerAddress, int maxsize, boolean joinable) {
    this.maxsize = maxsize;
    this.items = null;
    this.ownerAddress = ownerAddress;
    this.idle = new ConcurrentLinkedQueue<>();
    this.site = null;
    this.joinable = joinable;
    this.tasksLock = null;
    this.allDone = null;
  }

  /** Python's {@code Empty}: {@code get} found no item in time. */
  public static final class Empty extends Exception {
    private static final long serialVersionUID = 1L;

    Empty() {
      super("queue is empty");
    }
  }

  /** Python's {@code Full}: {@code put} found no room in time. */
  public static final class Full extends Exception {
    private static final long serialVersionUID = 1L;

    Full() {
      super("queue is full");
    }
  }

  /** Puts {@code item}, waiting as long as it takes for room. */
  public void put(E item) throws IOException {
    if (!offer(item, -1)) {
      throw new IllegalStateException("a put without timeout was refused");
    }
  }

  /** Puts {@code item}, waiting at most {@code timeoutSeconds} for room. */
  public void put(E item, double timeoutSeconds) throws IOException, Full {
    if (!offer(item, nanos(timeoutSeconds))) {
      throw new Full();
    }
  }

  /** Puts {@code item} if there is room now. */
  public void putNowait(E item) throws IOException, Full {
    if (!offer(item, 0)) {
      throw new Full();
    }
  }

  /** Takes the next item, waiting as long as it takes. */
  public E get() throws IOException {
    return decode(take(-1));
  }

  /** Takes the next item, waiting at most {@code timeoutSeconds}. */
  public E get(double timeoutSeconds) throws IOException, Empty {
    byte[] item = take(nanos(timeoutSeconds));
    if (item == null) {
      throw new Empty();
    }
    return decode(item);
  }

  /** Takes the next item if there is one now. */
  public E getNowait() throws IOException, Empty {
    return get(0);
  }

  /** The number of items at this moment: stale as soon as it returns. */
  public int qsize() throws IOException {
    checkOpen();
    if (items != null) {
      return items.size();
    }
    return ByteBuffer.wrap(request(SIZE, 0, null), 1, 4).getInt();
  }

  /** Whether the queue is empty at this moment. */
  public boolean empty() throws IOException {
    return qsize() == 0;
  }

  /** Whether the queue is full at this moment (never, without a size limit). */
  public boolean full() throws IOException {
    return maxsize > 0 && qsize() >= maxsize;
  }

  /**
   * Declares that this process will not use the queue any more (Python's {@code close}); in a
   * child, closes its connections to the owner. The queue goes on working for the other processes.
   */
  public void close() {
    closed = true;
    if (idle != null) {
      for (Connection c; (c = idle.poll()) != null; ) {
        c.close();
      }
    }
  }

  private boolean offer(E item, long timeoutNanos) throws IOException {
    checkOpen();
    byte[] bytes = ObjectStreams.toBytes(item);
    if (items != null) {
      return offerLocal(bytes, timeoutNanos, null);
    }
    return request(PUT, timeoutNanos, bytes)[0] == OK;
  }

  private byte[] take(long timeoutNanos) throws IOException {
    checkOpen();
    if (items != null) {
      return pollLocal(timeoutNanos, null);
    }
    byte[] reply = request(GET, timeoutNanos, null);
    if (reply[0] != OK) {
      return null;
    }
    byte[] item = new byte[reply.length - 1];
    System.arraycopy(reply, 1, item, 0, item.length);
    return item;
  }

  @SuppressWarnings("unchecked")
  private E decode(byte[] item) throws IOException {
    return (E) ObjectStreams.fromBytes(item, 0, item.length);
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("Queue is closed");
    }
  }

  private static long nanos(double timeoutSeconds) {
    if (Double.isNaN(timeoutSeconds)) {
      throw new IllegalArgumentException("timeout is NaN");
    }
    return timeoutSeconds <= 0 ? 0 : (long) Math.min(timeoutSeconds * 1e9, Long.MAX_VALUE / 2);
  }

  // ---------------------------------------------------------------- owner side

  /**
   * Offers to the owner's items; a negative timeout waits forever. While serving a child ({@code
   * client} not null), waits in slices and gives up if the child has gone.
   */
  private boolean offerLocal(byte[] item, long timeoutNanos, Connection client) throws IOException {
    if (!joinable) {
      return offerItem(item, timeoutNanos, client);
    }
    // Counted before the item is visible, so that a getter's taskDone never finds the count short.
    tasksLock.lock();
    try {
      unfinished++;
    } finally {
      tasksLock.unlock();
    }
    boolean offered = false;
    try {
      offered = offerItem(item, timeoutNanos, client);
      return offered;
    } finally {
      if (!offered) {
        finishOne();
      }
    }
  }

  private boolean offerItem(byte[] item, long timeoutNanos, Connection client) throws IOException {
    long deadline = System.nanoTime() + Math.max(timeoutNanos, 0);
    try {
      while (true) {
        long left = timeoutNanos < 0 ? Long.MAX_VALUE : deadline - System.nanoTime();
        long wait = client == null ? left : Math.min(left, SLICE_NANOS);
        if (wait == Long.MAX_VALUE) {
          items.put(item);
          return true;
        }
        if (items.offer(item, Math.max(wait, 0), TimeUnit.NANOSECONDS)) {
          return true;
        }
        if (left <= wait) {
          return false;
        }
        if (client.poll()) {
          throw new EOFException("the child left while waiting to put");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted in Queue.put");
    }
  }

  /** Polls the owner's items, as {@link #offerLocal} offers; null when the time passed. */
  private byte[] pollLocal(long timeoutNanos, Connection client) throws IOException {
    long deadline = System.nanoTime() + Math.max(timeoutNanos, 0);
    try {
      while (true) {
        long left = timeoutNanos < 0 ? Long.MAX_VALUE : deadline - System.nanoTime();
        long wait = client == null ? left : Math.min(left, SLICE_NANOS);
        if (wait == Long.MAX_VALUE) {
          return items.take();
        }
        byte[] item = items.poll(Math.max(wait, 0), TimeUnit.NANOSECONDS);
        if (item != null) {
          return item;
        }
        if (left <= wait) {
          return null;
        }
        if (client.poll()) {
          throw new EOFException("the child left while waiting to get");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted in Queue.get");
    }
  }

  /** Marks one item done in the owner; false if none was unfinished. */
  private boolean finishOne() {
    tasksLock.lock();
    try {
      if (unfinished == 0) {
        return false;
      }
      if (--unfinished == 0) {
        allDone.signalAll();
      }
      return true;
    } finally {
      tasksLock.unlock();
    }
  }

  /**
   * Waits in the owner until no item is unfinished; while serving a child, in slices, giving up if
   * the child has gone.
   */
  private void awaitAllDone(Connection client) throws IOException {
    tasksLock.lock();
    try {
      while (unfinished > 0) {
        if (client == null) {
          allDone.await();
        } else {
          allDone.awaitNanos(SLICE_NANOS);
          if (unfinished > 0 && client.poll()) {
            throw new EOFException("the child left while waiting in join");
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted in JoinableQueue.join");
    } finally {
      tasksLock.unlock();
    }
  }

  /** {@link JoinableQueue#taskDone}. */
  final void markTaskDone() throws IOException {
    checkOpen();
    boolean done = items != null ? finishOne() : request(TASK_DONE, 0, null)[0] == OK;
    if (!done) {
      throw new IllegalArgumentException("task_done() called too many times");
    }
  }

  /** {@link JoinableQueue#join}. */
  final void joinTasks() throws IOException {
    checkOpen();
    if (items != null) {
      awaitAllDone(null);
    } else {
      request(JOIN, -1, null);
    }
  }

  /** The owner's listener, started with its accepting thread on first use. */
  private synchronized Listener listener() throws IOException {
    if (listener == null) {
      Listener l = Listener.open();
      Thread acceptor = new Thread(() -> acceptLoop(l), "gil4j-queue-acceptor");
      acceptor.setDaemon(true);
      acceptor.start();
      Runtime.getRuntime().addShutdownHook(new Thread(l::close, "gil4j-queue-cleanup"));
      listener = l;
    }
    return listener;
  }

  private void acceptLoop(Listener l) {
    int n = 0;
    while (true) {
      Connection client;
      try {
        client = l.accept(site);
      } catch (IOException e) {
        return;
      }
      Thread server = new Thread(() -> serve(client), "gil4j-queue-server-" + ++n);
      server.setDaemon(true);
      server.start();
    }
  }

  /** Serves one child connection, one request at a time, until the child closes it. */
  private void serve(Connection client) {
    try (client) {
      while (true) {
        byte[] request = client.recvBytes();
        ByteBuffer in = ByteBuffer.wrap(request);
        byte op = in.get();
        long timeout = in.getLong();
        switch (op) {
          case PUT -> {
            byte[] item = new byte[in.remaining()];
            in.get(item);
            client.sendBytes(new byte[] {offerLocal(item, timeout, client) ? OK : REFUSED});
          }
          case GET -> {
            byte[] item = pollLocal(timeout, client);
            if (item == null) {
              client.sendBytes(new byte[] {REFUSED});
            } else {
              byte[] reply = new byte[item.length + 1];
              System.arraycopy(item, 0, reply, 1, item.length);
              client.sendBytes(reply);
            }
          }
          case TASK_DONE -> client.sendBytes(new byte[] {finishOne() ? OK : REFUSED});
          case JOIN -> {
            awaitAllDone(client);
            client.sendBytes(new byte[] {OK});
          }
          case SIZE ->
              client.sendBytes(ByteBuffer.allocate(5).put(OK).putInt(items.size()).array());
          default -> throw new IOException("unknown queue request " + op);
        }
      }
    } catch (IOException | RuntimeException e) {
      // the child closed its connection (the usual end), or broke the protocol: stop serving it
    }
  }

  // ---------------------------------------------------------------- child side

  /** One request to the owner over a connection no other thread is using. */
  private byte[] request(byte op, long timeoutNanos, byte[] item) throws IOException {
    Connection c = idle.poll();
    if (c == null) {
      c = Connection.connect(ownerAddress);
    }
    ByteBuffer message = ByteBuffer.allocate(9 + (item == null ? 0 : item.length));
    message.put(op).putLong(timeoutNanos);
    if (item != null) {
      message.put(item);
    }
    try {
      c.sendBytes(message.array());
      byte[] reply = c.recvBytes();
      if (closed) {
        c.close();
      } else {
        idle.add(c);
      }
      return reply;
    } catch (IOException | RuntimeException e) {
      // a request cut short leaves the connection out of step: never reuse it
      c.close();
      throw e;
    }
  }

  // ---------------------------------------------------------------- serialization

  /** What crosses to a child: where the owner listens. */
  private record Handle(String address, int maxsize, boolean joinable) implements Serializable {
    private Object readResolve() {
      return joinable
          ? new JoinableQueue<Object>(Path.of(address), maxsize)
          : new Queue<Object>(Path.of(address), maxsize, false);
    }
  }

  /** Serialization gives a child a queue that talks to the owner. */
  final Object writeReplace() throws ObjectStreamException {
    if (ownerAddress != null) {
      return new Handle(ownerAddress.toString(), maxsize, joinable);
    }
    try {
      return new Handle(listener().address().toString(), maxsize, joinable);
    } catch (IOException e) {
      NotSerializableException failure =
          new NotSerializableException("cannot share the queue with another process: " + e);
      failure.initCause(e);
      throw failure;
    }
  }
}

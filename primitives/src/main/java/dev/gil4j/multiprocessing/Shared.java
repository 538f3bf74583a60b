package dev.gil4j.multiprocessing;

import dev.gil4j.profiler.ContentionRecorder;
import dev.gil4j.threading.BrokenBarrierError;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The plumbing of the cross-process primitives ({@link Lock}, {@link RLock}, {@link Semaphore},
 * {@link BoundedSemaphore}, {@link Event}, {@link Condition}, {@link Barrier}).
 *
 * <p>Design: a primitive's state lives in the process that created it (its owner), in one of {@code
 * dev.gil4j.threading}'s primitives, so that CPython's semantics and messages, the GIL's release
 * while waiting, and the recording of waits come from there. The owner's threads use it directly.
 * Another process reaches it through the owner's sync server, the way a {@code Manager} serves its
 * proxies: one listener per owner process (in a directory only this user can enter, started when a
 * primitive is first given to a child), and one connection per calling thread of a child, served by
 * one thread of the owner. That thread performs the call on the local primitive on the caller's
 * behalf, so an {@link RLock}'s owning thread is the caller's stand-in: reentrancy and ownership
 * hold across processes without any other bookkeeping.
 *
 * <p>When a child dies: its connections end; each serving thread then fully releases the {@link
 * RLock}s its caller held, and ends. A {@link Lock} or {@link Semaphore} it acquired stays
 * acquired, as CPython's (a POSIX semaphore) does: they have no owner, and any process may release
 * them. A serving thread that was waiting when its caller died finishes its wait, finds the caller
 * gone when it replies, and undoes what it acquired.
 */
final class Shared {
  static final byte ACQUIRE = 1;
  static final byte RELEASE = 2;
  static final byte IS_SET = 3;
  static final byte SET = 4;
  static final byte CLEAR = 5;
  static final byte WAIT = 6;
  static final byte NOTIFY = 7;
  static final byte RESET = 8;
  static final byte ABORT = 9;
  static final byte N_WAITING = 10;
  static final byte BROKEN = 11;

  private static final byte OK = 0;
  private static final byte ILLEGAL_ARGUMENT = 1;
  private static final byte ILLEGAL_STATE = 2;
  private static final byte ARITHMETIC = 3;
  private static final byte OTHER = 4;
  private static final byte ILLEGAL_MONITOR_STATE = 5;
  private static final byte BROKEN_BARRIER = 6;

  private static final AtomicLong NEXT_ID = new AtomicLong();
  private static final Map<Long, SharedPrimitive> OBJECTS = new ConcurrentHashMap<>();
  private static Listener listener;

  /** In a child: per thread, its connection to each owner, by the owner's address. */
  private static final ThreadLocal<Map<String, Connection>> CONNECTIONS =
      ThreadLocal.withInitial(HashMap::new);

  private Shared() {}

  /** The result of one call: its value, and how long the owner waited to get it. */
  record Result(long value, long waitedNanos) {}

  // ---------------------------------------------------------------- owner side

  /** Makes {@code p} reachable by children; returns its id. */
  static long register(SharedPrimitive p) {
    long id = NEXT_ID.incrementAndGet();
    OBJECTS.put(id, p);
    return id;
  }

  /** The owner's sync server address, started on first use. */
  static synchronized Path address() throws IOException {
    if (listener == null) {
      Listener l = Listener.open();
      Thread acceptor = new Thread(() -> acceptLoop(l), "gil4j-sync-acceptor");
      acceptor.setDaemon(true);
      acceptor.start();
      Runtime.getRuntime().addShutdownHook(new Thread(l::close, "gil4j-sync-cleanup"));
      listener = l;
    }
    return listener.address();
  }

  private static void acceptLoop(Listener l) {
    int n = 0;
    while (true) {
      Connection client;
      try {
        client = l.accept("sync server");
      } catch (IOException e) {
        return;
      }
      Thread server = new Thread(() -> serve(client), "gil4j-sync-server-" + ++n);
      server.setDaemon(true);
      server.start();
    }
  }

  /** Serves one calling thread of a child until its connection ends. */
  private static void serve(Connection client) {
    Map<RLock, Integer> held = new HashMap<>();
    try (client) {
      while (true) {
        ByteBuffer in = ByteBuffer.wrap(client.recvBytes());
        byte op = in.get();
        SharedPrimitive p = OBJECTS.get(in.getLong());
        boolean blocking = in.get() != 0;
        double timeout = in.getDouble();
        int n = in.getInt();
        byte[] reply;
        Result r = null;
        try {
          if (p == null) {
            throw new IllegalStateException("unknown shared object");
          }
          r = p.serve(op, blocking, timeout, n);
          reply =
              ByteBuffer.allocate(17).put(OK).putLong(r.value()).putLong(r.waitedNanos()).array();
        } catch (RuntimeException e) {
          reply = error(e);
        }
        try {
          client.sendBytes(reply);
        } catch (IOException e) {
          if (r != null) {
            p.undo(op, r.value(), n);
          }
          throw e;
        }
        if (p instanceof RLock lock && r != null) {
          int delta = op == ACQUIRE && r.value() != 0 ? 1 : op == RELEASE ? -1 : 0;
          held.merge(lock, delta, Integer::sum);
        }
      }
    } catch (IOException | RuntimeException e) {
      // the child closed this thread's connection, or died: release what its thread held
    } finally {
      held.forEach(
          (lock, count) -> {
            for (int i = 0; i < count; i++) {
              lock.local().release();
            }
          });
    }
  }

  private static byte[] error(RuntimeException e) {
    byte type;
    if (e instanceof IllegalArgumentException) {
      type = ILLEGAL_ARGUMENT;
    } else if (e instanceof IllegalStateException) {
      type = ILLEGAL_STATE;
    } else if (e instanceof ArithmeticException) {
      type = ARITHMETIC;
    } else if (e instanceof IllegalMonitorStateException) {
      type = ILLEGAL_MONITOR_STATE;
    } else if (e instanceof BrokenBarrierError) {
      type = BROKEN_BARRIER;
    } else {
      type = OTHER;
    }
    byte[] message = String.valueOf(e.getMessage()).getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(2 + message.length).put((byte) 1).put(type).put(message).array();
  }

  // ---------------------------------------------------------------- child side

  /**
   * Calls {@code op} on the owner's object {@code id}, over this thread's connection to it. Not
   * interruptible, like the waits of {@code dev.gil4j.threading}: an interrupt is kept and set
   * again on return. Records the owner's wait at {@code site}.
   */
  static Result call(
      Path owner,
      long id,
      byte op,
      boolean blocking,
      double timeout,
      int n,
      ContentionRecorder.Site site)
      throws IOException {
    Map<String, Connection> mine = CONNECTIONS.get();
    String key = owner.toString();
    Connection c = mine.get(key);
    if (c == null) {
      c = Connection.connect(owner);
      mine.put(key, c);
    }
    byte[] request =
        ByteBuffer.allocate(22)
            .put(op)
            .putLong(id)
            .put((byte) (blocking ? 1 : 0))
            .putDouble(timeout)
            .putInt(n)
            .array();
    boolean interrupted = Thread.interrupted();
    byte[] reply;
    try {
      c.sendBytes(request);
      while (true) {
        try {
          reply = c.recvBytes();
          break;
        } catch (InterruptedIOException e) {
          // Interrupted before the reply arrived: nothing of it was read, so wait on.
          interrupted |= Thread.interrupted();
        }
      }
    } catch (IOException e) {
      mine.remove(key);
      c.close();
      if (e instanceof EOFException) {
        throw new EOFException("the process that created this object has ended");
      }
      throw e;
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    ByteBuffer in = ByteBuffer.wrap(reply);
    if (in.get() == OK) {
      Result r = new Result(in.getLong(), in.getLong());
      if (r.waitedNanos() > 0) {
        site.recordWait(r.waitedNanos());
      }
      return r;
    }
    byte type = in.get();
    String message = StandardCharsets.UTF_8.decode(in).toString();
    throw switch (type) {
      case ILLEGAL_ARGUMENT -> new IllegalArgumentException(message);
      case ILLEGAL_STATE -> new IllegalStateException(message);
      case ARITHMETIC -> new ArithmeticException(message);
      case ILLEGAL_MONITOR_STATE -> new IllegalMonitorStateException(message);
      case BROKEN_BARRIER -> new BrokenBarrierError();
      default -> new IllegalStateException("the owner failed: " + message);
    };
  }
}

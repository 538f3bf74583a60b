package dev.gil4j.multiprocessing;

import dev.gil4j.multiprocessing.internal.ObjectStreams;
import java.io.EOFException;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.Serializable;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fixed number of worker processes that apply a function to the items of a list: Python's {@code
 * multiprocessing.Pool} with its {@code map}.
 *
 * <p><b>How.</b> Each worker is a daemonic child {@link Process} connected to the pool by a {@link
 * Pipe}. {@link #map} cuts the items into chunks (by default as Python does: about four chunks per
 * worker), sends a chunk with the function to each idle worker, and collects the results in the
 * order of the items. A worker that has died is replaced at the start of the next {@code map}.
 *
 * <p><b>Blocking.</b> {@code map} blocks, with gil4j's GIL released, until every chunk is done;
 * calls from several threads are served one at a time. The first {@code map} also waits for the
 * workers' JVMs to start.
 *
 * <p><b>Errors.</b> If the function throws, the exception is carried back (serialized, with its
 * stack trace from the worker) and {@code map} throws an {@link ExecutionException} whose cause it
 * is, after the chunks already running have finished and without starting more — Python re-raises
 * the worker's exception itself; Java wraps it, as {@code Future.get} does. A result or exception
 * that cannot be serialized becomes an {@link IOException} cause ("Error sending result: …", as
 * Python's {@code MaybeEncodingError}). A worker that dies inside a chunk makes {@code map} throw
 * an {@code ExecutionException} caused by an {@link IOException} naming it and its exit code
 * (Python waits forever there). {@code map} on a closed or terminated pool throws {@link
 * IllegalStateException} ("Pool not running").
 *
 * <p><b>Ending.</b> {@link #close} lets each worker finish and waits for it to exit; it is the
 * try-with-resources method (Python's {@code with} terminates instead: here no work is ever left
 * running between calls, so closing is as quick and leaves no half-done work). {@link #terminate}
 * sends SIGTERM to the workers and waits for them. Workers left running when this JVM exits are
 * terminated, as daemonic processes are.
 */
public final class Pool implements AutoCloseable {
  private static final AtomicInteger WORKER_COUNTER = new AtomicInteger();

  /**
   * The function a {@link Pool} applies: serializable, so that it can be sent to the workers (a
   * lambda whose target type is this interface is). It may throw; see {@link Pool#map}.
   *
   * @param <T> the items' type
   * @param <R> the results' type
   */
  @FunctionalInterface
  public interface Function<T, R> extends Serializable {
    /** Computes the result for {@code item}, in a worker process. */
    R apply(T item) throws Exception;
  }

  private final int processes;
  private volatile List<Worker> workers = List.of();
  private volatile boolean running = true;

  /** A pool of one worker per available processor. */
  public Pool() throws IOException {
    this(Runtime.getRuntime().availableProcessors());
  }

  /**
   * A pool of {@code processes} workers, started now.
   *
   * @throws IllegalArgumentException if {@code processes} is below 1
   * @throws IOException if a worker cannot be started (the others are terminated)
   */
  public Pool(int processes) throws IOException {
    if (processes < 1) {
      throw new IllegalArgumentException("Number of processes must be at least 1");
    }
    this.processes = processes;
    List<Worker> started = new ArrayList<>();
    try {
      for (int i = 0; i < processes; i++) {
        started.add(Worker.start());
      }
    } catch (IOException | RuntimeException e) {
      for (Worker w : started) {
        w.process.kill();
        w.connection.close();
      }
      throw e;
    }
    workers = List.copyOf(started);
  }

  /** The number of workers. */
  public int processes() {
    return processes;
  }

  /**
   * {@code fn} applied to each item, results in the items' order; chunk size as Python chooses it:
   * the number of items divided by four times the number of workers, rounded up.
   */
  public <T, R> List<R> map(Function<T, R> fn, Iterable<? extends T> items)
      throws IOException, ExecutionException {
    return map(fn, items, 0);
  }

  /**
   * {@code fn} applied to each item, results in the items' order, items sent {@code chunkSize} at a
   * time (0: Python's default).
   *
   * @throws ExecutionException if {@code fn} threw (the cause) or a worker died
   * @throws IOException if talking to the workers failed otherwise
   * @throws IllegalArgumentException if {@code chunkSize} is negative
   */
  public synchronized <T, R> List<R> map(
      Function<T, R> fn, Iterable<? extends T> items, int chunkSize)
      throws IOException, ExecutionException {
    if (!running) {
      throw new IllegalStateException("Pool not running");
    }
    if (chunkSize < 0) {
      throw new IllegalArgumentException("chunkSize is negative");
    }
    List<Object> all = new ArrayList<>();
    items.forEach(all::add);
    if (all.isEmpty()) {
      return List.of();
    }
    int chunk = chunkSize > 0 ? chunkSize : defaultChunkSize(all.size());
    @SuppressWarnings("unchecked")
    Function<Object, Object> function = (Function<Object, Object>) (Function<?, ?>) fn;
    replaceDeadWorkers();

    Deque<Integer> todo = new ArrayDeque<>();
    for (int from = 0; from < all.size(); from += chunk) {
      todo.add(from);
    }
    Object[] results = new Object[all.size()];
    Deque<Worker> idle = new ArrayDeque<>(workers);
    Map<Connection, Worker> busy = new HashMap<>();
    Map<Worker, Integer> busyFrom = new HashMap<>();
    Throwable failure = null;
    while (!busy.isEmpty() || (failure == null && !todo.isEmpty())) {
      while (failure == null && !todo.isEmpty() && !idle.isEmpty()) {
        Worker w = idle.poll();
        int from = todo.poll();
        List<Object> slice = new ArrayList<>(all.subList(from, Math.min(from + chunk, all.size())));
        try {
          w.connection.send(new Job(function, slice));
        } catch (NotSerializableException e) {
          failure = e;
          idle.add(w);
          break;
        }
        busy.put(w.connection, w);
        busyFrom.put(w, from);
      }
      if (busy.isEmpty()) {
        break;
      }
      for (Connection c : Connection.waitAny(busy.keySet(), Double.POSITIVE_INFINITY)) {
        Worker w = busy.remove(c);
        int from = busyFrom.remove(w);
        Object reply;
        try {
          reply = c.recv();
        } catch (IOException e) {
          if (failure == null) {
            failure = w.died(e);
          }
          continue;
        }
        if (reply instanceof Failed f) {
          if (failure == null) {
            failure = f.cause();
          }
        } else {
          List<?> values = ((Done) reply).results();
          for (int i = 0; i < values.size(); i++) {
            results[from + i] = values.get(i);
          }
        }
        idle.add(w);
      }
    }
    if (failure != null) {
      throw new ExecutionException(failure);
    }
    @SuppressWarnings("unchecked")
    List<R> out = (List<R>) Arrays.asList(results);
    return out;
  }

  private int defaultChunkSize(int n) {
    int per = processes * 4;
    return n / per + (n % per == 0 ? 0 : 1);
  }

  private void replaceDeadWorkers() throws IOException {
    List<Worker> now = new ArrayList<>(workers);
    boolean replaced = false;
    for (int i = 0; i < now.size(); i++) {
      Worker w = now.get(i);
      if (!w.process.isAlive()) {
        w.connection.close();
        now.set(i, Worker.start());
        replaced = true;
      }
    }
    if (replaced) {
      workers = List.copyOf(now);
    }
  }

  /**
   * Stops the pool: each worker finishes and exits, and this waits for them (Python's {@code
   * close()} then {@code join()}). Idempotent.
   */
  @Override
  public synchronized void close() {
    if (!running) {
      return;
    }
    running = false;
    for (Worker w : workers) {
      try {
        w.connection.send(null);
      } catch (IOException e) {
        // this worker is gone already
      }
    }
    joinAll();
  }

  /**
   * Stops the workers at once with SIGTERM and waits for them to end. May be called while another
   * thread is in {@code map}, which then fails. Idempotent.
   */
  public void terminate() {
    running = false;
    for (Worker w : workers) {
      if (w.process.isAlive()) {
        w.process.terminate();
      }
    }
    joinAll();
  }

  private void joinAll() {
    boolean interrupted = false;
    for (Worker w : workers) {
      while (true) {
        try {
          w.process.join();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      w.connection.close();
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** One worker: its process and the pool's end of its pipe. */
  private record Worker(Process process, Connection connection) {
    static Worker start() throws IOException {
      Pipe pipe = Pipe.open();
      Process p = new Process(new WorkerLoop(pipe.second()));
      p.setName("PoolWorker-" + WORKER_COUNTER.incrementAndGet());
      p.setDaemon(true);
      try {
        p.start();
      } catch (IOException | RuntimeException e) {
        pipe.first().close();
        pipe.second().close();
        throw e;
      }
      return new Worker(p, pipe.first());
    }

    /** The failure to report for a worker whose pipe broke inside a chunk. */
    IOException died(IOException e) {
      Integer code = null;
      try {
        if (process.join(5)) {
          code = process.exitCode();
        }
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
      }
      connection.close();
      return new IOException(
          "worker "
              + process.name()
              + " (pid "
              + process.pid()
              + ") "
              + (code == null ? "stopped answering" : "ended with exit code " + code)
              + " while running a chunk",
          e);
    }
  }

  /** A chunk of work. */
  private record Job(Function<Object, Object> fn, List<Object> items) implements Serializable {}

  /** A chunk's results, in order. */
  private record Done(List<Object> results) implements Serializable {}

  /** A chunk's failure. */
  private record Failed(Throwable cause) implements Serializable {}

  /** What a worker process runs: chunks in, results out, until told to stop or the pool is gone. */
  private static final class WorkerLoop implements Task {
    private static final long serialVersionUID = 1L;

    private final Connection connection;

    WorkerLoop(Connection connection) {
      this.connection = connection;
    }

    @Override
    public void run() throws IOException {
      while (true) {
        byte[] message;
        try {
          message = connection.recvBytes();
        } catch (EOFException e) {
          return;
        }
        Object reply;
        try {
          Object job = ObjectStreams.fromBytes(message, 0, message.length);
          if (job == null) {
            return;
          }
          Job j = (Job) job;
          List<Object> results = new ArrayList<>(j.items().size());
          for (Object item : j.items()) {
            results.add(j.fn().apply(item));
          }
          reply = new Done(results);
        } catch (Throwable t) {
          reply = new Failed(t);
        }
        byte[] bytes;
        try {
          bytes = ObjectStreams.toBytes(reply);
        } catch (NotSerializableException e) {
          bytes =
              ObjectStreams.toBytes(
                  new Failed(
                      new IOException(
                          "Error sending result: '" + describe(reply) + "'. Reason: '" + e + "'")));
        }
        connection.sendBytes(bytes);
      }
    }

    private static String describe(Object reply) {
      String text = reply instanceof Failed f ? f.cause().toString() : reply.toString();
      return text.length() > 200 ? text.substring(0, 200) + "…" : text;
    }
  }
}

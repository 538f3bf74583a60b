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
import java.util.NoSuchElementException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A fixed number of worker processes that run functions for this process: Python's {@code
 * multiprocessing.Pool} with {@code apply}, {@code apply_async}, {@code map}, {@code map_async},
 * {@code imap}, {@code imap_unordered}, {@code starmap}, {@code starmap_async}, {@code close},
 * {@code join} and {@code terminate}.
 *
 * <p><b>How.</b> Each worker is a daemonic child {@link Process} connected to the pool by a private
 * {@link Pipe}. A call cuts its items into chunks (for {@code map}, as Python does: about four
 * chunks per worker; for {@code imap}, one item per chunk unless told otherwise), serializes them
 * in the calling thread, and queues them; the pool's handler thread ({@code gil4j-pool-handler},
 * Python's task and result handlers in one) sends each chunk to an idle worker, first come first
 * served across calls, and files the results. A worker that dies is replaced at once.
 *
 * <p><b>What travels where.</b> The functions, their items and their results cross the pool's own
 * pipes with Java serialization: those pipes are made by this process for its own children and
 * reach nothing else (no address outside a private directory that is deleted once the child has
 * connected), so only this process and its workers deserialize what they carry. User {@link
 * Connection}s are another matter: see {@link Connection#send}.
 *
 * <p><b>Order.</b> {@code map}, {@code starmap}, {@code imap} and their async forms give results in
 * the items' order; {@code imapUnordered} gives them as chunks finish, each chunk's items in order.
 *
 * <p><b>Blocking.</b> The blocking calls ({@code apply}, {@code map}, {@code starmap}, {@link
 * AsyncResult#get}, {@link MapIterator#next}, {@link #join}) wait with gil4j's GIL released; an
 * interrupt ends the wait with {@link InterruptedException}. The async calls and {@link #close}
 * return at once. The first call also waits for the workers' JVMs to start.
 *
 * <p><b>Errors.</b> A function that throws has its exception carried back (serialized, with the
 * stack trace from the worker) and thrown again <i>as itself</i> by {@code apply}, {@code map},
 * {@link AsyncResult#get} or {@link MapIterator#next}, as Python re-raises it; hence those methods
 * declare {@code throws Exception}. For a {@code map}, every chunk still runs and the first failure
 * to arrive is thrown, as in Python. A result or exception that cannot be serialized becomes {@code
 * IOException("Error sending result: …")} (Python's {@code MaybeEncodingError}); a function or item
 * that cannot be serialized makes the call itself throw {@link NotSerializableException}. A worker
 * that dies inside a chunk fails that chunk with an {@link IOException} naming the worker and its
 * exit code (Python's waits forever). A call on a closed or terminated pool throws {@link
 * IllegalStateException} ("Pool not running", Python's {@code ValueError}); results still pending
 * when the pool is terminated fail with {@link CancellationException} (Python's never arrive).
 * Callbacks run on the handler thread, as in Python: they must be quick, and what they throw is
 * printed and dropped.
 *
 * <p><b>Ending.</b> {@link #close} stops new work; the workers finish what is queued, then exit.
 * {@link #terminate} sends SIGTERM to the workers at once. {@link #join} waits for the workers to
 * exit, after either. Try-with-resources calls {@link #close} then {@link #join} — Python's {@code
 * with} terminates instead, dropping unfinished async work, which a Java block has no way to show.
 * Workers left running when this JVM exits are terminated, as daemonic processes are.
 */
public final class Pool implements AutoCloseable {
  private static final AtomicInteger WORKER_COUNTER = new AtomicInteger();
  private static final int RUNNING = 0;
  private static final int CLOSED = 1;
  private static final int TERMINATED = 2;

  /**
   * The function a {@link Pool} applies to items: serializable, so that it can be sent to the
   * workers (a lambda whose target type is this interface is). It may throw.
   *
   * @param <T> the items' type
   * @param <R> the results' type
   */
  @FunctionalInterface
  public interface Function<T, R> extends Serializable {
    /** Computes the result for {@code item}, in a worker process. */
    R apply(T item) throws Exception;
  }

  /**
   * A call with its arguments captured, for {@link #apply}: Python's {@code apply(func, args)}.
   *
   * @param <R> the result's type
   */
  @FunctionalInterface
  public interface Call<R> extends Serializable {
    /** Computes the result, in a worker process. */
    R call() throws Exception;
  }

  /**
   * A function of several arguments, for {@link #starmap}: called with the elements of each
   * argument array, as Python's {@code starmap} calls {@code func(*args)}.
   *
   * @param <R> the results' type
   */
  @FunctionalInterface
  public interface StarFunction<R> extends Serializable {
    /** Computes the result for one argument array, in a worker process. */
    R apply(Object... args) throws Exception;
  }

  private final int processes;
  private final ReentrantLock lock = new ReentrantLock();
  private final Deque<Chunk> todo = new ArrayDeque<>();
  private final Thread handler;

  /** Wakes the handler when work arrives or the pool changes state. */
  private final Connection wakeReader;

  private final Connection wakeWriter;

  /** Guarded by {@link #lock}. */
  private int state = RUNNING;

  /** Guarded by {@link #lock}: every job not yet complete, to cancel on terminate. */
  private final List<Job> pending = new ArrayList<>();

  /** Only the handler thread touches these after the constructor. */
  private final List<Worker> workers = new ArrayList<>();

  private final Deque<Worker> idle = new ArrayDeque<>();
  private final Map<Connection, Worker> busy = new HashMap<>();

  /** A pool of one worker per available processor. */
  public Pool() throws IOException {
    this(Runtime.getRuntime().availableProcessors());
  }

  /**
   * A pool of {@code processes} workers, started now.
   *
   * @throws IllegalArgumentException "Number of processes must be at least 1"
   * @throws IOException if a worker cannot be started (the others are killed)
   */
  public Pool(int processes) throws IOException {
    if (processes < 1) {
      throw new IllegalArgumentException("Number of processes must be at least 1");
    }
    this.processes = processes;
    try {
      for (int i = 0; i < processes; i++) {
        workers.add(Worker.start());
      }
    } catch (IOException | RuntimeException e) {
      for (Worker w : workers) {
        w.process.kill();
        w.connection.close();
      }
      throw e;
    }
    idle.addAll(workers);
    Pipe wake = Pipe.open(false);
    wakeReader = wake.first();
    wakeWriter = wake.second();
    handler = new Thread(this::handle, "gil4j-pool-handler");
    handler.setDaemon(true);
    handler.start();
  }

  /** The number of workers. */
  public int processes() {
    return processes;
  }

  // ---------------------------------------------------------------- the calls

  /** {@code call} run in a worker; its result, or its exception thrown as itself. */
  public <R> R apply(Call<R> call) throws Exception {
    return applyAsync(call).get();
  }

  /** {@code call} run in a worker, without waiting: Python's {@code apply_async}. */
  public <R> AsyncResult<R> applyAsync(Call<R> call) throws IOException {
    return applyAsync(call, null, null);
  }

  /**
   * {@link #applyAsync(Call)} with callbacks, run on the pool's handler thread: {@code callback}
   * with the result, or {@code errorCallback} with the exception. Either may be null.
   */
  public <R> AsyncResult<R> applyAsync(
      Call<R> call, Consumer<? super R> callback, Consumer<? super Throwable> errorCallback)
      throws IOException {
    Function<Object, Object> fn = ignored -> call.call();
    Job job = submit(fn, Arrays.asList((Object) null), 1, Job.SINGLE, callback, errorCallback);
    return new AsyncResult<>(job);
  }

  /**
   * {@code fn} applied to each item, results in the items' order; chunk size as Python chooses it:
   * the number of items divided by four times the number of workers, rounded up.
   */
  public <T, R> List<R> map(Function<T, R> fn, Iterable<? extends T> items) throws Exception {
    return map(fn, items, 0);
  }

  /**
   * {@code fn} applied to each item, results in the items' order, items sent {@code chunkSize} at a
   * time (0: Python's default).
   *
   * @throws IllegalArgumentException if {@code chunkSize} is negative
   */
  public <T, R> List<R> map(Function<T, R> fn, Iterable<? extends T> items, int chunkSize)
      throws Exception {
    return mapAsync(fn, items, chunkSize, null, null).get();
  }

  /** {@link #map} without waiting: Python's {@code map_async}. */
  public <T, R> AsyncResult<List<R>> mapAsync(Function<T, R> fn, Iterable<? extends T> items)
      throws IOException {
    return mapAsync(fn, items, 0, null, null);
  }

  /**
   * {@link #map} without waiting, with callbacks run on the handler thread: {@code callback} with
   * the list of results, or {@code errorCallback} with the first exception. Either may be null.
   */
  public <T, R> AsyncResult<List<R>> mapAsync(
      Function<T, R> fn,
      Iterable<? extends T> items,
      int chunkSize,
      Consumer<? super List<R>> callback,
      Consumer<? super Throwable> errorCallback)
      throws IOException {
    List<Object> all = list(items);
    int chunk = chunkSize(chunkSize, all.size());
    return new AsyncResult<>(submit(erase(fn), all, chunk, Job.LIST, callback, errorCallback));
  }

  /**
   * {@code fn} applied to each argument array's elements, results in order: Python's {@code
   * starmap}.
   */
  public <R> List<R> starmap(StarFunction<R> fn, Iterable<? extends Object[]> argLists)
      throws Exception {
    return starmapAsync(fn, argLists, 0).get();
  }

  /** {@link #starmap} without waiting, {@code chunkSize} as for {@link #map}. */
  public <R> AsyncResult<List<R>> starmapAsync(
      StarFunction<R> fn, Iterable<? extends Object[]> argLists, int chunkSize) throws IOException {
    Function<Object[], R> spread = args -> fn.apply(args);
    return mapAsync(spread, argLists, chunkSize, null, null);
  }

  /**
   * Results of {@code fn} over the items, in order, as they come: {@code imap} with chunks of 1.
   */
  public <T, R> MapIterator<R> imap(Function<T, R> fn, Iterable<? extends T> items)
      throws IOException {
    return imap(fn, items, 1);
  }

  /**
   * Results of {@code fn} over the items, in the items' order, each available as soon as it and
   * those before it are done: Python's {@code imap(func, iterable, chunksize)}.
   *
   * @throws IllegalArgumentException "Chunksize must be 1+, not N"
   */
  public <T, R> MapIterator<R> imap(Function<T, R> fn, Iterable<? extends T> items, int chunkSize)
      throws IOException {
    checkIterChunk(chunkSize);
    return new MapIterator<>(submit(erase(fn), list(items), chunkSize, Job.ORDERED, null, null));
  }

  /** Results of {@code fn} over the items as they finish: {@code imap_unordered}, chunks of 1. */
  public <T, R> MapIterator<R> imapUnordered(Function<T, R> fn, Iterable<? extends T> items)
      throws IOException {
    return imapUnordered(fn, items, 1);
  }

  /**
   * Results of {@code fn} over the items in the order chunks finish, each chunk's in order:
   * Python's {@code imap_unordered(func, iterable, chunksize)}.
   */
  public <T, R> MapIterator<R> imapUnordered(
      Function<T, R> fn, Iterable<? extends T> items, int chunkSize) throws IOException {
    checkIterChunk(chunkSize);
    return new MapIterator<>(submit(erase(fn), list(items), chunkSize, Job.UNORDERED, null, null));
  }

  @SuppressWarnings("unchecked")
  private static Function<Object, Object> erase(Function<?, ?> fn) {
    return (Function<Object, Object>) fn;
  }

  private static List<Object> list(Iterable<?> items) {
    List<Object> all = new ArrayList<>();
    items.forEach(all::add);
    return all;
  }

  private static void checkIterChunk(int chunkSize) {
    if (chunkSize < 1) {
      throw new IllegalArgumentException("Chunksize must be 1+, not " + chunkSize);
    }
  }

  private int chunkSize(int requested, int n) {
    if (requested < 0) {
      throw new IllegalArgumentException("chunkSize is negative");
    }
    if (requested > 0) {
      return requested;
    }
    int per = processes * 4;
    return Math.max(1, n / per + (n % per == 0 ? 0 : 1));
  }

  /** Serializes the chunks in the calling thread, then queues them for the handler. */
  private Job submit(
      Function<Object, Object> fn,
      List<Object> items,
      int chunkSize,
      int kind,
      Consumer<?> callback,
      Consumer<? super Throwable> errorCallback)
      throws IOException {
    checkRunning();
    int chunks = (items.size() + chunkSize - 1) / chunkSize;
    @SuppressWarnings("unchecked")
    Job job =
        new Job(kind, items.size(), chunkSize, chunks, (Consumer<Object>) callback, errorCallback);
    List<Chunk> made = new ArrayList<>(chunks);
    for (int c = 0; c < chunks; c++) {
      int from = c * chunkSize;
      List<Object> slice =
          new ArrayList<>(items.subList(from, Math.min(from + chunkSize, items.size())));
      made.add(new Chunk(job, c, ObjectStreams.toBytes(new Work(fn, slice))));
    }
    lock.lock();
    try {
      checkRunning();
      if (chunks > 0) {
        pending.add(job);
        todo.addAll(made);
      }
    } finally {
      lock.unlock();
    }
    if (chunks == 0) {
      job.finish();
    } else {
      wake();
    }
    return job;
  }

  private void checkRunning() {
    lock.lock();
    try {
      if (state != RUNNING) {
        throw new IllegalStateException("Pool not running");
      }
    } finally {
      lock.unlock();
    }
  }

  private void wake() {
    try {
      wakeWriter.sendBytes(new byte[1]);
    } catch (IOException e) {
      // the handler has ended, and with it the need to wake it
    }
  }

  // ---------------------------------------------------------------- ending

  /**
   * Stops taking work (Python's {@code close()}); the workers finish what is queued and then exit.
   * Returns at once. Idempotent.
   */
  public void stop() {
    lock.lock();
    try {
      if (state == RUNNING) {
        state = CLOSED;
      }
    } finally {
      lock.unlock();
    }
    wake();
  }

  /**
   * Python's {@code close()} then {@code join()}: stops taking work and waits until the queued work
   * is done and every worker has exited. The try-with-resources method. Idempotent.
   */
  @Override
  public void close() {
    stop();
    boolean interrupted = false;
    while (true) {
      try {
        join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Stops the workers at once with SIGTERM (Python's {@code terminate()}); results still pending
   * fail with {@link CancellationException}. Returns without waiting; {@link #join} waits.
   * Idempotent.
   */
  public void terminate() {
    List<Job> cancelled;
    lock.lock();
    try {
      state = TERMINATED;
      todo.clear();
      cancelled = new ArrayList<>(pending);
      pending.clear();
    } finally {
      lock.unlock();
    }
    for (Job job : cancelled) {
      job.cancel();
    }
    wake();
  }

  /**
   * Waits until every worker has exited, after {@link #stop}, {@link #close} or {@link #terminate}
   * (Python's {@code join()}).
   *
   * @throws IllegalStateException "Pool is still running" if neither was called
   */
  public void join() throws InterruptedException {
    lock.lock();
    try {
      if (state == RUNNING) {
        throw new IllegalStateException("Pool is still running");
      }
    } finally {
      lock.unlock();
    }
    handler.join();
  }

  // ---------------------------------------------------------------- the handler thread

  private void handle() {
    try {
      while (true) {
        int now = dispatch();
        if (now == TERMINATED) {
          break;
        }
        if (now == CLOSED && busy.isEmpty()) {
          for (Worker w : workers) {
            try {
              w.connection.send(null);
            } catch (IOException e) {
              // this worker is gone already
            }
          }
          break;
        }
        List<Connection> watched = new ArrayList<>(busy.keySet());
        watched.add(wakeReader);
        for (Connection c : Connection.waitAny(watched, Double.POSITIVE_INFINITY)) {
          if (c == wakeReader) {
            while (wakeReader.poll()) {
              wakeReader.recvBytes();
            }
          } else {
            collect(busy.remove(c));
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      // Only the wake pipe can fail here (worker failures are the workers'): nothing can reach
      // this handler any more, so end the pool as terminate would.
      terminate();
      e.printStackTrace();
    } finally {
      boolean terminated = stateNow() == TERMINATED;
      for (Worker w : workers) {
        if (terminated && w.process.isAlive()) {
          w.process.terminate();
        }
      }
      for (Worker w : workers) {
        awaitExit(w.process);
        w.connection.close();
      }
      wakeReader.close();
      wakeWriter.close();
    }
  }

  private int stateNow() {
    lock.lock();
    try {
      return state;
    } finally {
      lock.unlock();
    }
  }

  /** Sends queued chunks to idle workers; returns the state, with no queued work when CLOSED. */
  private int dispatch() {
    while (true) {
      Chunk chunk;
      lock.lock();
      try {
        if (state == TERMINATED) {
          return TERMINATED;
        }
        if (todo.isEmpty() || idle.isEmpty()) {
          return todo.isEmpty() ? state : RUNNING;
        }
        chunk = todo.poll();
      } finally {
        lock.unlock();
      }
      Worker w = idle.poll();
      try {
        w.connection.sendBytes(chunk.message);
        w.chunk = chunk;
        busy.put(w.connection, w);
      } catch (IOException e) {
        // The worker died while idle: replace it and give the chunk to the next one.
        lock.lock();
        try {
          todo.addFirst(chunk);
        } finally {
          lock.unlock();
        }
        replace(w, null);
      }
    }
  }

  /** Files the reply of a busy worker. */
  private void collect(Worker w) {
    Chunk chunk = w.chunk;
    w.chunk = null;
    Object reply;
    try {
      reply = w.connection.recv();
    } catch (IOException e) {
      chunk.job.chunkDone(chunk.index, null, w.died(e));
      replace(w, chunk);
      return;
    }
    if (reply instanceof Failed f) {
      chunk.job.chunkDone(chunk.index, null, f.cause());
    } else {
      chunk.job.chunkDone(chunk.index, ((Done) reply).results(), null);
    }
    idle.add(w);
  }

  /** Replaces a dead worker, unless the pool is ending; {@code chunk} is the one it took along. */
  private void replace(Worker dead, Chunk chunk) {
    dead.connection.close();
    workers.remove(dead);
    if (stateNow() == TERMINATED) {
      return;
    }
    try {
      Worker w = Worker.start();
      workers.add(w);
      idle.add(w);
    } catch (IOException | RuntimeException e) {
      if (workers.isEmpty()) {
        // No worker left and none can be started: nothing queued can ever run.
        terminate();
      }
    }
  }

  private static void awaitExit(Process p) {
    boolean interrupted = false;
    while (true) {
      try {
        p.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Called by a job once complete, so that terminate does not cancel it. */
  private void completed(Job job) {
    lock.lock();
    try {
      pending.remove(job);
    } finally {
      lock.unlock();
    }
  }

  // ---------------------------------------------------------------- results

  /**
   * The result of an async call: Python's {@code AsyncResult} ({@code MapResult} for {@code
   * map_async}).
   *
   * @param <R> the result's type
   */
  public static final class AsyncResult<R> {
    private final Job job;

    private AsyncResult(Job job) {
      this.job = job;
    }

    /** The result, waiting as long as it takes; the function's exception thrown as itself. */
    public R get() throws Exception {
      job.awaitDone(Connection.FOREVER);
      return value();
    }

    /**
     * The result, waiting at most {@code timeout} seconds.
     *
     * @throws TimeoutException if it is not ready by then (Python's {@code
     *     multiprocessing.TimeoutError})
     */
    public R get(double timeout) throws Exception {
      if (!job.awaitDone(Connection.deadline(timeout))) {
        throw new TimeoutException();
      }
      return value();
    }

    /** Waits until ready (Python's {@code wait()}). */
    public void await() throws InterruptedException {
      job.awaitDone(Connection.FOREVER);
    }

    /** Waits at most {@code timeout} seconds until ready; returns whether it is. */
    public boolean await(double timeout) throws InterruptedException {
      return job.awaitDone(Connection.deadline(timeout));
    }

    /** Whether the call has completed. */
    public boolean ready() {
      return job.isDone();
    }

    /**
     * Whether the call completed without an exception.
     *
     * @throws IllegalStateException if not ready (Python's {@code ValueError})
     */
    public boolean successful() {
      if (!job.isDone()) {
        throw new IllegalStateException(this + " not ready");
      }
      return job.failure() == null;
    }

    @SuppressWarnings("unchecked")
    private R value() throws Exception {
      Throwable t = job.failure();
      if (t != null) {
        throw rethrowable(t);
      }
      return (R) job.value();
    }
  }

  /**
   * The results of {@link #imap} or {@link #imapUnordered}, one at a time: Python's {@code
   * IMapIterator}. Not a {@link java.util.Iterator}, because {@link #next} throws the function's
   * exception as itself. Safe for one consumer thread at a time.
   *
   * @param <R> the results' type
   */
  public static final class MapIterator<R> {
    private final Job job;
    private int taken;

    private MapIterator(Job job) {
      this.job = job;
    }

    /** Whether a result (or an exception) remains to be taken. */
    public boolean hasNext() {
      return taken < job.size;
    }

    /**
     * The next result, waiting as long as it takes; a failed item's exception thrown as itself,
     * after which the following items go on.
     *
     * @throws NoSuchElementException if every result has been taken (Python's {@code
     *     StopIteration})
     */
    public R next() throws Exception {
      return next(Double.POSITIVE_INFINITY);
    }

    /**
     * The next result, waiting at most {@code timeout} seconds.
     *
     * @throws TimeoutException if it is not ready by then
     */
    @SuppressWarnings("unchecked")
    public R next(double timeout) throws Exception {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      Object[] out = new Object[1];
      Throwable t = job.take(taken, Connection.deadline(timeout), out);
      if (t == TIMED_OUT) {
        throw new TimeoutException();
      }
      taken++;
      if (t != null) {
        throw rethrowable(t);
      }
      return (R) out[0];
    }
  }

  private static final Throwable TIMED_OUT = new Throwable("timed out", null, false, false) {};

  private static Exception rethrowable(Throwable t) {
    if (t instanceof Error e) {
      throw e;
    }
    return (Exception) t;
  }

  /** One call's bookkeeping, shared by the caller and the handler thread. */
  private final class Job {
    static final int SINGLE = 0;
    static final int LIST = 1;
    static final int ORDERED = 2;
    static final int UNORDERED = 3;

    final int kind;
    final int size;
    final int chunkSize;
    final Consumer<Object> callback;
    final Consumer<? super Throwable> errorCallback;
    final ReentrantLock jobLock = new ReentrantLock();
    final Condition changed = jobLock.newCondition();

    // Guarded by jobLock.
    final Object[] results;
    final Throwable[] chunkFailures;
    final boolean[] chunkArrived;
    final Deque<Object[]> arrivals = new ArrayDeque<>();
    int chunksLeft;
    Throwable failure;
    boolean done;

    Job(
        int kind,
        int size,
        int chunkSize,
        int chunks,
        Consumer<Object> callback,
        Consumer<? super Throwable> errorCallback) {
      this.kind = kind;
      this.size = size;
      this.chunkSize = chunkSize;
      this.callback = callback;
      this.errorCallback = errorCallback;
      this.results = new Object[size];
      this.chunkFailures = new Throwable[chunks];
      this.chunkArrived = new boolean[chunks];
      this.chunksLeft = chunks;
    }

    /** Files one chunk's results, or its failure; completes the job after the last one. */
    void chunkDone(int index, List<Object> values, Throwable t) {
      boolean last;
      jobLock.lock();
      try {
        if (done) {
          return;
        }
        int from = index * chunkSize;
        if (t == null) {
          for (int i = 0; i < values.size(); i++) {
            results[from + i] = values.get(i);
            arrivals.add(new Object[] {values.get(i), null});
          }
        } else {
          chunkFailures[index] = t;
          if (failure == null) {
            failure = t;
          }
          // A failed chunk stands for each of its items: each one's next() throws its exception.
          int n = Math.min(chunkSize, size - from);
          for (int i = 0; i < n; i++) {
            arrivals.add(new Object[] {null, t});
          }
        }
        chunkArrived[index] = true;
        last = --chunksLeft == 0;
        if (last) {
          done = true;
        }
        changed.signalAll();
      } finally {
        jobLock.unlock();
      }
      if (last) {
        completed(this);
        runCallbacks();
      }
    }

    /** A job with nothing to do. */
    void finish() {
      jobLock.lock();
      try {
        done = true;
        changed.signalAll();
      } finally {
        jobLock.unlock();
      }
      runCallbacks();
    }

    void cancel() {
      jobLock.lock();
      try {
        if (done) {
          return;
        }
        CancellationException c = new CancellationException("Pool terminated");
        for (int i = 0; i < chunkArrived.length; i++) {
          if (!chunkArrived[i]) {
            chunkArrived[i] = true;
            chunkFailures[i] = c;
            int n = Math.min(chunkSize, size - i * chunkSize);
            for (int k = 0; k < n; k++) {
              arrivals.add(new Object[] {null, c});
            }
          }
        }
        if (failure == null) {
          failure = c;
        }
        done = true;
        changed.signalAll();
      } finally {
        jobLock.unlock();
      }
    }

    private void runCallbacks() {
      try {
        if (failure == null && callback != null) {
          callback.accept(value());
        } else if (failure != null && errorCallback != null) {
          errorCallback.accept(failure);
        }
      } catch (RuntimeException | Error e) {
        e.printStackTrace();
      }
    }

    boolean isDone() {
      jobLock.lock();
      try {
        return done;
      } finally {
        jobLock.unlock();
      }
    }

    Throwable failure() {
      jobLock.lock();
      try {
        return failure;
      } finally {
        jobLock.unlock();
      }
    }

    Object value() {
      return kind == SINGLE ? results[0] : Arrays.asList(results.clone());
    }

    /** Waits until done or {@code deadline} (a {@link Connection#deadline}). */
    boolean awaitDone(long deadline) throws InterruptedException {
      jobLock.lock();
      try {
        while (!done) {
          if (!awaitChange(deadline)) {
            return done;
          }
        }
        return true;
      } finally {
        jobLock.unlock();
      }
    }

    /** Holding jobLock: waits for a change; false once {@code deadline} has passed. */
    private boolean awaitChange(long deadline) throws InterruptedException {
      if (deadline == Connection.FOREVER) {
        changed.await();
        return true;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      changed.awaitNanos(left);
      return true;
    }

    /**
     * The {@code n}-th result for an iterator: in order for ORDERED, in arrival order otherwise.
     * Puts the value in {@code out[0]}; returns its failure, null, or {@link #TIMED_OUT}.
     */
    Throwable take(int n, long deadline, Object[] out) throws InterruptedException {
      jobLock.lock();
      try {
        if (kind == ORDERED) {
          int chunk = n / chunkSize;
          while (!chunkArrived[chunk]) {
            if (!awaitChange(deadline)) {
              return TIMED_OUT;
            }
          }
          if (chunkFailures[chunk] != null) {
            return chunkFailures[chunk];
          }
          out[0] = results[n];
          return null;
        }
        while (arrivals.isEmpty()) {
          if (done || !awaitChange(deadline)) {
            return done && arrivals.isEmpty() ? new NoSuchElementException() : TIMED_OUT;
          }
        }
        Object[] a = arrivals.poll();
        out[0] = a[0];
        return (Throwable) a[1];
      } finally {
        jobLock.unlock();
      }
    }
  }

  /** A chunk of a job, serialized: what a worker receives. */
  private record Chunk(Job job, int index, byte[] message) {}

  /** One worker: its process, the pool's end of its pipe, and the chunk it is running. */
  private static final class Worker {
    final Process process;
    final Connection connection;
    Chunk chunk;

    Worker(Process process, Connection connection) {
      this.process = process;
      this.connection = connection;
    }

    static Worker start() throws IOException {
      Pipe pipe = Pipe.open();
      // The pool's private channel: Java serialization carries functions, which pickle cannot.
      pipe.first().setSerializer(Connection.Serializer.JAVA);
      pipe.second().setSerializer(Connection.Serializer.JAVA);
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

  /** What a worker receives: a function and a chunk of items. */
  private record Work(Function<Object, Object> fn, List<Object> items) implements Serializable {}

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
          Object task = ObjectStreams.fromBytes(message, 0, message.length);
          if (task == null) {
            return;
          }
          Work t = (Work) task;
          List<Object> results = new ArrayList<>(t.items().size());
          for (Object item : t.items()) {
            results.add(t.fn().apply(item));
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

package dev.gil4j.analysis;

import dev.gil4j.profiler.ContentionRecorder;
import dev.gil4j.profiler.GilUsage;
import dev.gil4j.profiler.jfr.AgentRecording;
import dev.gil4j.profiler.jfr.JfrEvents;
import dev.gil4j.profiler.jfr.LockWaitEvent;
import dev.gil4j.profiler.jfr.PipeIoEvent;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.ReentrantLock;
import org.HdrHistogram.Histogram;

/**
 * A recording with every kind of contention gil4j reports, made in this JVM in about two seconds
 * and kept for the JVM's other tests: four workers ({@code worker-1..4}) take turns on a GIL-like
 * lock — waiting for it, holding it 3 ms, dropping it (forced when another waits), then 1 ms
 * without it; three other threads ({@code cache-1..3}) contend on a cache lock ({@link #CACHE}, 2
 * ms holds, owner recorded) and record short waits at a quiet one ({@link #QUIET}); {@code
 * ledger-waiter} blocks six times, 10 ms each, entering a {@code synchronized} {@link Ledger} that
 * {@code ledger-holder} holds; a reader blocks on a pipe; the safety net "revokes" twice. The GIL's
 * usage is counted as gil4j's core would, and all events go through gil4j's real event classes into
 * an {@link AgentRecording}.
 *
 * <p>What the reports must show, whatever the machine's load: the cache lock first among locks (its
 * threads wait about twice the run's wall time in all), owned by the cache threads; the ledger
 * monitor from {@code jdk.JavaMonitorEnter}, owned by {@code ledger-holder}; the workers waiting
 * most of their time for the GIL; two revocations; the pipe's reads.
 */
final class ContentionScenario {
  static final String CACHE = "com.acme.Cache.<init>(Cache.java:42)";
  static final String QUIET = "com.acme.Config.<init>(Config.java:7)";
  static final String PIPE = "PipedInputStream com.acme.Feed.<init>(Feed.java:3)";
  static final int WORKERS = 4;
  static final int CACHE_THREADS = 3;
  static final long RUN_NANOS = 2_200_000_000L;

  private static Path recording;

  /** Monitor class the contended {@code synchronized} blocks use, so the report can name it. */
  static final class Ledger {
    int posts;
  }

  private ContentionScenario() {}

  /** The scenario's recording, made on first call. */
  static synchronized Path recording() throws Exception {
    if (recording == null) {
      Path dir = Files.createDirectories(Path.of("target", "gil4j-scenario"));
      Path file = dir.resolve("scenario.jfr");
      record(file);
      recording = file;
    }
    return recording;
  }

  /** Per worker, as gil4j's core counts it. Guarded by {@code COUNTS}. */
  private static final class Counts {
    final String name;
    final long registeredAt = System.nanoTime();
    long held;
    long waited;
    long takes;
    long contended;
    long forced;
    long revoked;

    Counts(String name) {
      this.name = name;
    }
  }

  private static final List<Counts> COUNTS = new ArrayList<>();
  private static final long[] HAND_OFFS = new long[2];

  /** A {@code ReentrantLock} that tells its owner, as gil4j's swapped-in lock does. */
  static final class OwnedLock extends ReentrantLock {
    private static final long serialVersionUID = 1L;

    Thread owner() {
      return getOwner();
    }
  }

  static void record(Path file) throws Exception {
    long started = System.nanoTime();
    JfrEvents.install(() -> usage(started));
    // Values other tests in this JVM recorded are pending for the next interval: not this run's.
    ContentionRecorder.interval();
    try (AgentRecording r = AgentRecording.start(file, null)) {
      run();
    }
  }

  private static void run() throws Exception {
    ReentrantLock gil = new ReentrantLock();
    OwnedLock cache = new OwnedLock();
    ContentionRecorder.Site cacheSite = ContentionRecorder.site("ReentrantLock", CACHE);
    ContentionRecorder.Site quiet = ContentionRecorder.site("Semaphore", QUIET);
    long deadline = System.nanoTime() + RUN_NANOS;
    List<Thread> threads = new ArrayList<>();
    for (int i = 1; i <= WORKERS; i++) {
      Counts c = new Counts("worker-" + i);
      synchronized (COUNTS) {
        COUNTS.add(c);
      }
      threads.add(new Thread(() -> work(c, gil, deadline), c.name));
    }
    for (int i = 1; i <= CACHE_THREADS; i++) {
      threads.add(new Thread(() -> cache(cache, cacheSite, quiet, deadline), "cache-" + i));
    }
    Semaphore entered = new Semaphore(0);
    threads.add(new Thread(() -> ledger(true, entered), "ledger-holder"));
    threads.add(new Thread(() -> ledger(false, entered), "ledger-waiter"));
    PipedOutputStream feed = new PipedOutputStream();
    PipedInputStream in = new PipedInputStream(feed, 1 << 16);
    threads.add(new Thread(() -> write(feed, deadline), "pipe-writer"));
    threads.add(new Thread(() -> read(in), "pipe-reader"));
    for (Thread t : threads) {
      t.start();
    }
    for (int i = 0; i < 2; i++) {
      JfrEvents.gilRevoke(
          threads.get(0),
          "BLOCKED",
          List.of("com.acme.Cache.load(Cache.java:88)", "com.acme.Cache.get(Cache.java:51)"));
      synchronized (COUNTS) {
        COUNTS.get(0).revoked++;
      }
    }
    for (Thread t : threads) {
      t.join(30_000);
    }
  }

  private static void work(Counts c, ReentrantLock gil, long deadline) {
    while (System.nanoTime() < deadline) {
      Object token = JfrEvents.gilWaitBegins();
      long t0 = System.nanoTime();
      gil.lock();
      long t1 = System.nanoTime();
      JfrEvents.gilWaitEnds(token);
      synchronized (COUNTS) {
        c.takes++;
        c.waited += t1 - t0;
        if (t1 - t0 > 20_000) {
          c.contended++;
        }
        if (HAND_OFFS[1] != Thread.currentThread().getId()) {
          HAND_OFFS[0]++;
          HAND_OFFS[1] = Thread.currentThread().getId();
        }
      }
      spin(3_000_000L);
      long t2 = System.nanoTime();
      boolean forced = gil.hasQueuedThreads();
      JfrEvents.gilDrop(forced, t2 - t1);
      synchronized (COUNTS) {
        c.held += t2 - t1;
        c.forced += forced ? 1 : 0;
      }
      gil.unlock();
      sleep(1);
    }
  }

  private static void cache(
      OwnedLock cache,
      ContentionRecorder.Site cacheSite,
      ContentionRecorder.Site quiet,
      long deadline) {
    while (System.nanoTime() < deadline) {
      long w0 = System.nanoTime();
      if (!cache.tryLock()) {
        LockWaitEvent e = new LockWaitEvent();
        e.begin();
        Thread owner = cache.owner();
        cache.lock();
        e.end();
        cacheSite.recordWait(System.nanoTime() - w0);
        if (e.shouldCommit()) {
          e.lockClass = "ReentrantLock";
          e.site = CACHE;
          e.owner = owner;
          e.commit();
        }
      }
      long h0 = System.nanoTime();
      sleep(2);
      cache.unlock();
      cacheSite.recordHold(System.nanoTime() - h0);
      quiet.recordWait(5_000 + (h0 & 0xfff));
    }
  }

  /** The holder enters, lets the waiter go, and keeps the ledger 10 ms: the waiter blocks. */
  private static void ledger(boolean holder, Semaphore entered) {
    for (int i = 0; i < 6; i++) {
      if (holder) {
        synchronized (LEDGER) {
          entered.release();
          sleep(10);
        }
        sleep(2);
      } else {
        entered.acquireUninterruptibly();
        synchronized (LEDGER) {
          LEDGER.posts++;
        }
      }
    }
  }

  private static final Ledger LEDGER = new Ledger();

  private static void write(PipedOutputStream out, long deadline) {
    byte[] chunk = new byte[4096];
    try (out) {
      while (System.nanoTime() < deadline) {
        sleep(5);
        out.write(chunk);
        out.flush();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void read(PipedInputStream in) {
    byte[] buf = new byte[4096];
    try (in) {
      while (true) {
        Object token = JfrEvents.pipeIoBegins();
        int n = in.read(buf);
        JfrEvents.pipeIoEnds(token, PIPE, PipeIoEvent.READ, Math.max(0, n));
        if (n < 0) {
          return;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static GilUsage usage(long started) {
    long now = System.nanoTime();
    List<GilUsage.ThreadRow> rows = new ArrayList<>();
    long forced = 0;
    long revoked = 0;
    long handOffs;
    synchronized (COUNTS) {
      for (Counts c : COUNTS) {
        rows.add(
            new GilUsage.ThreadRow(
                rows.size(),
                c.name,
                now - c.registeredAt,
                c.held,
                c.waited,
                c.takes,
                c.contended,
                c.forced,
                c.revoked,
                new Histogram(2),
                true));
        forced += c.forced;
        revoked += c.revoked;
      }
      handOffs = HAND_OFFS[0];
    }
    return new GilUsage(
        now - started,
        "cpython",
        5_000_000L,
        1,
        handOffs,
        forced,
        forced,
        0,
        revoked,
        new Histogram(2),
        rows,
        List.of());
  }

  private static void spin(long nanos) {
    long end = System.nanoTime() + nanos;
    while (System.nanoTime() < end) {
      Thread.onSpinWait();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

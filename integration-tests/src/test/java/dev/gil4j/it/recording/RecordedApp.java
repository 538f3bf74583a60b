package dev.gil4j.it.recording;

import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A program that makes every kind of wait gil4j records, over and over, until a signal ends it or
 * its time is up: two threads take turns at a {@link ReentrantLock} held 5 ms at a time (lock
 * waits; each rests 1 ms between turns, or the unfair lock, re-taken at once, starves the other),
 * two at a {@code synchronized} block held as long and at an {@code Object.wait} (monitor waits), a
 * reader waits on a {@link Pipe}, a {@link PipedInputStream} and a child process's stdout (pipe
 * waits), each fed every 10 ms. Every wait lasts milliseconds, over every threshold gil4j's
 * settings have.
 *
 * <p>It prints {@code recorded-app ready} once every kind has happened a few times, then carries
 * on. Usage: {@code RecordedApp [seconds]}: with seconds it exits by itself, status 0, after that
 * long; without, it runs until a signal, or exits with status 3 after 60 s, so that a stray run
 * never lingers.
 */
public final class RecordedApp {
  private static final int ROUNDS_BEFORE_READY = 5;

  private static final ReentrantLock LOCK = new ReentrantLock();
  private static final Object MONITOR = new Object();
  private static volatile boolean running = true;

  private RecordedApp() {}

  public static void main(String[] args) throws Exception {
    long seconds = args.length > 0 ? Long.parseLong(args[0]) : 60;
    CountDownLatch locks = new CountDownLatch(ROUNDS_BEFORE_READY);
    CountDownLatch monitors = new CountDownLatch(ROUNDS_BEFORE_READY);
    CountDownLatch nio = new CountDownLatch(ROUNDS_BEFORE_READY);
    CountDownLatch piped = new CountDownLatch(ROUNDS_BEFORE_READY);
    CountDownLatch process = new CountDownLatch(ROUNDS_BEFORE_READY);
    for (int i = 0; i < 2; i++) {
      daemon("locker-" + i, () -> lockRounds(locks));
      daemon("monitor-" + i, () -> monitorRounds(monitors));
    }
    Pipe pipe = Pipe.open();
    daemon("nio-writer", () -> feed(b -> pipe.sink().write(ByteBuffer.wrap(b))));
    daemon("nio-reader", () -> drain(b -> pipe.source().read(ByteBuffer.wrap(b)), nio));
    PipedOutputStream out = new PipedOutputStream();
    PipedInputStream in = new PipedInputStream(out);
    daemon("piped-writer", () -> feed(out::write));
    daemon("piped-reader", () -> drain(in::read, piped));
    Process child =
        new ProcessBuilder("sh", "-c", "while :; do echo tick; sleep 0.01; done").start();
    Runtime.getRuntime().addShutdownHook(new Thread(child::destroyForcibly));
    InputStream childOut = child.getInputStream();
    daemon("child-reader", () -> drain(childOut::read, process));
    for (CountDownLatch kind : new CountDownLatch[] {locks, monitors, nio, piped, process}) {
      kind.await();
    }
    System.out.println("recorded-app ready");
    System.out.flush();
    Thread.sleep(seconds * 1000);
    running = false;
    System.exit(args.length > 0 ? 0 : 3);
  }

  private static void lockRounds(CountDownLatch warm) throws InterruptedException {
    while (running) {
      LOCK.lock();
      try {
        Thread.sleep(5);
      } finally {
        LOCK.unlock();
      }
      warm.countDown();
      // Out of the lock a while: an unfair lock re-taken at once would starve the other thread.
      Thread.sleep(1);
    }
  }

  private static void monitorRounds(CountDownLatch warm) throws InterruptedException {
    while (running) {
      synchronized (MONITOR) {
        Thread.sleep(5);
      }
      synchronized (MONITOR) {
        MONITOR.wait(2);
      }
      warm.countDown();
    }
  }

  /** An action that may throw anything a thread body may. */
  private interface Body {
    void run() throws Exception;
  }

  /** Writes some bytes somewhere. */
  private interface Sink {
    void write(byte[] b) throws IOException;
  }

  /** Reads into a buffer; returns how many bytes, or -1 at the end. */
  private interface Source {
    int read(byte[] b) throws IOException;
  }

  private static void feed(Sink sink) throws Exception {
    while (running) {
      Thread.sleep(10);
      sink.write(new byte[64]);
    }
  }

  private static void drain(Source source, CountDownLatch warm) throws IOException {
    byte[] buffer = new byte[4096];
    while (running && source.read(buffer) >= 0) {
      warm.countDown();
    }
  }

  private static void daemon(String name, Body body) {
    Thread t =
        new Thread(
            () -> {
              try {
                body.run();
              } catch (Exception e) {
                if (running) {
                  throw new IllegalStateException(name, e);
                }
              }
            },
            name);
    t.setDaemon(true);
    t.start();
  }
}

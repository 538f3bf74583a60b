package dev.gil4j.profiler.locks;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * A thread a test starts: what it throws fails the test at {@link #join}, and it may not outlive
 * {@link #PATIENCE_MS}; a straggler's stack is in the failure message.
 */
final class TestThread {
  static final long PATIENCE_MS = 10_000;

  /** A thread's work. */
  interface Body {
    void run() throws Exception;
  }

  private final Thread thread;
  private volatile Throwable failure;

  private TestThread(String name, Body body) {
    thread =
        new Thread(
            () -> {
              try {
                body.run();
              } catch (Throwable t) {
                failure = t;
              }
            },
            name);
    thread.setDaemon(true);
  }

  static TestThread start(String name, Body body) {
    TestThread t = new TestThread(name, body);
    t.thread.start();
    return t;
  }

  /**
   * Starts {@code body} on a thread named {@code name} and returns once {@code queuedOn} says the
   * thread waits in a lock's queue ({@code lock::hasQueuedThread}); fails after the patience.
   */
  static TestThread queued(String name, Predicate<Thread> queuedOn, Body body)
      throws InterruptedException {
    TestThread t = start(name, body);
    eventually(() -> queuedOn.test(t.thread), name + " to queue");
    return t;
  }

  Thread thread() {
    return thread;
  }

  /** Waits for the thread to end; fails if it threw or is still running after the patience. */
  void join() throws InterruptedException {
    thread.join(PATIENCE_MS);
    if (thread.isAlive()) {
      fail(thread.getName() + " still running at " + Arrays.toString(thread.getStackTrace()));
    }
    if (failure != null) {
      throw new AssertionError(thread.getName() + " failed", failure);
    }
  }

  /** Waits until the thread is parked or waiting (blocked in a synchronizer). */
  void awaitParked() throws InterruptedException {
    eventually(
        () -> {
          Thread.State s = thread.getState();
          return s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING;
        },
        thread.getName() + " to park");
  }

  /** Polls {@code condition} until it holds; fails after the patience. */
  static void eventually(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PATIENCE_MS);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("timed out waiting for " + what);
      }
      Thread.sleep(1);
    }
  }
}

package dev.gil4j.samples;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The worker threads of one sample run: started by name, joined with a deadline.
 *
 * <p>A sample must end by itself and must not report a number measured on broken work, so {@link
 * #joinAll} ends the program with exit status 1 if a worker threw or has not finished by the
 * deadline, after printing on stderr what failed, or where the late thread is.
 */
final class Workers {
  /** A worker's body; it may throw, which fails the run. */
  interface Body {
    void run() throws Exception;
  }

  private final String program;
  private final List<Thread> threads = new ArrayList<>();
  private final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();

  Workers(String program) {
    this.program = program;
  }

  /**
   * Starts a platform thread named {@code name}. Started from the main thread, it is one that gil4j
   * registers for the GIL, like every thread the application starts.
   */
  void start(String name, Body body) {
    Thread thread =
        new Thread(
            () -> {
              try {
                body.run();
              } catch (Throwable t) {
                failures.add(t);
              }
            },
            name);
    threads.add(thread);
    thread.start();
  }

  /** Waits for every started thread; exits with status 1 on a failure or a missed deadline. */
  void joinAll(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (Thread thread : threads) {
      long left = deadline - System.nanoTime();
      if (left > 0) {
        thread.join(Math.max(1, left / 1_000_000));
      }
      if (thread.isAlive()) {
        System.err.println(
            program + ": thread " + thread.getName() + " still running after " + timeout);
        for (StackTraceElement frame : thread.getStackTrace()) {
          System.err.println("\tat " + frame);
        }
        System.exit(1);
      }
    }
    Throwable failure = failures.peek();
    if (failure != null) {
      System.err.println(program + ": a worker thread failed");
      failure.printStackTrace();
      System.exit(1);
    }
  }
}

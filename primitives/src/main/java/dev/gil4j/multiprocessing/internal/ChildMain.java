package dev.gil4j.multiprocessing.internal;

import dev.gil4j.multiprocessing.Task;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The main class of a child JVM started by {@code Process} for a {@link Task}: reads the task from
 * the file named by its one argument (and deletes it), runs it, and ends with Python's exit codes:
 * 0 when it returns, 1 when it throws, after printing {@code Process <name>:} and the stack trace
 * on stderr, as CPython's {@code BaseProcess._bootstrap} prints its traceback.
 */
public final class ChildMain {
  /** The system property that names this process. */
  public static final String NAME_PROPERTY = "gil4j.multiprocessing.name";

  /** The system property that gives this process's place in the tree: {@code 1:2} */
  public static final String IDENTITY_PROPERTY = "gil4j.multiprocessing.identity";

  /** The system property set in a daemonic process, which may not start children. */
  public static final String DAEMON_PROPERTY = "gil4j.multiprocessing.daemon";

  private ChildMain() {}

  public static void main(String[] args) {
    int status = 0;
    try {
      read(Path.of(args[0])).run();
    } catch (Throwable t) {
      System.err.println("Process " + System.getProperty(NAME_PROPERTY, "?") + ":");
      t.printStackTrace();
      status = 1;
    }
    System.out.flush();
    System.err.flush();
    if (status != 0) {
      // Python's child waits for its non-daemon threads whatever the outcome; returning from main
      // does that for the JVM, but the exit status 1 needs System.exit, which would not wait.
      awaitNonDaemonThreads();
      System.exit(status);
    }
  }

  private static Task read(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return (Task) ObjectStreams.read(in);
    } finally {
      Sockets.deleteQuietly(file);
      Sockets.deleteQuietly(file.getParent());
    }
  }

  private static void awaitNonDaemonThreads() {
    Thread self = Thread.currentThread();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t != self && !t.isDaemon()) {
        try {
          t.join();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }
}

package dev.gil4j.samples;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An {@link EchoServer} in a child JVM that runs without gil4j, standing for a server in another
 * process; or CPython's echo server from {@code convoy.py}, so that a Java client and CPython's
 * client can be timed against the same server.
 *
 * <p>The child JVM gets the same {@code java} executable and class path as this JVM but none of its
 * JVM options, and the variables through which a JVM picks up options from the environment ({@code
 * JAVA_TOOL_OPTIONS}, {@code JDK_JAVA_OPTIONS}, {@code _JAVA_OPTIONS}) are removed, so no {@code
 * -javaagent} reaches it. Either child never outlives this JVM: {@link #close} ends it, a shutdown
 * hook destroys it if the program exits another way, and the child exits by itself when its stdin
 * pipe closes because this JVM died. A child that does not start or does not stop in time has its
 * threads dumped on stderr (with {@code jcmd Thread.print}, or CPython's {@code faulthandler} on
 * {@code SIGUSR1}) before it is destroyed.
 */
final class EchoServerProcess implements AutoCloseable {
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

  private final Process process;
  private final Thread reaper;
  private final int port;
  private final boolean cpython;

  private EchoServerProcess(Process process, Thread reaper, int port, boolean cpython) {
    this.process = process;
    this.reaper = reaper;
    this.port = port;
    this.cpython = cpython;
  }

  /**
   * Starts the child JVM and waits up to {@code timeout} for it to print the port it listens on.
   */
  static EchoServerProcess start(Duration timeout) throws IOException, InterruptedException {
    return start(
        List.of(
            javaExecutable(),
            "-cp",
            System.getProperty("java.class.path"),
            EchoServer.class.getName()),
        false,
        timeout);
  }

  /**
   * Starts {@code python script --serve}, {@code script} being {@code convoy.py}, and waits up to
   * {@code timeout} for it to print the port it listens on.
   */
  static EchoServerProcess startCpython(String python, Path script, Duration timeout)
      throws IOException, InterruptedException {
    if (!Files.isRegularFile(script)) {
      throw new IOException("no CPython echo server script " + script);
    }
    return start(List.of(python, script.toString(), "--serve"), true, timeout);
  }

  private static EchoServerProcess start(List<String> command, boolean cpython, Duration timeout)
      throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().remove("JAVA_TOOL_OPTIONS");
    builder.environment().remove("JDK_JAVA_OPTIONS");
    builder.environment().remove("_JAVA_OPTIONS");
    builder.redirectError(ProcessBuilder.Redirect.INHERIT);
    Process process = builder.start();
    Thread reaper = new Thread(process::destroyForcibly, "echo-server-reaper");
    Runtime.getRuntime().addShutdownHook(reaper);

    BufferedReader stdout =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
    CompletableFuture<String> firstLine = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try {
                firstLine.complete(stdout.readLine());
              } catch (IOException e) {
                firstLine.completeExceptionally(e);
              }
            },
            "echo-server-port-reader");
    reader.setDaemon(true);
    reader.start();
    String line;
    try {
      line = firstLine.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      dumpThreadsAndDestroy(process, cpython);
      throw new IOException("echo server printed no port within " + timeout);
    } catch (ExecutionException e) {
      process.destroyForcibly();
      throw new IOException("cannot read the echo server's port", e.getCause());
    }
    if (line == null) {
      process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      process.destroyForcibly();
      throw new IOException("echo server ended before printing its port");
    }
    try {
      return new EchoServerProcess(process, reaper, Integer.parseInt(line.trim()), cpython);
    } catch (NumberFormatException e) {
      process.destroyForcibly();
      throw new IOException("echo server printed '" + line + "' instead of its port");
    }
  }

  /** The loopback port the child listens on. */
  int port() {
    return port;
  }

  /** The child's process id. */
  long pid() {
    return process.pid();
  }

  /**
   * Closes the child's stdin, which ends it; dumps its threads and destroys it if it has not ended
   * within 5 s. An interrupt skips the wait but still destroys the child.
   */
  @Override
  public void close() throws IOException {
    try {
      process.getOutputStream().close();
      if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        System.err.println(
            "echo server: still running " + STOP_TIMEOUT + " after its stdin closed");
        dumpThreadsAndDestroy(process, cpython);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      process.destroyForcibly();
      Runtime.getRuntime().removeShutdownHook(reaper);
    }
  }

  private static String javaExecutable() {
    return ProcessHandle.current()
        .info()
        .command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  /** Prints the child's thread dump on stderr, so that a hang can be diagnosed, then kills it. */
  private static void dumpThreadsAndDestroy(Process process, boolean cpython)
      throws InterruptedException {
    if (cpython) {
      // convoy.py --serve registers faulthandler for SIGUSR1: its stacks go to the inherited stderr
      try {
        Process kill =
            new ProcessBuilder("kill", "-USR1", Long.toString(process.pid()))
                .redirectErrorStream(true)
                .start();
        kill.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        Thread.sleep(200);
      } catch (IOException e) {
        System.err.println("echo server: no stack dump: " + e);
      }
      process.destroyForcibly();
      return;
    }
    Path jcmd = Path.of(javaExecutable()).resolveSibling("jcmd");
    if (Files.isExecutable(jcmd)) {
      try {
        Process dump =
            new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), "Thread.print")
                .redirectErrorStream(true)
                .start();
        // stdout carries the metric lines, so the dump is copied to stderr instead of inherited
        Thread copier =
            new Thread(
                () -> {
                  try {
                    dump.getInputStream().transferTo(System.err);
                  } catch (IOException e) {
                    System.err.println("echo server: thread dump cut short: " + e);
                  }
                },
                "echo-server-dump-copier");
        copier.setDaemon(true);
        copier.start();
        if (!dump.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
          dump.destroyForcibly();
        }
        copier.join(STOP_TIMEOUT.toMillis());
      } catch (IOException e) {
        System.err.println("echo server: no thread dump: " + e);
      }
    } else {
      System.err.println("echo server: no thread dump: " + jcmd + " not found");
    }
    process.destroyForcibly();
  }
}

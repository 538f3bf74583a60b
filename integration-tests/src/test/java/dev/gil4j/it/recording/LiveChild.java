package dev.gil4j.it.recording;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.gil4j.it.ChildJvm;
import dev.gil4j.it.Jdk;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A child JVM that a test talks to while it runs: started from a {@link ChildJvm}'s command line
 * with extra JVM options, it is waited on for a line on its stdout, sent a signal, and waited on
 * until it exits.
 *
 * <p><b>Guarantees</b>, those of {@link ChildJvm}: a child never outlives its deadline: one that
 * does is a hang, so its threads' stacks are taken ({@code jcmd <pid> Thread.print}, else {@code
 * jstack <pid>}), it and its descendants are killed, and the waiting method throws an {@link
 * AssertionError} that carries the dump and the tails of its output. Its stdout and stderr go to
 * files under {@code target/it-logs/}. {@link #close} kills a child still running.
 *
 * <p><b>Example use.</b>
 *
 * <pre>{@code
 * try (LiveChild app = LiveChild.start(jdk, ChildJvm.of(jdk, classes, main).withAgent("jfr=a.jfr"),
 *     List.of(), Duration.ofSeconds(60))) {
 *   app.awaitLine("ready");
 *   app.signal("TERM");
 *   assertEquals(143, app.awaitExit());
 * }
 * }</pre>
 */
final class LiveChild implements AutoCloseable {
  private static final Path LOG_DIR =
      Path.of(System.getProperty("gil4j.itLogs", "target/it-logs")).toAbsolutePath();
  private static final AtomicInteger RUNS = new AtomicInteger();

  private final Jdk jdk;
  private final List<String> command;
  private final Process process;
  private final Path out;
  private final Path err;
  private final long deadline;

  private LiveChild(Jdk jdk, List<String> command, Process process, Path out, Path err, long end) {
    this.jdk = jdk;
    this.command = command;
    this.process = process;
    this.out = out;
    this.err = err;
    this.deadline = end;
  }

  /**
   * Starts {@code child}'s command on {@code jdk} (the one {@code child} was made for) with {@code
   * jvmOptions} before its other arguments; it must have ended within {@code timeout}.
   */
  static LiveChild start(Jdk jdk, ChildJvm child, List<String> jvmOptions, Duration timeout)
      throws IOException {
    List<String> command = new ArrayList<>(child.command());
    command.addAll(1, jvmOptions);
    String base = String.format("live-%03d-%s", RUNS.incrementAndGet(), jdk.name());
    Files.createDirectories(LOG_DIR);
    Path out = LOG_DIR.resolve(base.replace(' ', '_') + ".stdout");
    Path err = LOG_DIR.resolve(base.replace(' ', '_') + ".stderr");
    ProcessBuilder builder = new ProcessBuilder(command);
    List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS")
        .forEach(builder.environment()::remove);
    builder.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process p = builder.start();
    p.getOutputStream().close();
    System.out.printf("[%s] started pid %d: %s%n", jdk, p.pid(), String.join(" ", command));
    return new LiveChild(jdk, command, p, out, err, System.nanoTime() + timeout.toNanos());
  }

  /** Waits until a line of the child's stdout starts with {@code prefix}. */
  void awaitLine(String prefix) throws IOException, InterruptedException {
    while (stdout().lines().noneMatch(l -> l.startsWith(prefix))) {
      if (!process.isAlive()) {
        throw new AssertionError(
            "child ended before printing '"
                + prefix
                + "': exit "
                + process.exitValue()
                + describe());
      }
      if (System.nanoTime() - deadline > 0) {
        throw hung("printing '" + prefix + "'");
      }
      Thread.sleep(50);
    }
  }

  /** Sends the signal {@code name} ({@code TERM}, {@code INT}) to the child. */
  void signal(String name) throws IOException, InterruptedException {
    Process kill =
        new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
            .redirectErrorStream(true)
            .start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new AssertionError(
          "kill -"
              + name
              + " "
              + process.pid()
              + " failed: "
              + new String(kill.getInputStream().readAllBytes(), UTF_8));
    }
  }

  /** Waits for the child to exit; returns its status. */
  int awaitExit() throws IOException, InterruptedException {
    long left = deadline - System.nanoTime();
    if (!process.waitFor(Math.max(left, 0), TimeUnit.NANOSECONDS)) {
      throw hung("exiting");
    }
    System.out.printf("[%s] pid %d exited %d%n", jdk, process.pid(), process.exitValue());
    return process.exitValue();
  }

  String stdout() throws IOException {
    return read(out);
  }

  String stderr() throws IOException {
    return read(err);
  }

  /** The command, logs and the tails of both streams, for a failure message. */
  String describe() throws IOException {
    return String.format(
        "%ncommand: %s%nlogs: %s, %s%n--- stderr (tail) ---%n%s%n--- stdout (tail) ---%n%s",
        String.join(" ", command), out, err, tail(stderr(), 40), tail(stdout(), 20));
  }

  private AssertionError hung(String what) throws IOException {
    String dump = threadDump();
    kill();
    return new AssertionError(
        "child JVM hung before "
            + what
            + ", killed"
            + describe()
            + "\n--- thread dump ---\n"
            + dump);
  }

  private String threadDump() {
    StringBuilder failures = new StringBuilder();
    for (List<String> tool :
        List.of(
            List.of(jdk.tool("jcmd").toString(), Long.toString(process.pid()), "Thread.print"),
            List.of(jdk.tool("jstack").toString(), Long.toString(process.pid())))) {
      try {
        Process dumper = new ProcessBuilder(tool).redirectErrorStream(true).start();
        byte[] text = dumper.getInputStream().readAllBytes();
        if (dumper.waitFor(30, TimeUnit.SECONDS) && dumper.exitValue() == 0 && text.length > 0) {
          return new String(text, UTF_8);
        }
        failures.append(String.join(" ", tool)).append(" failed\n");
      } catch (IOException e) {
        failures.append(String.join(" ", tool)).append(": ").append(e).append('\n');
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return "no thread dump could be taken:\n" + failures;
  }

  private void kill() {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      kill();
    }
  }

  private static String read(Path file) throws IOException {
    return Files.exists(file) ? new String(Files.readAllBytes(file), UTF_8) : "";
  }

  private static String tail(String text, int lines) {
    List<String> all = text.lines().toList();
    return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
  }
}

package dev.gil4j.it.isolation;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.gil4j.it.ChildJvm;
import dev.gil4j.it.ChildRun;
import dev.gil4j.it.Jdk;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A child JVM that {@link ChildJvm} cannot express: any JVM options (a second {@code -javaagent},
 * {@code -D…}), a class path of several entries, {@code java -jar}, and a child that the test
 * drives while it runs (attaches to it, then lets it finish).
 *
 * <p><b>Guarantees</b>, as {@link ChildJvm}'s: a child never outlives its hard timeout, counted
 * from its start; one that does is a hang, so its threads' stacks ({@code jcmd <pid> Thread.print},
 * else {@code jstack}) go to the test output and beside its logs, it and its descendants are
 * killed, and {@link #finish} throws an {@link AssertionError} carrying the dump. Its stdout and
 * stderr are in files under {@code target/it-logs/}, named {@code iso-NNN-…}. A child still running
 * when the test JVM exits is killed.
 */
final class ChildProcess {
  private static final Path LOG_DIR =
      Path.of(System.getProperty("gil4j.itLogs", "target/it-logs")).toAbsolutePath().normalize();
  private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(30);
  private static final AtomicInteger RUNS = new AtomicInteger();
  private static final Set<ChildProcess> LIVE = ConcurrentHashMap.newKeySet();

  static {
    // ChildJvm empties the log directory when it is first used: let that happen before ours.
    try {
      MethodHandles.lookup().ensureInitialized(ChildJvm.class);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(() -> LIVE.forEach(ChildProcess::kill), "gil4j-it-isolation-reaper"));
  }

  private final Jdk jdk;
  private final List<String> command;
  private final Process process;
  private final long deadline;
  private final long startedAt;
  private final Path out;
  private final Path err;
  private final Path threads;

  private ChildProcess(Jdk jdk, List<String> command, Duration timeout, String label)
      throws IOException {
    this.jdk = jdk;
    this.command = List.copyOf(command);
    String base = String.format("iso-%03d-%s", RUNS.incrementAndGet(), jdk.name() + "-" + label);
    base = base.replaceAll("[^A-Za-z0-9._=,-]", "_");
    Files.createDirectories(LOG_DIR);
    out = LOG_DIR.resolve(base + ".stdout");
    err = LOG_DIR.resolve(base + ".stderr");
    threads = LOG_DIR.resolve(base + ".threads");
    ProcessBuilder builder = new ProcessBuilder(command);
    List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS")
        .forEach(builder.environment()::remove);
    builder.redirectOutput(out.toFile()).redirectError(err.toFile());
    startedAt = System.nanoTime();
    deadline = startedAt + timeout.toNanos();
    process = builder.start();
    LIVE.add(this);
    process.getOutputStream().close();
  }

  /**
   * Starts {@code java JVM_OPTIONS -cp CLASS_PATH MAIN ARGS} on {@code jdk}; {@code label} names
   * its log files.
   */
  static ChildProcess start(
      Jdk jdk,
      List<String> jvmOptions,
      List<Path> classPath,
      String mainClass,
      List<String> args,
      Duration timeout,
      String label) {
    List<String> command = new ArrayList<>();
    command.add(jdk.java().toString());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(String.join(File.pathSeparator, classPath.stream().map(Path::toString).toList()));
    command.add(mainClass);
    command.addAll(args);
    try {
      return new ChildProcess(jdk, command, timeout, label);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Starts {@code java -jar JAR ARGS} on {@code jdk}, as a user runs gil4j's command-line tool;
   * {@code label} names its log files.
   */
  static ChildProcess startJar(
      Jdk jdk, Path jar, List<String> args, Duration timeout, String label) {
    List<String> command = new ArrayList<>(List.of(jdk.java().toString(), "-jar", jar.toString()));
    command.addAll(args);
    try {
      return new ChildProcess(jdk, command, timeout, label);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  long pid() {
    return process.pid();
  }

  /**
   * Waits, at most until the hard timeout, for a stdout line matching {@code regex}, and returns
   * its match; fails, with a thread dump, if the child exits or hangs without printing it.
   */
  Matcher awaitStdout(String regex) {
    Pattern pattern = Pattern.compile(regex);
    while (true) {
      Optional<Matcher> found =
          read(out).lines().map(pattern::matcher).filter(Matcher::find).findFirst();
      if (found.isPresent()) {
        return found.get();
      }
      if (!process.isAlive()) {
        throw new AssertionError(
            "child exited without printing /" + regex + "/\n" + result().describe());
      }
      if (System.nanoTime() > deadline) {
        throw hung("no line /" + regex + "/ on stdout");
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for the child", e);
      }
    }
  }

  /** Waits for the child to exit, at most until its hard timeout, and returns what it did. */
  ChildRun finish() {
    try {
      long left = deadline - System.nanoTime();
      if (!process.waitFor(Math.max(left, 0), TimeUnit.NANOSECONDS)) {
        throw hung("no exit");
      }
      ChildRun run = result();
      System.out.printf(
          "[%s] exit %d after %d ms: %s%n",
          jdk, run.exitCode(), run.wall().toMillis(), run.command());
      return run;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted waiting for the child", e);
    } finally {
      kill();
      LIVE.remove(this);
    }
  }

  /** Starts the child and waits for it: {@link #start} then {@link #finish}. */
  static ChildRun run(
      Jdk jdk,
      List<String> jvmOptions,
      List<Path> classPath,
      String mainClass,
      List<String> args,
      Duration timeout,
      String label) {
    return start(jdk, jvmOptions, classPath, mainClass, args, timeout, label).finish();
  }

  private ChildRun result() {
    return new ChildRun(
        String.join(" ", command),
        process.isAlive() ? -1 : process.exitValue(),
        read(out),
        read(err),
        Duration.ofNanos(System.nanoTime() - startedAt),
        out,
        err);
  }

  private AssertionError hung(String what) {
    String dump = threadDump();
    System.out.printf("[%s] HUNG (%s), thread dump of pid %d:%n%s%n", jdk, what, pid(), dump);
    kill();
    return new AssertionError(
        String.format(
            "child JVM hung: %s, killed; stacks in %s%n%s%n--- thread dump ---%n%s",
            what, threads, result().describe(), dump));
  }

  /** The child's stacks, from the first of jcmd or jstack that works; else what went wrong. */
  private String threadDump() {
    StringBuilder failures = new StringBuilder();
    List<List<String>> tools =
        List.of(
            List.of(jdk.tool("jcmd").toString(), Long.toString(pid()), "Thread.print"),
            List.of(jdk.tool("jstack").toString(), Long.toString(pid())));
    for (List<String> tool : tools) {
      try {
        Process dumper =
            new ProcessBuilder(tool)
                .redirectErrorStream(true)
                .redirectOutput(threads.toFile())
                .start();
        boolean done = dumper.waitFor(TOOL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        dumper.destroyForcibly();
        String text = read(threads);
        if (done && dumper.exitValue() == 0 && !text.isBlank()) {
          return text;
        }
        failures.append(String.join(" ", tool)).append(" failed:\n").append(text).append('\n');
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

  private static String read(Path file) {
    try {
      return Files.exists(file) ? new String(Files.readAllBytes(file), UTF_8) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

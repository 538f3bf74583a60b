package dev.gil4j.it;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A child JVM to fork: which JDK, the gil4j agent with its options or no agent, the class path, the
 * main class and its arguments.
 *
 * <p>Immutable: each {@code with…} method returns a new value. {@link #run()} forks the JVM and
 * waits for it.
 *
 * <p><b>Guarantees.</b> A child never outlives its timeout: one that does is a hang, so its
 * threads' stacks are dumped ({@code jcmd <pid> Thread.print}, else {@code jstack <pid>}) into the
 * test output and beside its logs, it and its descendants are killed, and {@link #run()} throws an
 * {@link AssertionError} that says it hung and carries the dump. Its stdout and stderr are kept in
 * memory (in the returned {@link ChildRun}) and in files under {@code target/it-logs/}, so that a
 * CI failure can be read after the fact. The child inherits no {@code JAVA_TOOL_OPTIONS}-style
 * variables, whose "Picked up" notices would change its stderr. Children still alive when the test
 * JVM shuts down are killed.
 *
 * <p><b>Example use.</b>
 *
 * <pre>{@code
 * ChildRun run =
 *     ChildJvm.sample(jdk, "CpuBound").withAgent("switch=1ms").withArgs("2", "100").run();
 * run.assertSucceeded();
 * double wallMs = run.metric("wall_ms");
 * }</pre>
 */
public final class ChildJvm {
  /** The package of the sample apps that {@link #sample} names classes in. */
  public static final String SAMPLES_PACKAGE = "dev.gil4j.samples";

  private static final Path AGENT_JAR =
      pathProperty("gil4j.agentJar", "../agent/target/gil4j-agent.jar");
  private static final Path SAMPLE_CLASSES =
      pathProperty("gil4j.sampleClasses", "../sample-apps/target/classes");
  private static final Path LOG_DIR = pathProperty("gil4j.itLogs", "target/it-logs");
  private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(30);
  private static final List<String> INHERITED_JVM_OPTIONS =
      List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS");
  private static final AtomicInteger RUNS = new AtomicInteger();
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

  static {
    clearLogs();
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> LIVE.forEach(ChildJvm::kill), "gil4j-it-reaper"));
  }

  private final Jdk jdk;
  private final String agentOptions;
  private final Path classPath;
  private final String mainClass;
  private final List<String> args;
  private final Duration timeout;

  private ChildJvm(
      Jdk jdk,
      String agentOptions,
      Path classPath,
      String mainClass,
      List<String> args,
      Duration timeout) {
    this.jdk = jdk;
    this.agentOptions = agentOptions;
    this.classPath = classPath;
    this.mainClass = mainClass;
    this.args = List.copyOf(args);
    this.timeout = timeout;
  }

  /** {@code mainClass} on {@code classPath} and {@code jdk}, without the agent, a 60 s timeout. */
  public static ChildJvm of(Jdk jdk, Path classPath, String mainClass) {
    return new ChildJvm(jdk, null, classPath, mainClass, List.of(), DEFAULT_TIMEOUT);
  }

  /** The sample app {@code dev.gil4j.samples.<simpleName>}, built by the sample-apps module. */
  public static ChildJvm sample(Jdk jdk, String simpleName) {
    return of(jdk, SAMPLE_CLASSES, SAMPLES_PACKAGE + "." + simpleName);
  }

  /** The agent jar under test, for tests that run its command-line tool. */
  public static Path agentJar() {
    return AGENT_JAR;
  }

  /** The sample apps' classes. */
  public static Path sampleClasses() {
    return SAMPLE_CLASSES;
  }

  /** With {@code -javaagent:gil4j-agent.jar=options}; an empty string attaches it without any. */
  public ChildJvm withAgent(String options) {
    return new ChildJvm(jdk, options, classPath, mainClass, args, timeout);
  }

  /** With these program arguments instead of the previous ones. */
  public ChildJvm withArgs(String... newArgs) {
    return new ChildJvm(jdk, agentOptions, classPath, mainClass, Arrays.asList(newArgs), timeout);
  }

  /** With this hard timeout, after which the child is dumped, killed and reported as hung. */
  public ChildJvm withTimeout(Duration newTimeout) {
    return new ChildJvm(jdk, agentOptions, classPath, mainClass, args, newTimeout);
  }

  /** The command line {@link #run()} executes. */
  public List<String> command() {
    List<String> command = new ArrayList<>();
    command.add(jdk.java().toString());
    if (agentOptions != null) {
      command.add("-javaagent:" + AGENT_JAR + (agentOptions.isEmpty() ? "" : "=" + agentOptions));
    }
    command.add("-cp");
    command.add(classPath.toString());
    command.add(mainClass);
    command.addAll(args);
    return command;
  }

  /**
   * Forks the child, waits for it to exit and returns what it printed.
   *
   * @throws AssertionError if the agent jar or the main class is missing, or if the child hung
   */
  public ChildRun run() {
    checkBuilt();
    List<String> command = command();
    String base = String.format("%03d-%s", RUNS.incrementAndGet(), label());
    Path out = LOG_DIR.resolve(base + ".stdout");
    Path err = LOG_DIR.resolve(base + ".stderr");
    ProcessBuilder builder = new ProcessBuilder(command);
    INHERITED_JVM_OPTIONS.forEach(builder.environment()::remove);
    builder.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process process = null;
    try {
      Files.createDirectories(LOG_DIR);
      long start = System.nanoTime();
      process = builder.start();
      LIVE.add(process);
      process.getOutputStream().close();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw hung(process, command, out, err, LOG_DIR.resolve(base + ".threads"));
      }
      Duration wall = Duration.ofNanos(System.nanoTime() - start);
      ChildRun run =
          new ChildRun(
              String.join(" ", command), process.exitValue(), read(out), read(err), wall, out, err);
      System.out.printf(
          "[%s] exit %d after %d ms: %s%n", jdk, run.exitCode(), wall.toMillis(), run.command());
      return run;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for " + String.join(" ", command), e);
    } finally {
      if (process != null) {
        kill(process);
        LIVE.remove(process);
      }
    }
  }

  private void checkBuilt() {
    if (agentOptions != null && !Files.isRegularFile(AGENT_JAR)) {
      throw new AssertionError(
          "agent jar " + AGENT_JAR + " is missing: build it first (mvn -DskipTests package)");
    }
    if (Files.isRegularFile(classPath)) {
      return;
    }
    Path classFile = classPath.resolve(mainClass.replace('.', '/') + ".class");
    if (!Files.isRegularFile(classFile)) {
      throw new AssertionError(
          "main class " + mainClass + " is missing: " + classFile + " does not exist");
    }
  }

  private AssertionError hung(
      Process process, List<String> command, Path out, Path err, Path threads) throws IOException {
    String dump = threadDump(process.pid(), threads);
    System.out.printf(
        "[%s] HUNG after %d s, thread dump of pid %d follows:%n%s%n",
        jdk, timeout.toSeconds(), process.pid(), dump);
    kill(process);
    return new AssertionError(
        String.format(
            "child JVM hung: no exit within %d s, killed.%ncommand: %s%nlogs: %s, %s, %s%n"
                + "--- stderr (tail) ---%n%s%n--- stdout (tail) ---%n%s%n--- thread dump ---%n%s",
            timeout.toSeconds(),
            String.join(" ", command),
            out,
            err,
            threads,
            ChildRun.tail(read(err), 40),
            ChildRun.tail(read(out), 20),
            dump));
  }

  /** The child's stacks, from the first of jcmd or jstack that works; else what went wrong. */
  private String threadDump(long pid, Path file) throws IOException {
    StringBuilder failures = new StringBuilder();
    List<List<String>> tools =
        List.of(
            List.of(jdk.tool("jcmd").toString(), Long.toString(pid), "Thread.print"),
            List.of(jdk.tool("jstack").toString(), Long.toString(pid)));
    for (List<String> tool : tools) {
      if (!Files.isExecutable(Path.of(tool.get(0)))) {
        failures.append(tool.get(0)).append(" is not installed\n");
        continue;
      }
      Process dumper =
          new ProcessBuilder(tool).redirectErrorStream(true).redirectOutput(file.toFile()).start();
      try {
        boolean done = dumper.waitFor(TOOL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        String text = read(file);
        if (done && dumper.exitValue() == 0 && !text.isBlank()) {
          return text;
        }
        failures.append(String.join(" ", tool)).append(done ? " failed:\n" : " hung:\n");
        failures.append(text).append('\n');
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } finally {
        kill(dumper);
      }
    }
    String note = "no thread dump could be taken:\n" + failures;
    Files.writeString(file, note);
    return note;
  }

  private String label() {
    String simpleName = mainClass.substring(mainClass.lastIndexOf('.') + 1);
    String agent =
        agentOptions == null ? "noagent" : agentOptions.isEmpty() ? "agent" : agentOptions;
    String label = String.join("-", jdk.name(), simpleName, agent, String.join("-", args));
    String safe = label.replaceAll("[^A-Za-z0-9._=,-]", "_");
    return safe.length() <= 120 ? safe : safe.substring(0, 120);
  }

  /** Leaves only this test JVM's logs, so that a CI artifact shows one run, not a mix. */
  private static void clearLogs() {
    try (Stream<Path> old = Files.exists(LOG_DIR) ? Files.list(LOG_DIR) : Stream.empty()) {
      for (Path file : old.toList()) {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void kill(Process process) {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String read(Path file) throws IOException {
    // Lenient decoding: a child killed mid-line may leave a truncated multi-byte character.
    return Files.exists(file) ? new String(Files.readAllBytes(file), UTF_8) : "";
  }

  private static Path pathProperty(String name, String fallback) {
    return Path.of(System.getProperty(name, fallback)).toAbsolutePath().normalize();
  }
}

package dev.gil4j.testkit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A child process to start: a JVM (which JDK, JVM options, the gil4j agent with its options or no
 * agent, a class path and main class or a jar, program arguments) or any other command, with a hard
 * timeout.
 *
 * <p>Immutable: each {@code with…} method returns a new value. {@link #run()} starts the child and
 * waits for it; {@link #start()} returns it running, for a test that talks to it.
 *
 * <p><b>Guarantees.</b> A child never outlives its timeout, counted from its start: one that does
 * is a hang, so the threads of it and of every process it started are dumped ({@code jcmd <pid>
 * Thread.print}, else {@code jstack <pid>}; see {@link ThreadDumps}) into the test output and
 * beside its logs, they are killed, and {@link #run()} throws an {@link AssertionError} that says
 * it hung and carries the dump ({@link #tryRun()} returns it instead, for benchmarks). Its stdin is
 * empty; its stdout and stderr go to files — by default {@code NNN-label.stdout}/{@code .stderr}
 * under the directory named by the system property {@code gil4j.childLogs} ({@code
 * target/child-logs}), which is emptied once per JVM so that a CI artifact shows one run — and are
 * read back into the {@link ChildRun}. A child inherits no {@code JAVA_TOOL_OPTIONS}-style
 * variables, whose "Picked up" notices would change its stderr. Children still alive when the JVM
 * that started them shuts down are killed.
 *
 * <p><b>Example use.</b>
 *
 * <pre>{@code
 * ChildRun run =
 *     Child.java(Jdk.current(), List.of(classes), "dev.gil4j.samples.CpuBound")
 *         .withAgent("switch=1ms")
 *         .withArgs("2", "100")
 *         .run()
 *         .assertSucceeded();
 * double wallMs = run.metric("wall_ms");
 * }</pre>
 */
public final class Child {
  /** The default hard timeout. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

  private static final Path AGENT_JAR =
      Path.of(System.getProperty("gil4j.agentJar", "../agent/target/gil4j-agent.jar"))
          .toAbsolutePath()
          .normalize();
  private static final List<String> INHERITED_JVM_OPTIONS =
      List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS");
  private static final AtomicInteger RUNS = new AtomicInteger();

  private Jdk jdk;
  private List<String> program;
  private List<Path> classPath = List.of();
  private String mainClass;
  private Path jar;
  private List<String> jvmOptions = List.of();
  private Path agentJar;
  private String agentOptions;
  private List<String> args = List.of();
  private Duration timeout = DEFAULT_TIMEOUT;
  private Map<String, String> env = Map.of();
  private Path logs;
  private String label;
  private boolean quiet;

  private Child() {}

  /** {@code java -cp CLASS_PATH MAIN} on {@code jdk}, without the agent, a 60 s timeout. */
  public static Child java(Jdk jdk, List<Path> classPath, String mainClass) {
    Child c = new Child();
    c.jdk = jdk;
    c.classPath = List.copyOf(classPath);
    c.mainClass = mainClass;
    return c;
  }

  /** {@code java -jar JAR} on {@code jdk}, as a user runs gil4j's command-line tool. */
  public static Child jar(Jdk jdk, Path jar) {
    Child c = new Child();
    c.jdk = jdk;
    c.jar = jar;
    return c;
  }

  /** Any command, such as {@code python3 -c …}; {@link #withArgs} adds to its words. */
  public static Child command(List<String> command) {
    Child c = new Child();
    c.program = List.copyOf(command);
    return c;
  }

  /**
   * The gil4j agent jar under test: the system property {@code gil4j.agentJar}, else {@code
   * ../agent/target/gil4j-agent.jar} from the module that runs.
   */
  public static Path agentJar() {
    return AGENT_JAR;
  }

  /**
   * With {@code -javaagent:}{@link #agentJar()}{@code =options}; {@code ""} attaches no options.
   */
  public Child withAgent(String options) {
    return withAgent(AGENT_JAR, options);
  }

  /** With {@code -javaagent:jar=options}; {@code ""} attaches it without options. */
  public Child withAgent(Path jar, String options) {
    Child c = copy();
    c.agentJar = jar;
    c.agentOptions = options;
    return c;
  }

  /** With these JVM options too, before the agent and the class path. */
  public Child withJvmOptions(List<String> options) {
    Child c = copy();
    c.jvmOptions = concat(jvmOptions, options);
    return c;
  }

  /** With these JVM options too, before the agent and the class path. */
  public Child withJvmOptions(String... options) {
    return withJvmOptions(Arrays.asList(options));
  }

  /** With these program arguments instead of the previous ones. */
  public Child withArgs(List<String> newArgs) {
    Child c = copy();
    c.args = List.copyOf(newArgs);
    return c;
  }

  /** With these program arguments instead of the previous ones. */
  public Child withArgs(String... newArgs) {
    return withArgs(Arrays.asList(newArgs));
  }

  /** With this hard timeout, after which the child is dumped, killed and reported as hung. */
  public Child withTimeout(Duration newTimeout) {
    Child c = copy();
    c.timeout = newTimeout;
    return c;
  }

  /** With the environment variable {@code name} set to {@code value}. */
  public Child withEnv(String name, String value) {
    Child c = copy();
    Map<String, String> more = new LinkedHashMap<>(env);
    more.put(name, value);
    c.env = Map.copyOf(more);
    return c;
  }

  /** With its output in {@code base.stdout}, {@code base.stderr} and a dump in {@code .threads}. */
  public Child withLogs(Path base) {
    Child c = copy();
    c.logs = base;
    return c;
  }

  /** With {@code label} in the names of its default log files. */
  public Child withLabel(String newLabel) {
    Child c = copy();
    c.label = newLabel;
    return c;
  }

  /**
   * Without the line that says how each child ended, and with a hang told in one line on stderr
   * (the dump in its file): for a benchmark, whose stdout is its table.
   */
  public Child quiet() {
    Child c = copy();
    c.quiet = true;
    return c;
  }

  /** The JDK it runs on; null for a command that is not a JVM. */
  public Jdk jdk() {
    return jdk;
  }

  /** Its hard timeout. */
  public Duration timeout() {
    return timeout;
  }

  /** The command line it executes. */
  public List<String> command() {
    List<String> command = new ArrayList<>();
    if (program != null) {
      command.addAll(program);
      command.addAll(args);
      return command;
    }
    command.add(jdk.java().toString());
    command.addAll(jvmOptions);
    if (agentOptions != null) {
      command.add("-javaagent:" + agentJar + (agentOptions.isEmpty() ? "" : "=" + agentOptions));
    }
    if (jar != null) {
      command.add("-jar");
      command.add(jar.toString());
    } else {
      command.add("-cp");
      command.add(String.join(File.pathSeparator, classPath.stream().map(Path::toString).toList()));
      command.add(mainClass);
    }
    command.addAll(args);
    return command;
  }

  /**
   * Starts the child, waits for it to exit and returns what it did.
   *
   * @throws AssertionError if the agent jar or the main class is missing, or if the child hung
   */
  public ChildRun run() {
    try (RunningChild child = start()) {
      return child.finish();
    }
  }

  /**
   * Starts the child and waits for it, as {@link #run()}, but returns a hung child as a {@link
   * ChildRun} that says so ({@link ChildRun#hung()}, exit status -1) instead of throwing.
   */
  public ChildRun tryRun() {
    try (RunningChild child = start()) {
      return child.await();
    }
  }

  /**
   * Starts the child and returns it running; close it to kill it if it is still running.
   *
   * @throws AssertionError if the agent jar or the main class is missing
   */
  public RunningChild start() {
    checkBuilt();
    List<String> command = command();
    Path base = logs != null ? logs : Logs.next(label());
    ProcessBuilder builder = new ProcessBuilder(command);
    INHERITED_JVM_OPTIONS.forEach(builder.environment()::remove);
    builder.environment().putAll(env);
    try {
      return new RunningChild(this, builder, base, quiet);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void checkBuilt() {
    if (agentOptions != null && !Files.isRegularFile(agentJar)) {
      throw new AssertionError(
          "agent jar " + agentJar + " is missing: build it first (mvn -DskipTests package)");
    }
    if (mainClass == null || classPath.size() != 1 || Files.isRegularFile(classPath.get(0))) {
      return;
    }
    Path classFile = classPath.get(0).resolve(mainClass.replace('.', '/') + ".class");
    if (!Files.isRegularFile(classFile)) {
      throw new AssertionError(
          "main class " + mainClass + " is missing: " + classFile + " does not exist");
    }
  }

  private String label() {
    String what;
    if (label != null) {
      what = label;
    } else if (program != null) {
      what = Path.of(program.get(0)).getFileName().toString();
    } else {
      String simpleName =
          jar != null
              ? jar.getFileName().toString()
              : mainClass.substring(mainClass.lastIndexOf('.') + 1);
      String agent =
          agentOptions == null ? "noagent" : agentOptions.isEmpty() ? "agent" : agentOptions;
      what = String.join("-", simpleName, agent, String.join("-", args));
    }
    String full = jdk == null ? what : jdk.name() + "-" + what;
    String safe = full.replaceAll("[^A-Za-z0-9._=,-]", "_");
    return String.format(
        "%03d-%s", RUNS.incrementAndGet(), safe.length() <= 120 ? safe : safe.substring(0, 120));
  }

  private Child copy() {
    Child c = new Child();
    c.jdk = jdk;
    c.program = program;
    c.classPath = classPath;
    c.mainClass = mainClass;
    c.jar = jar;
    c.jvmOptions = jvmOptions;
    c.agentJar = agentJar;
    c.agentOptions = agentOptions;
    c.args = args;
    c.timeout = timeout;
    c.env = env;
    c.logs = logs;
    c.label = label;
    c.quiet = quiet;
    return c;
  }

  private static List<String> concat(List<String> a, List<String> b) {
    return Stream.concat(a.stream(), b.stream()).toList();
  }

  /** The default log directory, emptied when first used. */
  private static final class Logs {
    private static final Path DIR = emptied();

    static Path next(String label) {
      return DIR.resolve(label);
    }

    private static Path emptied() {
      Path dir =
          Path.of(System.getProperty("gil4j.childLogs", "target/child-logs"))
              .toAbsolutePath()
              .normalize();
      try (Stream<Path> old = Files.exists(dir) ? Files.list(dir) : Stream.empty()) {
        for (Path file : old.toList()) {
          Files.deleteIfExists(file);
        }
        return Files.createDirectories(dir);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}

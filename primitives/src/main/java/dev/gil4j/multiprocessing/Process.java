package dev.gil4j.multiprocessing;

import dev.gil4j.multiprocessing.internal.ChildMain;
import dev.gil4j.multiprocessing.internal.ObjectStreams;
import dev.gil4j.multiprocessing.internal.Sockets;
import dev.gil4j.runtime.Hooks;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A child JVM running a {@link Task} or a main class: Python's {@code multiprocessing.Process} with
 * the {@code spawn} start method. Each child is a separate JVM with its own heap and, under gil4j,
 * its own GIL — the way around the GIL that CPython programs take for CPU-bound work.
 *
 * <p><b>The child.</b> It runs the same {@code java} executable as this JVM, with the same class
 * path ({@code java.class.path}) and the same {@code -javaagent:} options (so under gil4j it has a
 * GIL of its own, configured alike, and prints its own {@code gil4j:} lines on stderr — with {@code
 * report=FILE}, {@code jfr=FILE} or {@code summary=FILE}, a child writes {@code FILE} with {@code
 * -<pid>} added before its extension), followed by {@link #setJvmOptions}. It inherits the working
 * directory, the environment, stdout and stderr; its stdin is {@code /dev/null}, as Python gives
 * its children. A task is serialized into a file in a private temporary directory, which the child
 * reads and deletes; see {@link Task} for its exit codes.
 *
 * <p><b>Blocking.</b> {@link #start} returns once the JVM is launched, without waiting for it to
 * run. {@link #join()} blocks until the child ends, {@link #join(double)} at most a timeout, both
 * with gil4j's GIL released, and throw {@link InterruptedException} if interrupted. The other
 * methods do not block. Methods may be called from any thread.
 *
 * <p><b>Exit codes</b>, as Python reports them: {@code null} until the child has ended, its exit
 * status after ({@code System.exit(130)} gives 130), and {@code -N} when signal N sent by {@link
 * #terminate} (SIGTERM, -15) or {@link #kill} (SIGKILL, -9) ended it. Where Java forces a
 * difference: the JDK reports a death by signal N as the status 128+N, the number a {@code
 * System.exit(128+N)} gives, and a JVM that receives SIGTERM runs its shutdown hooks and exits with
 * 143 — so a status of 128+N reads as {@code -N} only when this object sent signal N; a child
 * killed by someone else (the OOM killer's SIGKILL, a {@code kill} from a shell) reads as 128+N,
 * where Python would say {@code -N}.
 *
 * <p><b>Sentinel and close.</b> {@link #sentinel} is a read-only {@link Connection} that reads the
 * end of the stream once the child has ended, so {@link Connection#waitAny} waits for children and
 * messages together, as Python's {@code connection.wait} does with {@code sentinel}. {@link #close}
 * releases the object's resources once the child has ended; afterwards every method but {@link
 * #name} and {@link #isDaemon} throws {@code IllegalStateException("process object is closed")}
 * (Python's {@code ValueError}).
 *
 * <p><b>Errors.</b> Starting twice, changing the name or daemon flag after the start, or joining,
 * terminating or killing a process not started throws {@link IllegalStateException} (Python's
 * {@code AssertionError}); so does starting a child from a daemonic process ("daemonic processes
 * are not allowed to have children"). A task that cannot be serialized makes {@code start} throw
 * {@link java.io.NotSerializableException}; a JVM that cannot be launched, {@link IOException}.
 *
 * <p><b>At exit</b> (a shutdown hook, as Python's {@code atexit} handler): daemonic children still
 * running are terminated (and killed if they have not ended 5 s later), then the others are waited
 * for. A JVM ended by SIGTERM runs shutdown hooks too, so it also waits for its non-daemonic
 * children; SIGKILL does not.
 */
public final class Process {
  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static final Set<Process> CHILDREN = ConcurrentHashMap.newKeySet();
  private static final AtomicBoolean EXIT_HOOK = new AtomicBoolean();
  private static final long DAEMON_GRACE_SECONDS = 5;
  private static final String AGENT_OPTION = "-javaagent:";
  private static final int SIGKILL = 9;
  private static final int SIGTERM = 15;

  private final Task target;
  private final String mainClass;
  private final List<String> args;
  private final String identity;
  private String name;
  private boolean daemon;
  private List<String> jvmOptions = List.of();
  private volatile java.lang.Process process;

  /** Signals this object sent, as a bit per signal number: see {@link #exitCode}. */
  private volatile int signalsSent;

  private volatile boolean closed;

  /** Whether this object stands for the running JVM itself: see {@link #current}. */
  private final boolean self;

  private Connection sentinel;
  private SocketChannel sentinelWriter;

  private static volatile Process current;

  /** A process that will run {@code target} (Python's {@code Process(target=…, args=…)}). */
  public Process(Task target) {
    this(Objects.requireNonNull(target, "target"), null, List.of());
  }

  private Process(Task target, String mainClass, List<String> args) {
    this.target = target;
    this.mainClass = mainClass;
    this.args = args;
    this.self = false;
    String parent = System.getProperty(ChildMain.IDENTITY_PROPERTY);
    int n = COUNTER.incrementAndGet();
    this.identity = parent == null ? Integer.toString(n) : parent + ":" + n;
    this.name = "Process-" + identity;
  }

  /** The running JVM. */
  private Process(String name, String identity, boolean daemon) {
    this.target = null;
    this.mainClass = null;
    this.args = List.of();
    this.self = true;
    this.identity = identity;
    this.name = name;
    this.daemon = daemon;
  }

  /**
   * The running JVM as a process: Python's {@code multiprocessing.current_process()}. Its name is
   * {@code MainProcess}, or in a child the name its parent gave it; it is alive, has no exit code,
   * and its {@link #pid} is this JVM's. It cannot be started, joined, terminated or killed ({@link
   * IllegalStateException}, Python's {@code AssertionError}).
   */
  public static Process current() {
    Process p = current;
    if (p == null) {
      synchronized (Process.class) {
        p = current;
        if (p == null) {
          String name = System.getProperty(ChildMain.NAME_PROPERTY, "MainProcess");
          String identity = System.getProperty(ChildMain.IDENTITY_PROPERTY, "");
          p = new Process(name, identity, Boolean.getBoolean(ChildMain.DAEMON_PROPERTY));
          current = p;
        }
      }
    }
    return p;
  }

  /**
   * A process that will run {@code mainClass}'s {@code main} with {@code args}, found on this JVM's
   * class path. Its exit code is the JVM's: 0 when {@code main} returns, 1 when it throws.
   */
  public static Process forMain(String mainClass, String... args) {
    return new Process(null, Objects.requireNonNull(mainClass, "mainClass"), List.of(args));
  }

  /**
   * Launches the child JVM; the task is serialized now, and the {@link Pipe} ends it captures are
   * handed over.
   *
   * @throws IllegalStateException if started before, or if this is a daemonic process
   * @throws java.io.NotSerializableException if the task cannot be serialized
   * @throws IOException if the JVM cannot be launched
   */
  public synchronized void start() throws IOException {
    checkOpen();
    if (self) {
      throw new IllegalStateException("can only start a process object created by current process");
    }
    if (process != null) {
      throw new IllegalStateException("cannot start a process twice");
    }
    if (Boolean.getBoolean(ChildMain.DAEMON_PROPERTY)) {
      throw new IllegalStateException("daemonic processes are not allowed to have children");
    }
    List<String> command = new ArrayList<>();
    command.add(javaExecutable());
    command.addAll(agentOptions());
    command.addAll(jvmOptions);
    command.add("-D" + ChildMain.NAME_PROPERTY + "=" + name);
    command.add("-D" + ChildMain.IDENTITY_PROPERTY + "=" + identity);
    if (daemon) {
      command.add("-D" + ChildMain.DAEMON_PROPERTY + "=true");
    }
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    Path taskDir = null;
    TransferScope scope = null;
    if (target != null) {
      taskDir = Sockets.privateDirectory();
      Path file = taskDir.resolve("task");
      scope = TransferScope.open();
      try {
        Files.write(file, ObjectStreams.toBytes(target));
      } catch (IOException | RuntimeException e) {
        scope.abort();
        Sockets.deleteQuietly(file);
        Sockets.deleteQuietly(taskDir);
        throw e;
      } finally {
        scope.close();
      }
      command.add(ChildMain.class.getName());
      command.add(file.toString());
    } else {
      command.add(mainClass);
      command.addAll(args);
    }
    java.lang.Process p;
    try {
      p =
          new ProcessBuilder(command)
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .redirectOutput(ProcessBuilder.Redirect.INHERIT)
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start();
    } catch (IOException | RuntimeException e) {
      if (scope != null) {
        scope.abort();
        Sockets.deleteQuietly(taskDir.resolve("task"));
        Sockets.deleteQuietly(taskDir);
      }
      throw e;
    }
    process = p;
    if (scope != null) {
      scope.commit(p);
    }
    CHILDREN.add(this);
    if (EXIT_HOOK.compareAndSet(false, true)) {
      Runtime.getRuntime()
          .addShutdownHook(new Thread(Process::atExit, "gil4j-multiprocessing-exit"));
    }
    Path dir = taskDir;
    p.onExit()
        .thenRun(
            () -> {
              CHILDREN.remove(this);
              if (dir != null) {
                // the child deletes it once read; this covers a child that never got that far
                Sockets.deleteQuietly(dir.resolve("task"));
                Sockets.deleteQuietly(dir);
              }
            });
  }

  /** Waits until the child has ended. */
  public void join() throws InterruptedException {
    java.lang.Process p = started("join");
    boolean released = Hooks.beforeBlocking();
    try {
      p.waitFor();
    } finally {
      if (released) {
        Hooks.afterBlocking();
      }
    }
  }

  /**
   * Waits at most {@code timeoutSeconds} (negative means 0) for the child to end; returns whether
   * it has. Python's {@code join(timeout)} returns nothing: look at {@link #exitCode} there.
   */
  public boolean join(double timeoutSeconds) throws InterruptedException {
    java.lang.Process p = started("join");
    long deadline = Connection.deadline(timeoutSeconds);
    boolean released = Hooks.beforeBlocking();
    try {
      if (deadline == Connection.FOREVER) {
        p.waitFor();
        return true;
      }
      return p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } finally {
      if (released) {
        Hooks.afterBlocking();
      }
    }
  }

  /** Whether the child has been started and has not ended; always true for {@link #current}. */
  public boolean isAlive() {
    checkOpen();
    java.lang.Process p = process;
    return self || (p != null && p.isAlive());
  }

  /**
   * {@code null} while the child has not been started or is running; else its exit status, or
   * {@code -N} if signal N, sent by {@link #terminate} or {@link #kill}, ended it (see the class
   * comment).
   */
  public Integer exitCode() {
    checkOpen();
    java.lang.Process p = process;
    if (p == null || p.isAlive()) {
      return null;
    }
    int status = p.exitValue();
    int signal = status - 128;
    boolean sent = signal > 0 && signal < 32 && (signalsSent & (1 << signal)) != 0;
    return sent ? -signal : status;
  }

  /** Sends SIGTERM (Python's {@code terminate}); nothing if the child has ended. */
  public void terminate() {
    java.lang.Process p = started("terminate");
    if (p.isAlive()) {
      signalsSent |= 1 << SIGTERM;
      p.destroy();
    }
  }

  /** Sends SIGKILL (Python's {@code kill}); nothing if the child has ended. */
  public void kill() {
    java.lang.Process p = started("kill");
    if (p.isAlive()) {
      signalsSent |= 1 << SIGKILL;
      p.destroyForcibly();
    }
  }

  /**
   * The child's process id, or {@code null} before {@link #start}; this JVM's for {@link #current}.
   */
  public Long pid() {
    checkOpen();
    if (self) {
      return ProcessHandle.current().pid();
    }
    java.lang.Process p = process;
    return p == null ? null : p.pid();
  }

  /**
   * A read-only connection that reads the end of the stream once the child has ended (Python's
   * {@code sentinel}): give it to {@link Connection#waitAny} beside other connections. The same
   * connection every time; {@link #close} closes it.
   *
   * @throws IllegalStateException if the process has not been started
   */
  public synchronized Connection sentinel() throws IOException {
    java.lang.Process p = started("get the sentinel of");
    if (sentinel == null) {
      SocketChannel[] pair = Sockets.pair();
      sentinel = new Connection(pair[0], true, false, "sentinel of " + name);
      sentinelWriter = pair[1];
      p.onExit().thenRun(this::closeSentinelWriter);
    }
    return sentinel;
  }

  private synchronized void closeSentinelWriter() {
    try {
      sentinelWriter.close();
    } catch (IOException e) {
      // closing a socket fails only if it is already gone, which is what it is for
    }
  }

  /**
   * Releases this object's resources (its sentinel) once the child has ended, or before it was
   * started; afterwards most methods throw {@link IllegalStateException}. Idempotent.
   *
   * @throws IllegalStateException if the child is still running: "Cannot close a process while it
   *     is still running. You should first call join() or terminate()."
   */
  public synchronized void close() {
    java.lang.Process p = process;
    if (self || (p != null && p.isAlive())) {
      throw new IllegalStateException(
          "Cannot close a process while it is still running. "
              + "You should first call join() or terminate().");
    }
    if (sentinel != null) {
      sentinel.close();
      closeSentinelWriter();
    }
    CHILDREN.remove(this);
    closed = true;
  }

  /**
   * The name: {@code Process-N} by default, {@code Process-1:N} for the children of {@code
   * Process-1}, as in Python. Known to the child as system property {@code
   * gil4j.multiprocessing.name}.
   */
  public synchronized String name() {
    return name;
  }

  /** Renames the process; only before {@link #start}. */
  public synchronized void setName(String name) {
    checkNotStarted();
    this.name = Objects.requireNonNull(name, "name");
  }

  /** Whether the process is daemonic. */
  public synchronized boolean isDaemon() {
    return daemon;
  }

  /**
   * Makes the process daemonic (or not); only before {@link #start}. A daemonic child is terminated
   * when this JVM exits and may not start children of its own.
   */
  public synchronized void setDaemon(boolean daemon) {
    checkNotStarted();
    this.daemon = daemon;
  }

  /**
   * Extra JVM options for the child, such as {@code -Xmx64m}, placed after the copied {@code
   * -javaagent:} options; only before {@link #start}.
   */
  public synchronized void setJvmOptions(List<String> options) {
    checkNotStarted();
    this.jvmOptions = List.copyOf(options);
  }

  /** The children started by this JVM that have not ended: Python's {@code active_children()}. */
  public static List<Process> activeChildren() {
    List<Process> alive = new ArrayList<>();
    for (Process p : CHILDREN) {
      if (p.isAlive()) {
        alive.add(p);
      }
    }
    return alive;
  }

  @Override
  public String toString() {
    if (closed) {
      return "Process[" + name() + ", closed]";
    }
    Integer code = self ? null : exitCode();
    String state =
        self ? "started" : process == null ? "initial" : code == null ? "started" : "stopped";
    return "Process["
        + name()
        + ", "
        + state
        + (process == null && !self ? "" : ", pid " + pid())
        + (code == null ? "" : ", exitcode " + code)
        + (isDaemon() ? ", daemon" : "")
        + "]";
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("process object is closed");
    }
  }

  private void checkNotStarted() {
    if (self || process != null) {
      throw new IllegalStateException("process has already started");
    }
  }

  private java.lang.Process started(String what) {
    checkOpen();
    if (self) {
      throw new IllegalStateException("can only " + what + " a child process");
    }
    java.lang.Process p = process;
    if (p == null) {
      throw new IllegalStateException("can only " + what + " a started process");
    }
    return p;
  }

  private static String javaExecutable() {
    return ProcessHandle.current()
        .info()
        .command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  /**
   * The {@code -javaagent:} options this JVM was started with, so the child gets the same GIL; the
   * files its exit report and recording go to are made the child's own (see {@link #childOutputs}).
   */
  private static List<String> agentOptions() {
    List<String> options = new ArrayList<>();
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith(AGENT_OPTION)) {
        options.add(childOutputs(arg));
      }
    }
    return options;
  }

  /**
   * {@code arg} with {@code -%p} added before the extension of a {@code report=FILE}, {@code
   * jfr=FILE} or {@code summary=FILE} option's file name, unless the name already has {@code %p}:
   * the agent replaces {@code %p} with the process id, so that a child does not overwrite its
   * parent's file.
   */
  static String childOutputs(String arg) {
    int eq = arg.indexOf('=');
    if (eq < 0) {
      return arg;
    }
    StringBuilder out = new StringBuilder(arg.substring(0, eq + 1));
    String[] options = arg.substring(eq + 1).split(",", -1);
    for (int i = 0; i < options.length; i++) {
      String option = options[i];
      boolean output =
          option.startsWith("report=")
              || option.startsWith("jfr=")
              || option.startsWith("summary=");
      String value = option.substring(option.indexOf('=') + 1);
      if (output && !value.equals("stderr") && !value.equals("off") && !value.contains("%p")) {
        int slash = value.lastIndexOf('/');
        int dot = value.lastIndexOf('.');
        int at = dot > slash + 1 ? dot : value.length();
        option =
            option.substring(0, option.indexOf('=') + 1)
                + value.substring(0, at)
                + "-%p"
                + value.substring(at);
      }
      out.append(i == 0 ? "" : ",").append(option);
    }
    return out.toString();
  }

  /** Python's exit handler: terminate daemonic children, then wait for every child. */
  private static void atExit() {
    List<Process> children = activeChildren();
    for (Process p : children) {
      if (p.isDaemon()) {
        p.terminate();
      }
    }
    for (Process p : children) {
      try {
        if (p.isDaemon()) {
          if (!p.join(DAEMON_GRACE_SECONDS)) {
            p.kill();
          }
        } else {
          p.join();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}

package dev.gil4j.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A child that {@link Child#start()} started and a test talks to while it runs: it waits for a line
 * on its stdout, sends it a signal or a {@code jcmd} command, and waits until it exits.
 *
 * <p><b>Guarantees</b>, those of {@link Child}: every wait ends at the child's hard timeout,
 * counted from its start, or sooner where a method takes its own limit; a wait that ends so is a
 * hang, so the threads of the child and of every process it started are dumped, they are killed,
 * and the method throws an {@link AssertionError} carrying the dump and the tails of its output
 * ({@link #await()} returns instead). {@link #close()} dumps and kills a child still running, and
 * whatever it started.
 *
 * <p><b>Example use.</b>
 *
 * <pre>{@code
 * try (RunningChild app = Child.java(jdk, cp, main).withAgent("jfr=a.jfr").start()) {
 *   app.awaitLine("ready");
 *   app.signal("TERM");
 *   assertEquals(143, app.awaitExit());
 * }
 * }</pre>
 */
public final class RunningChild implements AutoCloseable {
  private static final Set<RunningChild> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> LIVE.forEach(c -> ThreadDumps.kill(c.process.toHandle())),
                "gil4j-child-reaper"));
  }

  private final Child spec;
  private final String command;
  private final Process process;
  private final long startedAt;
  private final long deadline;
  private final Path out;
  private final Path err;
  private final Path threads;
  private final boolean quiet;

  RunningChild(Child spec, ProcessBuilder builder, Path base, boolean quiet) throws IOException {
    this.spec = spec;
    this.command = String.join(" ", builder.command());
    this.quiet = quiet;
    Files.createDirectories(base.toAbsolutePath().getParent());
    out = sibling(base, ".stdout");
    err = sibling(base, ".stderr");
    threads = sibling(base, ".threads");
    builder.redirectOutput(out.toFile()).redirectError(err.toFile());
    startedAt = System.nanoTime();
    deadline = startedAt + spec.timeout().toNanos();
    process = builder.start();
    LIVE.add(this);
    process.getOutputStream().close();
  }

  /** Its process id. */
  public long pid() {
    return process.pid();
  }

  /** Its process, for a test that watches what it started. */
  public ProcessHandle handle() {
    return process.toHandle();
  }

  /** Whether it is still running. */
  public boolean isAlive() {
    return process.isAlive();
  }

  /** What it has printed on stdout so far. */
  public String stdout() {
    return ThreadDumps.read(out);
  }

  /** What it has printed on stderr so far. */
  public String stderr() {
    return ThreadDumps.read(err);
  }

  /** Waits, at most until the hard timeout, for a stdout line starting with {@code prefix}. */
  public String awaitLine(String prefix) {
    return awaitLine(prefix, null);
  }

  /** Waits for a stdout line starting with {@code prefix}, at most {@code limit}. */
  public String awaitLine(String prefix, Duration limit) {
    return awaitStdout("^" + Pattern.quote(prefix) + ".*", limit).group();
  }

  /**
   * Waits, at most until the hard timeout, for a stdout line matching {@code regex}, and returns
   * its match; fails, with a thread dump, if the child exits or hangs without printing it.
   */
  public Matcher awaitStdout(String regex) {
    return awaitStdout(regex, null);
  }

  /** Waits for a stdout line matching {@code regex}, at most {@code limit} (null: the timeout). */
  public Matcher awaitStdout(String regex, Duration limit) {
    Pattern pattern = Pattern.compile(regex);
    long end = end(limit);
    while (true) {
      Optional<Matcher> found =
          stdout().lines().map(pattern::matcher).filter(Matcher::find).findFirst();
      if (found.isPresent()) {
        return found.get();
      }
      if (!process.isAlive()) {
        throw new AssertionError(
            "child exited without printing /" + regex + "/\n" + result(false).describe());
      }
      if (System.nanoTime() - end > 0) {
        throw hung("no line /" + regex + "/ on stdout");
      }
      pause(20);
    }
  }

  /** Sends the signal {@code name} ({@code TERM}, {@code INT}) to the child. */
  public void signal(String name) {
    String said = tool(List.of("kill", "-" + name, Long.toString(pid())), Duration.ofSeconds(10));
    if (said != null) {
      throw new AssertionError("kill -" + name + " " + pid() + " failed: " + said);
    }
  }

  /** Runs {@code jcmd <pid> args…} from the child's JDK, at most 60 s, and returns its output. */
  public String jcmd(String... args) {
    List<String> command = new ArrayList<>();
    command.add(spec.jdk().tool("jcmd").toString());
    command.add(Long.toString(pid()));
    command.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String text = new String(p.getInputStream().readAllBytes(), UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("jcmd " + String.join(" ", args) + " hung");
      }
      return text;
    } catch (IOException e) {
      throw new AssertionError("jcmd " + String.join(" ", args) + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted during jcmd", e);
    }
  }

  /** Waits for the child to exit, at most until its hard timeout; returns its status. */
  public int awaitExit() {
    return awaitExit(null);
  }

  /** Waits for the child to exit, at most {@code limit} (null: the timeout); returns its status. */
  public int awaitExit(Duration limit) {
    if (!waitUntil(end(limit))) {
      throw hung("no exit");
    }
    report();
    return process.exitValue();
  }

  /** Waits for the child to exit, at most until its hard timeout, and returns what it did. */
  public ChildRun finish() {
    awaitExit();
    ThreadDumps.kill(process.toHandle());
    return result(false);
  }

  /**
   * Waits for the child to exit, at most until its hard timeout; a child still running then is
   * dumped, killed and returned as {@linkplain ChildRun#hung() hung}, not thrown.
   */
  public ChildRun await() {
    if (waitUntil(deadline)) {
      report();
      ThreadDumps.kill(process.toHandle());
      return result(false);
    }
    ChildRun hung = result(true);
    dumpAndKill("no exit");
    return hung;
  }

  /** The command, logs and the tails of both streams, for a failure message. */
  public String describe() {
    return result(false).describe();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      dumpAndKill("still running when closed");
    }
    ThreadDumps.kill(process.toHandle());
    LIVE.remove(this);
  }

  private boolean waitUntil(long end) {
    try {
      return process.waitFor(Math.max(end - System.nanoTime(), 0), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      ThreadDumps.kill(process.toHandle());
      throw new AssertionError("interrupted waiting for " + command, e);
    }
  }

  private long end(Duration limit) {
    return limit == null ? deadline : Math.min(deadline, System.nanoTime() + limit.toNanos());
  }

  private void report() {
    if (!quiet) {
      System.out.printf(
          "[%s] exit %d after %d ms: %s%n",
          spec.jdk() == null ? "child" : spec.jdk(),
          process.exitValue(),
          elapsed().toMillis(),
          command);
    }
  }

  private AssertionError hung(String what) {
    ChildRun run = result(true);
    String dump = dumpAndKill(what);
    return new AssertionError(
        String.format(
            "child JVM hung: %s within %d s, killed.%n%s%n--- thread dump ---%n%s",
            what, spec.timeout().toSeconds(), run.describe(), dump));
  }

  private String dumpAndKill(String what) {
    String dump = ThreadDumps.write(process.toHandle(), spec.jdk(), threads);
    ThreadDumps.kill(process.toHandle());
    if (quiet) {
      System.err.printf(
          "  !! %s (pid %d) %s after %ds: killed; thread dump in %s%n",
          command, pid(), what, elapsed().toSeconds(), threads);
    } else {
      System.out.printf(
          "[%s] HUNG (%s) after %d s, thread dump of pid %d follows:%n%s%n",
          spec.jdk() == null ? "child" : spec.jdk(), what, elapsed().toSeconds(), pid(), dump);
    }
    return dump;
  }

  private ChildRun result(boolean hung) {
    return new ChildRun(
        command,
        hung || process.isAlive() ? -1 : process.exitValue(),
        stdout(),
        stderr(),
        elapsed(),
        out,
        err,
        hung,
        hung ? threads : null);
  }

  private Duration elapsed() {
    return Duration.ofNanos(System.nanoTime() - startedAt);
  }

  /** Runs a small tool; null if it succeeded, else what it said. */
  private static String tool(List<String> command, Duration limit) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String said = new String(p.getInputStream().readAllBytes(), UTF_8);
      boolean done = p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
      p.destroyForcibly();
      return done && p.exitValue() == 0 ? null : said;
    } catch (IOException e) {
      return e.toString();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted waiting for the child", e);
    }
  }

  private static Path sibling(Path base, String suffix) {
    return base.resolveSibling(base.getFileName() + suffix);
  }
}

package dev.gil4j.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Thread dumps of processes about to be killed, so that a hang says where it is, and the kill that
 * follows them.
 *
 * <p><b>Guarantees.</b> A dump never waits longer than 30 s per tool; a JVM is asked with {@code
 * jcmd <pid> Thread.print}, else {@code jstack <pid>}, from the JDK beside its own {@code java}
 * (else the JDK given); a process that is not a JVM is named, not dumped. Nothing here throws: what
 * could not be dumped is said in the text.
 */
public final class ThreadDumps {
  private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(30);

  private ThreadDumps() {}

  /**
   * Dumps {@code root} and every process it started that is still alive — its own children first:
   * killed first, the child could no longer be asked about them — into {@code file}, and returns
   * the text; {@code jdk}, possibly null, is the JDK {@code root} was started from.
   */
  public static String write(ProcessHandle root, Jdk jdk, Path file) {
    StringBuilder text = new StringBuilder(take(root, jdk));
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.writeString(file, text, UTF_8);
    } catch (IOException e) {
      text.append("(could not write ").append(file).append(": ").append(e).append(")\n");
    }
    return text.toString();
  }

  /**
   * The stacks of {@code root} and of every process it started that is still alive, its own
   * children first; {@code jdk}, possibly null, is the JDK {@code root} was started from.
   */
  public static String take(ProcessHandle root, Jdk jdk) {
    List<ProcessHandle> all = new ArrayList<>();
    root.descendants().filter(ProcessHandle::isAlive).forEach(all::add);
    all.add(root);
    StringBuilder text = new StringBuilder();
    for (ProcessHandle h : all) {
      text.append(dump(h, h.equals(root) ? jdk : null));
    }
    return text.toString();
  }

  /**
   * Dumps {@code process}'s threads (if it is a JVM) to {@code file}, says so on stderr in one
   * line, and kills it: for children that others start, such as JMH's forks.
   */
  public static void dumpAndKill(ProcessHandle process, Path file, Duration limit) {
    String what = process.info().command().orElse("pid " + process.pid());
    String text = dump(process, null);
    String where;
    try {
      Files.writeString(file, text, UTF_8);
      where = "thread dump in " + file;
    } catch (IOException e) {
      where = "no thread dump (" + e.getMessage() + ")";
    }
    kill(process);
    System.err.printf(
        "  !! %s (pid %d) still running after %ds: killed; %s%n",
        what, process.pid(), limit.toSeconds(), where);
  }

  /** Kills {@code process} and every process it started, and waits up to 10 s for it to go. */
  public static void kill(ProcessHandle process) {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    try {
      process.onExit().get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      // still going after 10 s: nothing more can be done from here
    }
  }

  /** One process's stacks under a header line, or why there are none. */
  private static String dump(ProcessHandle h, Jdk jdk) {
    String command = h.info().command().orElse("?");
    String header = "=== pid " + h.pid() + " (" + command + ")\n";
    Optional<Path> bin =
        h.info()
            .command()
            .map(Path::of)
            // /usr/bin holds a jcmd too, so only a java's neighbour is asked: not a sleep's
            .filter(c -> c.getFileName().toString().equals("java"))
            .map(Path::getParent);
    if (bin.isEmpty() && jdk != null) {
      bin = Optional.of(jdk.home().resolve("bin"));
    }
    if (bin.isEmpty()) {
      return header + "not a JVM: no thread dump\n";
    }
    StringBuilder failures = new StringBuilder();
    String pid = Long.toString(h.pid());
    for (List<String> tool :
        List.of(
            List.of(bin.get().resolve("jcmd").toString(), pid, "Thread.print"),
            List.of(bin.get().resolve("jstack").toString(), pid))) {
      if (!Files.isExecutable(Path.of(tool.get(0)))) {
        failures.append(tool.get(0)).append(" is not installed\n");
        continue;
      }
      try {
        Path out = Files.createTempFile("gil4j-dump", ".txt");
        try {
          Process dumper =
              new ProcessBuilder(tool)
                  .redirectErrorStream(true)
                  .redirectOutput(out.toFile())
                  .start();
          boolean done = dumper.waitFor(TOOL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
          dumper.destroyForcibly();
          String text = new String(Files.readAllBytes(out), UTF_8);
          if (done && dumper.exitValue() == 0 && !text.isBlank()) {
            return header + text + "\n";
          }
          failures.append(String.join(" ", tool)).append(done ? " failed:\n" : " hung:\n");
          failures.append(text).append('\n');
        } finally {
          Files.deleteIfExists(out);
        }
      } catch (IOException e) {
        failures.append(String.join(" ", tool)).append(": ").append(e).append('\n');
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return header + "no thread dump could be taken:\n" + failures;
  }

  static String read(Path file) {
    try {
      // Lenient decoding: a child killed mid-line may leave a truncated multi-byte character.
      return Files.exists(file) ? new String(Files.readAllBytes(file), UTF_8) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

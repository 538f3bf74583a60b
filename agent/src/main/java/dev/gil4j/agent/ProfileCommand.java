package dev.gil4j.agent;

import dev.gil4j.agent.internal.TargetJvm;
import dev.gil4j.analysis.ReportCommand;
import dev.gil4j.options.Durations;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar gil4j-agent.jar profile <pid> [--duration 30s] [--out FILE.jfr] [--html
 * FILE.html]}: profiles a running JVM's lock contention for a while, without restarting it.
 *
 * <p>It attaches gil4j to the JVM with {@code gil=off} (the Attach API; the command runs on a JDK),
 * records gil4j's and the JDK's contention events in a JFR recording for the duration, or until
 * this command gets Ctrl-C or SIGTERM, stops the recording, which the target writes to FILE.jfr,
 * detaches, and prints the {@code report} of that recording (and writes its HTML page with {@code
 * --html}).
 *
 * <p><b>Guarantees.</b> The application runs on unchanged — no GIL, no exit report, nothing on its
 * stdout; gil4j stays loaded (a JVM cannot unload an agent) and profiles the locks constructed from
 * then on, but writes JFR events only while a recording runs. The same JVM can be profiled again:
 * the agent is loaded only where gil4j does not run yet (loading it again with the same options
 * would do nothing, but JDK 21+ warns on the target's stderr at every dynamic load), and every
 * {@code profile} runs its own, uniquely named JFR recording. The recording is started with a limit
 * of the duration plus {@value #MARGIN_SECONDS} s, so a command killed outright (SIGKILL) leaves no
 * recording running: the target stops it, and writes FILE.jfr, by itself; it writes FILE.jfr too if
 * the application exits first. A bad argument, or a pid that is gone, is not a JVM, belongs to
 * another user, cannot be attached to or runs a Java older than 17, prints one line on stderr,
 * starting {@code gil4j: profile:}, and returns 2 with nothing changed in any process. A failure
 * after the attach (the recording could not start, or was not written) prints one line and returns
 * 1.
 */
public final class ProfileCommand {
  static final String USAGE = "profile <pid> [--duration 30s] [--out FILE.jfr] [--html FILE.html]";

  /** The options the agent is attached with: profiling only, no exit report on the target. */
  static final String AGENT_OPTIONS = "gil=off,report=off";

  private static final long DEFAULT_DURATION = TimeUnit.SECONDS.toNanos(30);
  private static final long MIN_DURATION = TimeUnit.SECONDS.toNanos(1);
  private static final long MAX_DURATION = TimeUnit.HOURS.toNanos(24);
  private static final long MARGIN_SECONDS = 60;
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

  private ProfileCommand() {}

  /**
   * Runs the command.
   *
   * @param args the arguments after {@code profile}
   * @return the exit status: 0, 1 if the recording failed, 2 for bad input
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    String pidText = null;
    long duration = DEFAULT_DURATION;
    Path jfr = null;
    Path html = null;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--help") || a.equals("-h")) {
        out.println("usage: java -jar gil4j-agent.jar " + USAGE);
        return 0;
      }
      String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
      if (name.equals("--duration") || name.equals("--out") || name.equals("--html")) {
        String value;
        if (a.contains("=")) {
          value = a.substring(a.indexOf('=') + 1);
        } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
          value = args[++i];
        } else {
          return fail(err, name + " needs a value");
        }
        switch (name) {
          case "--duration":
            try {
              duration = Durations.parse(value, MIN_DURATION, MAX_DURATION);
            } catch (IllegalArgumentException e) {
              return fail(err, "bad --duration '" + value + "'; accepted: " + e.getMessage());
            }
            break;
          case "--out":
            jfr = Path.of(value);
            break;
          default:
            html = Path.of(value);
        }
      } else if (a.startsWith("-")) {
        return fail(err, "unknown option '" + a + "'; accepted: --duration, --out, --html");
      } else if (pidText == null) {
        pidText = a;
      } else {
        return fail(err, "unexpected argument '" + a + "'; one pid is accepted");
      }
    }
    if (pidText == null) {
      return fail(err, "no pid given");
    }
    long pid;
    try {
      pid = Long.parseLong(pidText);
    } catch (NumberFormatException e) {
      pid = -1;
    }
    if (pid <= 0) {
      return fail(err, "bad pid '" + pidText + "'; accepted: a process id, a positive integer");
    }
    if (jfr == null) {
      jfr = Path.of("gil4j-" + pid + "-" + LocalDateTime.now().format(STAMP) + ".jfr");
    }
    jfr = jfr.toAbsolutePath().normalize();
    String problem = writable("--out", jfr);
    if (problem == null && html != null) {
      problem = writable("--html", html.toAbsolutePath().normalize());
    }
    if (problem != null) {
      return fail(err, problem);
    }
    TargetJvm target;
    try {
      target = TargetJvm.attach(pid);
    } catch (TargetJvm.NotAttachableException e) {
      err.println("gil4j: profile: " + e.getMessage());
      err.flush();
      return 2;
    }
    return profile(target, duration, jfr, html, out, err);
  }

  private static int profile(
      TargetJvm target, long duration, Path jfr, Path html, PrintStream out, PrintStream err) {
    String recording = "gil4j-profile-" + ProcessHandle.current().pid();
    CountDownLatch stop = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(1);
    // Ctrl-C and SIGTERM start the JVM's shutdown: the hook ends the wait below and holds the JVM
    // until the recording is stopped, the target detached and the report printed.
    Thread hook =
        new Thread(
            () -> {
              stop.countDown();
              try {
                done.await(MARGIN_SECONDS, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "gil4j-profile-stop");
    // Before anything starts in the target: a signal while it starts then stops it right after.
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      long t0 = System.nanoTime();
      if (!target.gil4jRunning()) {
        target.loadAgent(AGENT_OPTIONS);
      }
      target.startRecording(
          recording, jfr, TimeUnit.NANOSECONDS.toSeconds(duration) + MARGIN_SECONDS);
      long started = System.nanoTime();
      target.onExit(stop::countDown);
      err.printf(
          Locale.ROOT,
          "gil4j: profile: attached to pid %d (%s) in %.2f s; recording for %s into %s"
              + " (Ctrl-C stops early)%n",
          target.pid(),
          target.mainClass(),
          (started - t0) / 1e9,
          Durations.format(duration),
          jfr);
      if (!target.gil4jEventsEnabled(recording)) {
        err.printf(
            "gil4j: profile: gil4j's events are not registered in pid %d (its stderr says why):"
                + " only the JDK's events are recorded%n",
            target.pid());
      }
      err.flush();
      stop.await(duration, TimeUnit.NANOSECONDS);
      long recorded = System.nanoTime();
      boolean alive = target.alive();
      if (alive) {
        target.stopRecording(recording);
      }
      long stopped = System.nanoTime();
      target.detach();
      long detached = System.nanoTime();
      err.printf(
          Locale.ROOT,
          "gil4j: profile: recorded %.1f s; stopped in %.2f s, detached in %.2f s; %s%n",
          (recorded - started) / 1e9,
          (stopped - recorded) / 1e9,
          (detached - stopped) / 1e9,
          alive
              ? "pid " + target.pid() + " runs on"
              : "pid " + target.pid() + " exited during the recording");
      if (!Files.isRegularFile(jfr) || size(jfr) == 0) {
        err.printf(
            "gil4j: profile: pid %d did not write the recording %s (a JVM that exits abruptly"
                + " writes none; one in another file system, a container, writes it there)%n",
            target.pid(), jfr);
        return 1;
      }
      err.flush();
      List<String> report = new ArrayList<>(List.of(jfr.toString()));
      if (html != null) {
        report.add("--html");
        report.add(html.toString());
      }
      return ReportCommand.run(report.toArray(new String[0]), out, err);
    } catch (TargetJvm.TargetException e) {
      target.detach();
      err.println("gil4j: profile: " + e.getMessage());
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      target.detach();
      err.println("gil4j: profile: interrupted; the target stops the recording by itself");
      return 1;
    } finally {
      done.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // Ctrl-C: the hook is running, and returns now that we are done.
      }
    }
  }

  /** Why {@code file} cannot be written by this user (its directory is missing), or null. */
  private static String writable(String option, Path file) {
    Path dir = file.getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      return "cannot write " + option + " " + file + ": no such directory " + dir;
    }
    if (Files.isDirectory(file)) {
      return "cannot write " + option + " " + file + ": it is a directory";
    }
    if (!Files.isWritable(dir)) {
      return "cannot write " + option + " " + file + ": directory not writable";
    }
    return null;
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return 0;
    }
  }

  private static int fail(PrintStream err, String problem) {
    err.println("gil4j: profile: " + problem + "; usage: " + USAGE);
    err.flush();
    return 2;
  }
}

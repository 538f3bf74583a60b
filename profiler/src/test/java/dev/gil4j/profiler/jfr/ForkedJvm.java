package dev.gil4j.profiler.jfr;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM with gil4j's profiler classes on its boot class path, as the agent puts them, and the
 * test classes on its class path; every wait has a hard timeout, after which the child's threads
 * are dumped and it is killed.
 */
final class ForkedJvm implements AutoCloseable {
  static final Path JDK17 = Path.of(System.getProperty("java.home"));
  static final Path JDK25 =
      Path.of(System.getProperty("gil4j.jdk25", "/usr/lib/jvm/temurin-25-jdk-amd64"));

  final Process process;
  final Path javaHome;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final StringBuffer output = new StringBuffer();

  private ForkedJvm(Process process, Path javaHome) {
    this.process = process;
    this.javaHome = javaHome;
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                  output.append(line).append('\n');
                  lines.add(line);
                }
              } catch (IOException e) {
                output.append("(output lost: ").append(e).append(")\n");
              }
            },
            "forked-jvm-output");
    reader.setDaemon(true);
    reader.start();
  }

  /** The JDKs to run children on: this one, and JDK 25 where it is installed. */
  static List<Path> jdks() {
    List<Path> out = new ArrayList<>(List.of(JDK17));
    if (Files.isExecutable(JDK25.resolve("bin/java")) && !JDK25.equals(JDK17)) {
      out.add(JDK25);
    }
    return out;
  }

  static ForkedJvm start(Path javaHome, List<String> jvmArgs, String mainClass, String... args)
      throws IOException {
    String classes = location(AgentRecording.class);
    String hdr = location(org.HdrHistogram.Histogram.class);
    String tests = location(ForkedJvm.class);
    List<String> cmd = new ArrayList<>();
    cmd.add(javaHome.resolve("bin/java").toString());
    cmd.add("-Xbootclasspath/a:" + classes + File.pathSeparator + hdr);
    cmd.addAll(jvmArgs);
    cmd.add("-cp");
    cmd.add(tests);
    cmd.add(mainClass);
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    ForkedJvm jvm = new ForkedJvm(p, javaHome);
    jvm.output.append(String.join(" ", cmd)).append('\n');
    return jvm;
  }

  private static String location(Class<?> c) {
    try {
      return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Waits for a line of output starting with {@code prefix} and returns it. */
  String awaitLine(String prefix, long seconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      String line = lines.poll(100, TimeUnit.MILLISECONDS);
      if (line != null && line.startsWith(prefix)) {
        return line;
      }
      if (line == null && !process.isAlive() && lines.isEmpty()) {
        break;
      }
    }
    dumpAndKill();
    return fail("no line '" + prefix + "' from the child; its output:\n" + output);
  }

  /** Waits for the child to exit and returns its status. */
  int awaitExit(long seconds) throws Exception {
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      dumpAndKill();
      fail("child did not exit within " + seconds + " s; its output:\n" + output);
    }
    return process.exitValue();
  }

  /** Sends {@code signal} (TERM, INT) to the child. */
  void signal(String signal) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start();
    kill.waitFor(10, TimeUnit.SECONDS);
  }

  /** Runs {@code jcmd <pid> args…} and returns its output. */
  String jcmd(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(javaHome.resolve("bin/jcmd").toString());
    cmd.add(Long.toString(process.pid()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("jcmd " + String.join(" ", args) + " hung");
    }
    return out;
  }

  String output() {
    return output.toString();
  }

  private void dumpAndKill() {
    try {
      System.err.println(jcmd("Thread.print"));
    } catch (Exception | AssertionError e) {
      System.err.println("thread dump failed: " + e);
    }
    process.destroyForcibly();
  }

  @Override
  public void close() throws Exception {
    if (process.isAlive()) {
      dumpAndKill();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}

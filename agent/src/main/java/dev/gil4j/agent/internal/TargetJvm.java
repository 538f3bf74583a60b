package dev.gil4j.agent.internal;

import com.sun.tools.attach.AgentInitializationException;
import com.sun.tools.attach.AgentLoadException;
import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import com.sun.tools.attach.VirtualMachineDescriptor;
import dev.gil4j.profiler.jfr.AgentRecording;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * A running JVM that the {@code profile} command is attached to, through the Attach API: loads the
 * agent into it and drives a JFR recording there with the diagnostic commands {@code jcmd} sends
 * ({@code JFR.start}, {@code JFR.check}, {@code JFR.stop}), over the same connection.
 *
 * <p>The diagnostic commands travel through the JDK's {@code HotSpotVirtualMachine.executeJCmd},
 * which the agent jar's manifest exports ({@code Add-Exports: jdk.attach/sun.tools.attach}) to the
 * command-line tool run with {@code java -jar}. Nothing is sent to a process before it is known to
 * be a live JVM of this user: the Attach API wakes a JVM with SIGQUIT, which would end most other
 * programs.
 */
public final class TargetJvm {
  private static final String PREMAIN = "dev.gil4j.agent.Premain";
  private static final String HOTSPOT_VM = "sun.tools.attach.HotSpotVirtualMachine";
  private static final String RUNTIME_MARKER = "dev.gil4j.profiler.jfr.JfrEvents";
  private static final int MIN_JAVA = 17;
  private static final long SIGQUIT_MASK = 1L << (3 - 1);

  private final long pid;
  private final VirtualMachine vm;
  private final String mainClass;
  private final Path agentJar;

  private TargetJvm(long pid, VirtualMachine vm, String mainClass, Path agentJar) {
    this.pid = pid;
    this.vm = vm;
    this.mainClass = mainClass;
    this.agentJar = agentJar;
  }

  /** The pid is not a JVM this command can profile; the message is one line that says why. */
  public static final class NotAttachableException extends Exception {
    private static final long serialVersionUID = 1L;

    NotAttachableException(String message) {
      super(message);
    }
  }

  /** Something failed in the attached JVM; the message is one line that says what. */
  public static final class TargetException extends Exception {
    private static final long serialVersionUID = 1L;

    TargetException(String message) {
      super(message);
    }
  }

  /**
   * Attaches to the JVM with process id {@code pid}, after checking that it is one: alive, this
   * user's, a JVM, Java 17 or later.
   *
   * @throws NotAttachableException if it is not, or the attach fails
   */
  public static TargetJvm attach(long pid) throws NotAttachableException {
    Path jar = agentJar();
    if (pid == ProcessHandle.current().pid()) {
      throw new NotAttachableException("pid " + pid + " is this command itself");
    }
    Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
    if (process.isEmpty()) {
      throw new NotAttachableException("no process with pid " + pid);
    }
    String me = System.getProperty("user.name");
    Optional<String> owner = process.get().info().user();
    if (owner.isPresent() && !owner.get().equals(me) && !me.equals("root")) {
      throw new NotAttachableException(
          "pid "
              + pid
              + " belongs to user "
              + owner.get()
              + ", and a JVM accepts an attach only from its own user: run profile as "
              + owner.get());
    }
    if (!isJvm(pid)) {
      String command =
          process.get().info().command().map(c -> " (" + Path.of(c).getFileName() + ")").orElse("");
      throw new NotAttachableException("pid " + pid + command + " is not a Java virtual machine");
    }
    VirtualMachine vm;
    try {
      vm = VirtualMachine.attach(Long.toString(pid));
    } catch (AttachNotSupportedException | IOException | RuntimeException e) {
      throw new NotAttachableException(
          "cannot attach to pid " + pid + " (started with -XX:+DisableAttachMechanism?): " + e);
    }
    try {
      Properties properties = vm.getSystemProperties();
      String version = properties.getProperty("java.specification.version", "0");
      int feature = feature(version);
      if (feature < MIN_JAVA) {
        throw new NotAttachableException(
            "pid "
                + pid
                + " runs Java "
                + version
                + "; gil4j needs Java "
                + MIN_JAVA
                + " or later");
      }
      String command = properties.getProperty("sun.java.command", "").strip();
      String main = command.isEmpty() ? "?" : command.split("\\s+", 2)[0];
      return new TargetJvm(pid, vm, main, jar);
    } catch (IOException | RuntimeException e) {
      detach(vm);
      throw new NotAttachableException("cannot read pid " + pid + "'s system properties: " + e);
    } catch (NotAttachableException e) {
      detach(vm);
      throw e;
    }
  }

  public long pid() {
    return pid;
  }

  /** The JVM's main class (or {@code -jar} file), as its command line names it. */
  public String mainClass() {
    return mainClass;
  }

  /**
   * Whether gil4j already runs in the JVM: its runtime's JFR facade is loaded by the bootstrap
   * class loader, which happens only once the agent has installed itself (started with {@code
   * -javaagent}, or attached before). Loading the agent again would change nothing, but JDK 21+
   * prints four lines of warning on the target's stderr for every dynamic load.
   */
  public boolean gil4jRunning() throws TargetException {
    return jcmd("VM.class_hierarchy " + RUNTIME_MARKER).contains(RUNTIME_MARKER + "/null");
  }

  /**
   * Loads gil4j's agent with {@code options}. The agent reports its own problems on the target's
   * stderr, not here ({@code agentmain} never throws).
   */
  public void loadAgent(String options) throws TargetException {
    try {
      vm.loadAgent(agentJar.toString(), options);
    } catch (AgentLoadException | AgentInitializationException | IOException e) {
      throw new TargetException("could not load the agent into pid " + pid + ": " + e);
    }
  }

  /**
   * Starts the JFR recording {@code name} with the JDK's default settings and gil4j's ({@code
   * gil4j.jfc}), to be written to {@code file} when it stops; JFR stops it by itself after {@code
   * limitSeconds}, and writes it if the JVM exits first.
   */
  public void startRecording(String name, Path file, long limitSeconds) throws TargetException {
    // The target reads the settings from a file: beside FILE, which it has to reach anyway.
    Path settings = file.resolveSibling("." + name + ".jfc");
    try (InputStream in =
        AgentRecording.class.getResourceAsStream(AgentRecording.SETTINGS_RESOURCE)) {
      Files.write(settings, in.readAllBytes());
      String output =
          jcmd(
              "JFR.start name="
                  + name
                  + " settings=default settings="
                  + quote(settings)
                  + " filename="
                  + quote(file)
                  + " duration="
                  + limitSeconds
                  + "s dumponexit=true");
      if (!output.contains("Started recording")) {
        throw new TargetException(
            "JFR.start failed in pid " + pid + ": " + output.strip().replace('\n', ' '));
      }
    } catch (IOException e) {
      throw new TargetException("could not write JFR settings " + settings + ": " + e);
    } finally {
      try {
        Files.deleteIfExists(settings);
      } catch (IOException e) {
        // A leftover hidden settings file is harmless.
      }
    }
  }

  /** Whether the running recording {@code name} has gil4j's events, which the agent registers. */
  public boolean gil4jEventsEnabled(String name) {
    try {
      return jcmd("JFR.check name=" + name + " verbose=true").contains("gil4j.LockWait");
    } catch (TargetException e) {
      return true;
    }
  }

  /** Stops the recording {@code name}; the target writes it to its file before this returns. */
  public void stopRecording(String name) throws TargetException {
    String output = jcmd("JFR.stop name=" + name);
    if (!output.contains("Stopped recording")) {
      throw new TargetException(
          "JFR.stop failed in pid " + pid + ": " + output.strip().replace('\n', ' '));
    }
  }

  public boolean alive() {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  /** Runs {@code action} once the target has exited (at once if it has). */
  public void onExit(Runnable action) {
    Optional<ProcessHandle> process = ProcessHandle.of(pid);
    if (process.isEmpty()) {
      action.run();
    } else {
      process.get().onExit().thenRun(action);
    }
  }

  /** Closes the connection; the target runs on. Never throws. */
  public void detach() {
    detach(vm);
  }

  private static void detach(VirtualMachine vm) {
    try {
      vm.detach();
    } catch (IOException e) {
      // Gone already: nothing is left to close.
    }
  }

  private String jcmd(String command) throws TargetException {
    Method execute;
    try {
      execute = Class.forName(HOTSPOT_VM).getMethod("executeJCmd", String.class);
    } catch (ReflectiveOperationException e) {
      throw new TargetException("this JDK has no jcmd channel (" + HOTSPOT_VM + "): " + e);
    }
    try (InputStream in = (InputStream) execute.invoke(vm, command)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IllegalAccessException e) {
      throw new TargetException(
          "the JDK's jcmd channel is closed to this class: run the command as java -jar"
              + " gil4j-agent.jar, whose manifest opens it");
    } catch (InvocationTargetException e) {
      throw new TargetException(
          command.split(" ", 2)[0] + " failed in pid " + pid + ": " + e.getCause().getMessage());
    } catch (IOException e) {
      throw new TargetException(command.split(" ", 2)[0] + " failed in pid " + pid + ": " + e);
    }
  }

  private static String quote(Path path) throws TargetException {
    String text = path.toString();
    if (text.contains("\"")) {
      throw new TargetException("cannot pass a path containing '\"' to jcmd: " + text);
    }
    return "\"" + text + "\"";
  }

  /** Whether {@code pid} is a JVM: one that publishes its performance data, or catches SIGQUIT. */
  private static boolean isJvm(long pid) {
    String id = Long.toString(pid);
    for (VirtualMachineDescriptor d : VirtualMachine.list()) {
      if (d.id().equals(id)) {
        return true;
      }
    }
    // A JVM started with -XX:-UsePerfData is not listed; on Linux it still shows that it catches
    // SIGQUIT, which the Attach API needs (and which would end a process that does not).
    try {
      List<String> status = Files.readAllLines(Path.of("/proc", id, "status"));
      for (String line : status) {
        if (line.startsWith("SigCgt:")) {
          long caught = Long.parseUnsignedLong(line.substring("SigCgt:".length()).strip(), 16);
          return (caught & SIGQUIT_MASK) != 0;
        }
      }
    } catch (IOException | RuntimeException e) {
      // No /proc (not Linux) or not readable: only the listed JVMs count.
    }
    return false;
  }

  private static int feature(String specificationVersion) {
    String v =
        specificationVersion.startsWith("1.")
            ? specificationVersion.substring(2)
            : specificationVersion;
    try {
      return Integer.parseInt(v.split("\\.", 2)[0]);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** The agent jar this command runs from: the one that holds {@code Premain}. */
  private static Path agentJar() throws NotAttachableException {
    try {
      Class<?> premain = Class.forName(PREMAIN, false, ClassLoader.getSystemClassLoader());
      Path jar = Path.of(premain.getProtectionDomain().getCodeSource().getLocation().toURI());
      if (Files.isRegularFile(jar)) {
        return jar;
      }
    } catch (ClassNotFoundException | URISyntaxException | RuntimeException e) {
      // Not run from the jar: said below.
    }
    throw new NotAttachableException(
        "profile loads the agent from its own jar: run it as java -jar gil4j-agent.jar profile");
  }
}

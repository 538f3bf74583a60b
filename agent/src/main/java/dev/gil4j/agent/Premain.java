package dev.gil4j.agent;

import dev.gil4j.options.Options;
import java.io.File;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.jar.JarFile;

/**
 * The agent's entry points: {@code -javaagent} ({@link #premain}), the Attach API ({@link
 * #agentmain}) and {@code java -jar gil4j-agent.jar} ({@link #main}).
 *
 * <p>Kept tiny and loaded by the system class loader: it appends this jar to the bootstrap class
 * path, so that instrumented {@code java.base} code can call gil4j's hooks, and hands over to code
 * loaded from there. An agent failure is reported once and the application runs on; only a bad
 * option stops the JVM (exit status 2).
 *
 * <p>Attaching to a running JVM (the Attach API's {@code VirtualMachine.loadAgent}) works with
 * {@code gil=off}: the locks the application constructs from then on are profiled, in classes
 * loaded before the attach too, and the report comes at exit. With {@code gil=on} it is refused
 * with one line on the target's stderr, before anything in the target changes: threads already
 * running would hold no GIL and classes already loaded would have no checkpoints. A second start in
 * the same JVM (the agent given twice, or attached where it was started) is ignored with one line;
 * one with the very options of the first (the {@code profile} command attaching again) is ignored
 * silently, so attaching is idempotent. A refusal leaves {@code loadAgent} returning normally: an
 * exception from {@code agentmain} would print a stack trace and JVM assertion messages on the
 * target's stderr.
 */
public final class Premain {
  private static final String INSTALLER = "dev.gil4j.agent.internal.AgentInstaller";

  /**
   * The options of the first start, "" for none; one per JVM: the system class loader defines this
   * class once, whichever jar copy starts.
   */
  private static final AtomicReference<String> STARTED_WITH = new AtomicReference<>();

  private Premain() {}

  public static void premain(String options, Instrumentation inst) {
    start(options, inst, false);
  }

  public static void agentmain(String options, Instrumentation inst) {
    start(options, inst, true);
  }

  private static void start(String options, Instrumentation inst, boolean attached) {
    // Validated here, before the jar joins the bootstrap path: the JVM warns on stderr when that
    // path grows, and a bad option must print exactly one line.
    boolean gil;
    try {
      gil = Options.parse(options).gil();
    } catch (IllegalArgumentException e) {
      // jcmd's JVMTI.agent_load passes "gil=off,jfr=x" as just "gil": its parser takes the '='.
      boolean cutByJcmd = attached && options != null && !options.contains("=");
      System.err.println(
          "gil4j: "
              + e.getMessage()
              + (cutByJcmd
                  ? "; through jcmd, quote the options twice: jcmd PID JVMTI.agent_load"
                      + " gil4j-agent.jar '\"gil=off,jfr=app.jfr\"'"
                  : ""));
      System.err.flush();
      if (!attached) {
        Runtime.getRuntime().halt(2);
      }
      return;
    }
    if (attached && gil) {
      System.err.println(
          "gil4j: refusing to attach with gil=on: threads already running hold no GIL and"
              + " classes already loaded have no checkpoints; start the JVM with -javaagent, or"
              + " attach with gil=off to profile the locks constructed from now on");
      return;
    }
    String given = Objects.requireNonNullElse(options, "");
    if (!STARTED_WITH.compareAndSet(null, given)) {
      if (given.equals(STARTED_WITH.get())) {
        return;
      }
      System.err.println(
          "gil4j: already started in this JVM, ignoring a second start with options '"
              + (options == null ? "" : options)
              + "'");
      return;
    }
    try {
      File jar =
          new File(Premain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      inst.appendToBootstrapClassLoaderSearch(new JarFile(jar));
      Class.forName(INSTALLER, true, null)
          .getMethod("install", String.class, Instrumentation.class, boolean.class)
          .invoke(null, options, inst, attached);
    } catch (Throwable t) {
      Throwable cause = t instanceof InvocationTargetException ? t.getCause() : t;
      System.err.println("gil4j: agent failed to start, the application runs without it: " + cause);
    }
  }

  /** The command-line tool: {@code java -jar gil4j-agent.jar <command> …}. */
  public static void main(String[] args) {
    System.exit(dev.gil4j.agent.Cli.run(args, System.out, System.err));
  }
}

package dev.gil4j.agent;

import java.io.File;
import java.io.PrintStream;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;

/**
 * The agent's entry points: {@code -javaagent} ({@link #premain}), the Attach API ({@link
 * #agentmain}) and {@code java -jar gil4j-agent.jar} ({@link #main}).
 *
 * <p>Kept tiny and loaded by the system class loader. Everything else of gil4j's but its runtime
 * lives in the jar's {@code inst/} folder, which no application class loader reads: this class
 * hands over to it through an {@link AgentClassLoader}. There the options are parsed and, if good,
 * the jar joins the bootstrap class path, where only the runtime sits at its root: the hooks that
 * instrumented {@code java.base} code calls, the GIL, the recorders. An agent failure is reported
 * once and the application runs on; only a bad option stops the JVM (exit status 2).
 */
public final class Premain {
  private static final String STARTUP = "dev.gil4j.agent.internal.Startup";
  private static final String CLI = "dev.gil4j.agent.Cli";

  /**
   * The options gil4j first started with in this JVM, guarded by itself; one per JVM: the system
   * class loader defines this class once, whichever jar copy starts. An array and its monitor, not
   * an {@code AtomicReference}, which no JVM has loaded at start.
   */
  private static final String[] STARTED_WITH = new String[1];

  private Premain() {}

  public static void premain(String options, Instrumentation inst) {
    start(options, inst, false);
  }

  public static void agentmain(String options, Instrumentation inst) {
    start(options, inst, true);
  }

  private static void start(String options, Instrumentation inst, boolean attached) {
    try {
      File jar = jar();
      ClassLoader agent = new AgentClassLoader(jar, ClassLoader.getPlatformClassLoader());
      // Two reference parameters, premain's own shape: see Startup.start.
      Class.forName(STARTUP, true, agent)
          .getMethod("start", Object[].class, Instrumentation.class)
          .invoke(null, new Object[] {options, jar, attached, STARTED_WITH}, inst);
    } catch (Throwable t) {
      Throwable cause = t instanceof InvocationTargetException ? t.getCause() : t;
      System.err.println("gil4j: agent failed to start, the application runs without it: " + cause);
    }
  }

  /** The command-line tool: {@code java -jar gil4j-agent.jar <command> …}. */
  public static void main(String[] args) throws Exception {
    ClassLoader cli = AgentClassLoader.forTool(jar(), Premain.class.getClassLoader());
    Thread.currentThread().setContextClassLoader(cli);
    Object status;
    try {
      status =
          Class.forName(CLI, true, cli)
              .getMethod("run", String[].class, PrintStream.class, PrintStream.class)
              .invoke(null, args, System.out, System.err);
    } catch (InvocationTargetException e) {
      throw e.getCause() instanceof Exception x ? x : e;
    }
    System.exit((Integer) status);
  }

  private static File jar() throws Exception {
    return new File(Premain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
  }
}

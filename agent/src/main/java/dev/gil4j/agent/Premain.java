package dev.gil4j.agent;

import java.io.File;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;
import java.util.jar.JarFile;

/**
 * The agent's entry points: {@code -javaagent} ({@link #premain}), the Attach API ({@link
 * #agentmain}) and {@code java -jar gil4j-agent.jar} ({@link #main}).
 *
 * <p>Kept tiny and loaded by the system class loader: it appends this jar to the bootstrap class
 * path, so that instrumented {@code java.base} code can call gil4j's hooks, and hands over to code
 * loaded from there. An agent failure is reported once and the application runs on; only a bad
 * option stops the JVM (exit status 2).
 */
public final class Premain {
  private static final String INSTALLER = "dev.gil4j.agent.internal.AgentInstaller";

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
    try {
      Options.parse(options);
    } catch (IllegalArgumentException e) {
      System.err.println("gil4j: " + e.getMessage());
      System.err.flush();
      if (!attached) {
        Runtime.getRuntime().halt(2);
      }
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

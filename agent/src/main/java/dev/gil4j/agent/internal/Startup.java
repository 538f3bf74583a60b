package dev.gil4j.agent.internal;

import dev.gil4j.options.Options;
import java.io.File;
import java.lang.instrument.Instrumentation;
import java.util.function.BooleanSupplier;
import java.util.jar.JarFile;

/**
 * The agent's first steps inside its own class loader: options parsed once, then the runtime on the
 * bootstrap class path, then {@link AgentInstaller}. Touches no runtime class itself: until the jar
 * joins the bootstrap class path, none can be loaded.
 *
 * <p>Attaching to a running JVM works with {@code gil=off}: the locks the application constructs
 * from then on are profiled, in classes loaded before the attach too, and the report comes at exit.
 * With {@code gil=on} it is refused with one line on the target's stderr, before anything in the
 * target changes: threads already running would hold no GIL and classes already loaded would have
 * no checkpoints. A second start in the same JVM (the agent given twice, or attached where it was
 * started) is ignored with one line. A refusal returns normally to the attaching tool: an exception
 * from {@code agentmain} would print a stack trace and JVM assertion messages on the target's
 * stderr.
 */
public final class Startup {
  private Startup() {}

  /**
   * Called reflectively by {@code Premain}; {@code first} says whether this is the JVM's first
   * start of gil4j.
   */
  public static void start(
      String args, Instrumentation inst, File jar, boolean attached, BooleanSupplier first)
      throws Exception {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      // Before the jar joins the bootstrap path: the JVM warns on stderr when that path grows, and
      // a bad option must print exactly one line.
      System.err.println("gil4j: " + e.getMessage());
      System.err.flush();
      if (!attached) {
        Runtime.getRuntime().halt(2);
      }
      return;
    }
    if (attached && options.gil()) {
      System.err.println(
          "gil4j: refusing to attach with gil=on: threads already running hold no GIL and"
              + " classes already loaded have no checkpoints; start the JVM with -javaagent, or"
              + " attach with gil=off to profile the locks constructed from now on");
      return;
    }
    if (!first.getAsBoolean()) {
      System.err.println(
          "gil4j: already started in this JVM, ignoring a second start with options '"
              + (args == null ? "" : args)
              + "'");
      return;
    }
    inst.appendToBootstrapClassLoaderSearch(new JarFile(jar));
    AgentInstaller.install(options, inst, attached);
  }
}

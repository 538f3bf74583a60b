package dev.gil4j.agent.internal;

import dev.gil4j.options.Options;
import java.io.File;
import java.lang.instrument.Instrumentation;
import java.util.Objects;
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
 * started) is ignored with one line; one with the very options of the first (the {@code profile}
 * command attaching again) is ignored silently, so that attaching is idempotent. A refusal returns
 * normally to the attaching tool: an exception from {@code agentmain} would print a stack trace and
 * JVM assertion messages on the target's stderr.
 */
public final class Startup {
  private Startup() {}

  /**
   * Called reflectively by {@code Premain}, with the options, the agent jar, whether attached, and
   * {@code startedWith} in {@code context}. The shape {@code (Object, Object) -> void} is premain's
   * own: on JDK 18+ a reflective call builds method handles for its shape, and the JDK has built
   * these for premain already (a five-parameter call spun them anew, 40 ms of a gil=off start on
   * JDK 25). {@code startedWith}, a one-element array guarded by itself, holds the options of the
   * JVM's first start of gil4j, set here if this is it (a JDK type, so that Premain's class loader
   * and this one share it, and no lambda).
   */
  public static void start(Object[] context, Instrumentation inst) throws Exception {
    start(
        (String) context[0], inst, (File) context[1], (Boolean) context[2], (String[]) context[3]);
  }

  private static void start(
      String args, Instrumentation inst, File jar, boolean attached, String[] startedWith)
      throws Exception {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      // Before the jar joins the bootstrap path: the JVM warns on stderr when that path grows, and
      // a bad option must print exactly one line. jcmd's JVMTI.agent_load passes "gil=off,jfr=x"
      // as just "gil": its parser takes the '='.
      boolean cutByJcmd = attached && args != null && !args.contains("=");
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
    if (attached && options.gil()) {
      System.err.println(
          "gil4j: refusing to attach with gil=on: threads already running hold no GIL and"
              + " classes already loaded have no checkpoints; start the JVM with -javaagent, or"
              + " attach with gil=off to profile the locks constructed from now on");
      return;
    }
    String given = Objects.requireNonNullElse(args, "");
    String before;
    synchronized (startedWith) {
      before = startedWith[0];
      if (before == null) {
        startedWith[0] = given;
      }
    }
    if (before != null) {
      if (before.equals(given)) {
        return;
      }
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

package dev.gil4j.agent.internal;

import dev.gil4j.gil.GilConfig;
import dev.gil4j.gil.Policy;
import dev.gil4j.gil.internal.GilCore;
import dev.gil4j.options.Options;
import dev.gil4j.profiler.AtomicFiles;
import dev.gil4j.profiler.ContentionRecorder;
import dev.gil4j.profiler.Deferred;
import dev.gil4j.profiler.ExitReport;
import dev.gil4j.profiler.ExitSummary;
import dev.gil4j.profiler.GilUsage;
import dev.gil4j.profiler.jfr.AgentRecording;
import dev.gil4j.profiler.jfr.JfrEvents;
import dev.gil4j.profiler.jfr.OwnFrames;
import dev.gil4j.profiler.locks.Parks;
import dev.gil4j.runtime.Hooks;
import dev.gil4j.runtime.internal.ProfilingHooks;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.instrument.Instrumentation;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Installs gil4j into the running JVM: parses the options, creates the GIL, instruments the JDK's
 * blocking points and the application's classes, registers the main thread, and arranges the exit
 * report; attached to a running JVM ({@code gil=off} only), also rewrites the application classes
 * already loaded. Runs in the agent's own class loader, after {@link Startup}.
 */
public final class AgentInstaller {
  private static final int REPORT_SITES = 10;

  private AgentInstaller() {}

  /**
   * Called by {@link Startup} with the parsed options; when {@code attached}, only with gil=off.
   */
  static void install(Options options, Instrumentation inst, boolean attached) {
    long started = System.nanoTime();
    if (options.gil()) {
      SlowPathOutOfLine.apply(inst);
    }
    Deferred.JDK_ACCESS.install(
        new Runnable() {
          @Override
          public void run() {
            openJdk(inst);
          }
        });
    boolean jdk = options.gil() || options.profile();
    // gil4j's events join JFR where it starts (FlightRecorder.getFlightRecorder, advised below), so
    // that a run without JFR loads none of it; attached, JFR may run already, and they join now.
    boolean joinAtStart = jdk && !attached;
    if (joinAtStart) {
      Hooks.installRecorderStarts(JfrEvents.LISTEN);
    }
    if (options.profile()) {
      Hooks.installProfiling(ProfilingHooks.INSTANCE);
    }
    // The JDK's advice first: the JDK classes the GIL's own start loads (its lock's AQS) are then
    // woven as they load, not retransformed after; the hooks do nothing until the GIL is installed.
    List<Class<?>> loaded = jdk ? installJdk(inst, options.gil(), attached) : List.of();
    GilCore core = options.gil() ? installGil(options) : null;
    JfrEvents.use(
        core == null
            ? null
            : new Supplier<GilUsage>() {
              @Override
              public GilUsage get() {
                return core.recentUsage();
              }
            });
    if (!joinAtStart || named(loaded, JdkInstrumentation.RECORDER_CLASS)) {
      // FlightRecorder loaded before its advice: JFR may have started already.
      JfrEvents.listen();
    }
    if (options.jfr() != null && !startRecording(options, attached)) {
      return;
    }
    AppTransformer app = null;
    if (options.gil() || options.profile()) {
      app =
          new AppTransformer(
              options.include(), options.exclude(), options.gil(), options.profile());
      inst.addTransformer(app, attached);
      // Natives are wrapped only at first load (the wrapper is a new method), so not when attached.
      if (options.gil() && !attached && inst.isNativeMethodPrefixSupported()) {
        inst.setNativeMethodPrefix(app, NativeReleases.PREFIX);
        app.wrapNatives(options.keepgil());
        NativeReleases.tellJna();
      }
    }
    AppTransformer woven = app;
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread("gil4j-report") {
              @Override
              public void run() {
                report(core, woven, options, started);
              }
            });
    System.err.println(
        "gil4j: " + options.describe() + " (JDK " + Runtime.version().feature() + ")");
    if (attached && app != null) {
      rewriteLoaded(inst, app);
    }
    if (core != null) {
      // Everything else is in place: a failure here leaves main outside the GIL, not the agent off.
      try {
        core.registerCurrentThread();
      } catch (Throwable t) {
        core.reportOnce("registering the main thread", t);
      }
    }
  }

  /** Whether one of {@code classes} is named {@code name}; names, so that none is loaded here. */
  private static boolean named(List<Class<?>> classes, String name) {
    for (Class<?> c : classes) {
      if (c.getName().equals(name)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Attached to a running JVM, the application's classes are mostly loaded already: the ones that
   * construct a synchronizer gil4j swaps are passed through the weaver again, so that the locks
   * they construct from now on are profiled too, not only those of classes loaded later. Lock swaps
   * change method bodies only, which retransforming allows; locks constructed before the attach
   * stay the JDK's. A class the JVM will not retransform is left as it was, and said in one line.
   */
  private static void rewriteLoaded(Instrumentation inst, AppTransformer app) {
    List<Class<?>> classes = new ArrayList<>();
    byte[][] swapped = ConstantPool.ascii(AppTransformer.SWAPS.keySet());
    for (Class<?> c : inst.getAllLoadedClasses()) {
      String name = c.getName().replace('.', '/');
      if (!c.isArray()
          && !c.isHidden()
          && inst.isModifiableClass(c)
          && app.wanted(c.getClassLoader(), name)
          && namesAny(c.getClassLoader(), name, swapped)) {
        classes.add(c);
      }
    }
    try {
      inst.retransformClasses(classes.toArray(new Class<?>[0]));
      return;
    } catch (Throwable batch) {
      // One refused class fails the whole batch, which then changes nothing: retry one by one.
    }
    int failed = 0;
    String first = null;
    for (Class<?> c : classes) {
      try {
        inst.retransformClasses(c);
      } catch (Throwable t) {
        if (failed++ == 0) {
          first = c.getName() + ": " + t;
        }
      }
    }
    if (failed > 0) {
      System.err.println(
          "gil4j: "
              + failed
              + " classes loaded before the attach keep their locks unprofiled, first: "
              + first);
    }
  }

  /**
   * Whether the class file that {@code loader} has for {@code internalName} names a synchronizer
   * gil4j swaps ({@code swapped}, as {@link ConstantPool#namesAny} takes them). Only those are
   * worth retransforming, which redefines each class inside the JVM while the application waits
   * (all 705 classes of an application using ByteBuddy: 1.3 s on a loaded 2-core machine); reading
   * and searching the files runs beside the application. A class without a readable file (generated
   * at run time) is left alone.
   */
  private static boolean namesAny(ClassLoader loader, String internalName, byte[][] swapped) {
    byte[] file;
    try (InputStream in = loader.getResourceAsStream(internalName + ".class")) {
      if (in == null) {
        return false;
      }
      file = in.readAllBytes();
    } catch (IOException | RuntimeException e) {
      return false;
    }
    return ConstantPool.namesAny(file, swapped);
  }

  /**
   * Lets gil4j's runtime into the JDK packages it reads ({@link Deferred#JDK_ACCESS}): {@code
   * java.base} exports {@code jdk.internal.misc} to it, so that {@code Monitors} can read a
   * monitor's header, and {@code sun.nio.ch}, so that a multiprocessing {@code Connection} can tell
   * its socket's file descriptor, and opens {@code java.io}, so that {@code Pipes} can find the
   * file stream inside a child process's stream; {@code jdk.jfr} opens {@code jdk.jfr.internal},
   * where {@link OwnFrames} leaves gil4j's frames out of its events' stack traces (where the JDK
   * has no such package, the stacks stay whole). Run when the runtime first needs one of them, not
   * at start: a module's first redefinition spins half a dozen lambdas inside the JDK (JDK 25 hello
   * world with gil=off: 13 ms on a loaded 2-core machine).
   */
  private static void openJdk(Instrumentation inst) {
    Set<Module> runtime = Set.of(OwnFrames.class.getModule());
    inst.redefineModule(
        Object.class.getModule(),
        Set.of(),
        Map.of("jdk.internal.misc", runtime, "sun.nio.ch", runtime),
        Map.of("java.io", runtime),
        Set.of(),
        Map.of());
    Optional<Module> jfr = ModuleLayer.boot().findModule("jdk.jfr");
    if (jfr.isPresent() && jfr.get().getPackages().contains("jdk.jfr.internal")) {
      inst.redefineModule(
          jfr.get(), Set.of(), Map.of(), Map.of("jdk.jfr.internal", runtime), Set.of(), Map.of());
    }
  }

  /**
   * Starts the JFR recording written at exit. A {@code jfc} file JFR cannot read is a bad option:
   * at launch the JVM stops with status 2 before the application starts.
   */
  private static boolean startRecording(Options options, boolean attached) {
    try {
      AgentRecording.start(
          Path.of(options.jfr()), options.jfc() == null ? null : Path.of(options.jfc()));
      return true;
    } catch (ParseException e) {
      System.err.println(
          "gil4j: bad value for option jfc: '"
              + options.jfc()
              + "'; accepted: a JFR settings file (.jfc): "
              + e.getMessage());
    } catch (IOException | RuntimeException e) {
      System.err.println("gil4j: bad value for option jfr: '" + options.jfr() + "': " + e);
    }
    System.err.flush();
    if (!attached) {
      Runtime.getRuntime().halt(2);
    }
    return false;
  }

  /** The GIL and its safety net, behind the hooks. */
  private static GilCore installGil(Options options) {
    GilConfig config =
        new GilConfig(
            options.policy().equals("ticks") ? Policy.TICKS : Policy.CPYTHON,
            options.switchNanos(),
            options.ticks(),
            options.tokens());
    GilCore core =
        new GilCore(
            config,
            new GilCore.Breaker() {
              @Override
              public void set(boolean pending) {
                Hooks.requestCheckpoints(pending);
              }
            });
    Hooks.installGil(core);
    core.startWatchdog();
    return core;
  }

  /**
   * The advice in the JDK: the GIL's blocking points and call sites with the GIL, and what
   * contention profiling needs (parks, pipes) with it or without.
   */
  private static List<Class<?>> installJdk(Instrumentation inst, boolean gil, boolean attached) {
    // Reported at once, also when a JDK class loaded later cannot be instrumented; only the first.
    // (An AtomicInteger, loaded in every JVM already: not an AtomicBoolean, loaded for this alone.)
    AtomicInteger reported = new AtomicInteger();
    Consumer<String> firstError =
        new Consumer<>() {
          @Override
          public void accept(String e) {
            if (reported.compareAndSet(0, 1)) {
              System.err.println("gil4j: could not instrument a JDK class, continuing: " + e);
            }
          }
        };
    // Without the GIL, at launch, the JDK classes loaded already are woven beside the application
    // (JdkInstrumentation#retransformInBackground); attached, before agentmain returns, so that
    // the attaching tool finds the profiling in place.
    List<Class<?>> loaded =
        JdkInstrumentation.install(
            inst,
            gil,
            !gil && !attached,
            firstError,
            new Runnable() {
              @Override
              public void run() {
                Parks.hooked();
              }
            });
    if (gil) {
      JdkCallSites.install(inst, firstError);
    }
    return loaded;
  }

  /**
   * The exit report and the summary, from one snapshot of the GIL and the sites. A failure to make
   * either is one line: uncaught, it would be a stack trace from a shutdown hook, or be lost
   * silently to the application's default uncaught-exception handler.
   */
  private static void report(GilCore core, AppTransformer app, Options options, long started) {
    boolean report = !options.report().equals("off");
    if (!report && options.summary() == null) {
      return;
    }
    GilUsage usage;
    List<ContentionRecorder.SiteSnapshot> sites;
    try {
      usage = core == null ? null : core.usage();
      sites = ContentionRecorder.snapshot();
    } catch (Throwable t) {
      System.err.println("gil4j: could not make the exit report: " + t);
      return;
    }
    long elapsed = System.nanoTime() - started;
    if (report) {
      try {
        writeReport(usage, sites, elapsed, app, options);
      } catch (Throwable t) {
        System.err.println("gil4j: could not make the exit report: " + t);
      }
    }
    if (options.summary() != null) {
      Path target = Path.of(options.summary());
      try {
        AtomicFiles.writeString(target, ExitSummary.format(usage, sites, elapsed));
      } catch (Throwable t) {
        System.err.println("gil4j: could not write the summary to " + target + ": " + t);
      }
    }
  }

  private static void writeReport(
      GilUsage usage,
      List<ContentionRecorder.SiteSnapshot> snapshot,
      long elapsed,
      AppTransformer app,
      Options options) {
    String sites = ExitReport.formatSites(snapshot, REPORT_SITES);
    if (usage == null && sites.isEmpty()) {
      // gil=off, nothing contended: still a report, not an empty file or silence.
      sites = ExitReport.formatNoContention(elapsed);
    }
    String text = (usage == null ? "" : ExitReport.format(usage)) + sites;
    if (app != null && app.failed.get() > 0) {
      text +=
          "gil4j:   "
              + app.failed.get()
              + " classes left as they were, first: "
              + app.firstFailure()
              + System.lineSeparator();
    }
    if (options.report().equals("stderr")) {
      PrintStream err = System.err;
      err.print(text);
      err.flush();
      return;
    }
    Path target = Path.of(options.report());
    try {
      AtomicFiles.writeString(target, text);
    } catch (IOException e) {
      System.err.println("gil4j: could not write the report to " + target + ": " + e);
    }
  }
}

package dev.gil4j.agent.internal;

import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isNative;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.none;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.gil4j.runtime.Hooks;
import java.lang.instrument.Instrumentation;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.utility.JavaModule;

/**
 * Advice in the JDK: the GIL released around its blocking points (DESIGN.md, "Where the GIL is
 * released"), threads registered when a registered thread starts them and unregistered when they
 * end, class loading marked as a place where the GIL never changes hands, and the application's
 * pipes timed ({@link PipeInstrumentation}).
 *
 * <p>Natives cannot carry advice; the ones application code calls directly ({@code Object.wait},
 * {@code Thread.sleep(long)} and {@code Thread.yield} in JDK 17) are rewritten at their call sites
 * by {@link CheckpointWeaver}. Nested blocking points are harmless: the inner one finds the GIL
 * already released.
 */
final class JdkInstrumentation {

  /** One instrumented JDK concept: the type, the methods, and the advice they get. */
  record Point(String type, ElementMatcher.Junction<MethodDescription> methods, Class<?> advice) {}

  /**
   * What contention profiling needs, with the GIL on or off: parks timed where they block, and the
   * application's pipes.
   */
  private static final List<Point> PROFILING =
      Stream.concat(
              Stream.of(
                  new Point(
                      "java.util.concurrent.locks.LockSupport",
                      nameStartsWith("park").and(takesArgument(0, Object.class)),
                      ParkAdvice.class)),
              PipeInstrumentation.POINTS.stream())
          .toList();

  /** What the GIL needs besides. */
  private static final List<Point> POINTS =
      List.of(
          blocking(
              "java.util.concurrent.locks.LockSupport",
              nameStartsWith("park").and(not(takesArgument(0, Object.class)))),
          // JDK code waits too (Timer, ReferenceQueue…); wait(long) is native in JDK 17, and
          // application calls to it are rewritten at the call site instead.
          blocking("java.lang.Object", named("wait")),
          // Every java.util.concurrent lock, semaphore, latch and condition re-acquire queues here
          // once its first try failed: the GIL is released at the first park inside and re-taken
          // only with the lock owned, as CPython's lock acquire does (GilCore#acquireBegins).
          new Point(
              "java.util.concurrent.locks.AbstractQueuedSynchronizer",
              named("acquire").and(takesArguments(6)),
              AcquireAdvice.class),
          new Point(
              "java.util.concurrent.locks.AbstractQueuedLongSynchronizer",
              named("acquire").and(takesArguments(6)),
              AcquireAdvice.class),
          // JDK 21+ workers wait for tasks with Unsafe.park, bypassing LockSupport.
          blocking("java.util.concurrent.ForkJoinPool", named("awaitWork")),
          blocking("java.lang.Thread", namedOneOf("sleep", "join")),
          // Their leaf read and write methods are blocking points advised by PipeInstrumentation.
          blocking("java.io.FileInputStream", namedOneOf("readAllBytes", "readNBytes")),
          blocking("java.io.RandomAccessFile", namedOneOf("read", "write")),
          blocking(
              "sun.nio.ch.FileChannelImpl",
              namedOneOf("read", "write", "force", "transferTo", "transferFrom")),
          blocking("sun.nio.ch.NioSocketImpl", namedOneOf("read", "write", "connect", "accept")),
          blocking("sun.nio.ch.SocketInputStream", named("read")),
          blocking("sun.nio.ch.SocketOutputStream", named("write")),
          blocking(
              "sun.nio.ch.SocketChannelImpl",
              namedOneOf("read", "write", "connect", "finishConnect")),
          blocking("sun.nio.ch.ServerSocketChannelImpl", named("accept")),
          blocking(
              "sun.nio.ch.DatagramChannelImpl", namedOneOf("receive", "send", "read", "write")),
          blocking("sun.nio.ch.SelectorImpl", named("select")),
          blocking("java.lang.ProcessImpl", named("waitFor")),
          blocking("java.lang.ref.ReferenceQueue", named("remove")),
          new Point("java.lang.Thread", named("start"), ThreadStartAdvice.class),
          new Point("java.lang.VirtualThread", named("start"), ThreadStartAdvice.class),
          new Point(
              "java.lang.Thread", named("exit").and(takesArguments(0)), ThreadExitAdvice.class),
          new Point(
              "java.lang.VirtualThread",
              named("run").and(takesArguments(Runnable.class)),
              VirtualThreadRunAdvice.class),
          new Point(
              "java.lang.ClassLoader",
              named("loadClass").and(takesArguments(String.class, boolean.class)),
              ClassLoadingAdvice.class),
          // The JDK's own application and platform loaders override loadClass(String, boolean)
          // without calling it: without this point, plain 'java -cp' applications handed the GIL
          // over at every jar read of a class load, and threads then stalled in each other's
          // class initializers where only the safety net could free them (Jetty: no request
          // served in 2 s).
          new Point(
              "jdk.internal.loader.BuiltinClassLoader",
              named("loadClassOrNull").and(takesArguments(String.class, boolean.class)),
              ClassLoadingAdvice.class),
          // Every ClassFileTransformer runs inside a class load, also the bootstrap loader's, which
          // never passes through ClassLoader.loadClass. gil4j's own transformer reads its advice
          // from the agent jar there: dropping the GIL at that read let another thread take it and
          // then wait in the JVM for the same class (AQS's first call to ForkJoinPool.managedBlock)
          // while holding the GIL, a stall only the safety net could end.
          new Point(
              "sun.instrument.InstrumentationImpl", named("transform"), ClassLoadingAdvice.class));

  /**
   * With the profiling points: reads and writes of file streams, NIO pipes and piped streams are
   * blocking points that {@link PipeInstrumentation} also times when they are the application's
   * pipes.
   */
  private static final List<Point> ALL =
      Stream.concat(POINTS.stream(), PROFILING.stream()).toList();

  private JdkInstrumentation() {}

  /**
   * The advised classes already loaded, found by name: letting ByteBuddy describe and match every
   * loaded class to find them costs a good part of a second at start-up.
   */
  private static Class<?>[] loaded(Instrumentation inst, Set<String> types) {
    return Arrays.stream(inst.getAllLoadedClasses())
        .filter(c -> types.contains(c.getName()))
        .toArray(Class<?>[]::new);
  }

  private static Point blocking(String type, ElementMatcher.Junction<MethodDescription> methods) {
    return new Point(type, methods, BlockingAdvice.class);
  }

  /**
   * Installs the advice, retransforming JDK classes already loaded. Errors go to {@code onError}
   * and leave that class as it was.
   *
   * @param gil all of it, for the GIL; else only what contention profiling needs
   */
  static void install(Instrumentation inst, boolean gil, Consumer<String> onError) {
    List<Point> points = gil ? ALL : PROFILING;
    Set<String> types = Set.copyOf(points.stream().map(Point::type).toList());
    // java.base and java.instrument must read the bootstrap loader's unnamed module, where the
    // hooks live; java.base also exports jdk.internal.misc to it, so that Monitors can read a
    // monitor's header, and sun.nio.ch, so that a multiprocessing Connection can tell its socket's
    // file descriptor (fileno); and it opens java.io to it, so that Pipes can find the file stream
    // inside a child process's stream.
    Set<Module> gil4j = Set.of(Hooks.class.getModule());
    inst.redefineModule(
        Object.class.getModule(),
        gil4j,
        Map.of("jdk.internal.misc", gil4j, "sun.nio.ch", gil4j),
        Map.of("java.io", gil4j),
        Set.of(),
        Map.of());
    inst.redefineModule(
        Instrumentation.class.getModule(), gil4j, Map.of(), Map.of(), Set.of(), Map.of());
    ClassFileLocator locator =
        ClassFileLocator.ForClassLoader.of(JdkInstrumentation.class.getClassLoader());
    AgentBuilder builder =
        newAgentBuilder()
            .disableClassFormatChanges()
            .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
            .with(
                new AgentBuilder.RedefinitionStrategy.DiscoveryStrategy.Explicit(
                    loaded(inst, types)))
            .with(AgentBuilder.DescriptionStrategy.Default.POOL_ONLY)
            .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
            .with(AgentBuilder.TypeStrategy.Default.REDEFINE)
            .ignore(none())
            .with(
                new AgentBuilder.Listener.Adapter() {
                  @Override
                  public void onError(
                      String typeName,
                      ClassLoader loader,
                      JavaModule module,
                      boolean loaded,
                      Throwable throwable) {
                    onError.accept(typeName + ": " + throwable);
                  }
                });
    for (String type : types) {
      builder =
          builder
              .type(named(type))
              .transform(
                  (b, td, loader, module, domain) -> {
                    for (Point p : points) {
                      if (p.type().equals(type)) {
                        b =
                            b.visit(
                                Advice.to(p.advice(), locator)
                                    .on(p.methods().and(not(isNative())).and(not(isAbstract()))));
                      }
                    }
                    return b;
                  });
    }
    builder.installOn(inst);
  }

  /**
   * All advice here is inlined, so ByteBuddy's Nexus (for loaded type initializers) is never
   * needed, and initializing it touches {@code sun.misc.Unsafe}, which JDK 24+ warns about on
   * stderr. The property name is relocated with ByteBuddy, so it concerns only gil4j's copy.
   */
  private static AgentBuilder newAgentBuilder() {
    String property = "net.bytebuddy.nexus.disabled";
    String before = System.getProperty(property);
    System.setProperty(property, "true");
    try {
      return new AgentBuilder.Default();
    } finally {
      if (before == null) {
        System.clearProperty(property);
      } else {
        System.setProperty(property, before);
      }
    }
  }

  /** Release the GIL before the call, re-take it after, also when the call throws. */
  static final class BlockingAdvice {
    private BlockingAdvice() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static boolean enter() {
      return Hooks.beforeBlocking();
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@Advice.Enter boolean released) {
      if (released) {
        Hooks.afterBlocking();
      }
    }
  }

  /**
   * {@code LockSupport.park*(blocker, …)}: the GIL released around the park, as {@link
   * BlockingAdvice} does, and the park timed for contention profiling inside that. The enter
   * advice's result carries both: the stamp, and in its lowest bit whether the GIL was released.
   */
  static final class ParkAdvice {
    private ParkAdvice() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static long enter(@Advice.Argument(0) Object blocker) {
      long released = Hooks.beforeBlocking() ? 1 : 0;
      return (Hooks.parkBegins(blocker) & ~1L) | released;
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@Advice.Argument(0) Object blocker, @Advice.Enter long entered) {
      Hooks.parkEnded(blocker, entered & ~1L);
      if ((entered & 1) != 0) {
        Hooks.afterBlocking();
      }
    }
  }

  /** A lock acquisition: the GIL released at its first wait stays released until it returns. */
  static final class AcquireAdvice {
    private AcquireAdvice() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static boolean enter() {
      return Hooks.acquireBegins();
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@Advice.Enter boolean counted) {
      if (counted) {
        Hooks.acquireEnds();
      }
    }
  }

  /** A registered thread starting another registers it. */
  static final class ThreadStartAdvice {
    private ThreadStartAdvice() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static void enter(@Advice.This Thread child) {
      Hooks.threadStarting(child);
    }
  }

  /**
   * A platform thread that ends releases the GIL for good, uncaught exception or not. On entry to
   * {@code Thread.exit}, which the JVM calls after {@code run}: it clears the thread locals that
   * hold the thread's GIL state.
   */
  static final class ThreadExitAdvice {
    private ThreadExitAdvice() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static void enter() {
      Hooks.threadEnded();
    }
  }

  /** A virtual thread ends when its task returns from {@code VirtualThread.run(Runnable)}. */
  static final class VirtualThreadRunAdvice {
    private VirtualThreadRunAdvice() {}

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit() {
      Hooks.threadEnded();
    }
  }

  /** Class loading: the GIL never changes hands inside. */
  static final class ClassLoadingAdvice {
    private ClassLoadingAdvice() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static void enter() {
      Hooks.enterClassLoading();
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit() {
      Hooks.exitClassLoading();
    }
  }
}

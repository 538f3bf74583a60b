package dev.gil4j.agent.internal;

import static dev.gil4j.agent.internal.JdkAdvice.BLOCKING;
import static dev.gil4j.agent.internal.JdkAdvice.CLASS_LOADING;
import static dev.gil4j.agent.internal.JdkPoint.each;
import static dev.gil4j.agent.internal.JdkPoint.of;
import static dev.gil4j.agent.internal.JdkPoint.taking;

import dev.gil4j.profiler.Deferred;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Advice in the JDK: the GIL released around its blocking points (DESIGN.md, "Where the GIL is
 * released"), threads registered when a registered thread starts them and unregistered when they
 * end, class loading marked as a place where the GIL never changes hands, and the application's
 * pipes timed ({@link PipeInstrumentation}). The table says which methods get which {@link
 * JdkAdvice}; {@link JdkWeaver} weaves it, with plain ASM.
 *
 * <p>Natives cannot carry advice; the ones application code calls directly ({@code Object.wait},
 * {@code Thread.sleep(long)} and {@code Thread.yield} in JDK 17) are rewritten at their call sites
 * by {@link CheckpointWeaver}. Nested blocking points are harmless: the inner one finds the GIL
 * already released.
 */
final class JdkInstrumentation {
  static final List<JdkPoint> POINTS =
      points(
          // parks with a blocker are also timed for contention profiling (PROFILING)
          taking("java.util.concurrent.locks.LockSupport", "park", "()", BLOCKING),
          taking("java.util.concurrent.locks.LockSupport", "parkNanos", "(J)", BLOCKING),
          taking("java.util.concurrent.locks.LockSupport", "parkUntil", "(J)", BLOCKING),
          // JDK code waits too (Timer, ReferenceQueue…); wait(long) is native in JDK 17, and
          // application calls to it are rewritten at the call site instead.
          of("java.lang.Object", "wait", BLOCKING),
          // Every java.util.concurrent lock, semaphore, latch and condition re-acquire queues here
          // once its first try failed: the GIL is released at the first park inside and re-taken
          // only with the lock owned, as CPython's lock acquire does (GilCore#acquireBegins).
          taking(
              "java.util.concurrent.locks.AbstractQueuedSynchronizer",
              "acquire",
              "(Ljava/util/concurrent/locks/AbstractQueuedSynchronizer$Node;IZZZJ)",
              JdkAdvice.ACQUIRE),
          taking(
              "java.util.concurrent.locks.AbstractQueuedLongSynchronizer",
              "acquire",
              "(Ljava/util/concurrent/locks/AbstractQueuedLongSynchronizer$Node;JZZZJ)",
              JdkAdvice.ACQUIRE),
          // A lock's release wakes its next waiter here: the GIL holder yields, so that the waiter
          // may take the lock first, as it often does against CPython's slower releaser
          // (GilCore#unparked).
          taking(
              "java.util.concurrent.locks.LockSupport",
              "unpark",
              "(Ljava/lang/Thread;)",
              JdkAdvice.UNPARK),
          // JDK 21+ workers wait for tasks with Unsafe.park, bypassing LockSupport.
          of("java.util.concurrent.ForkJoinPool", "awaitWork", BLOCKING),
          each("java.lang.Thread", BLOCKING, "sleep", "join"),
          // Their leaf read and write methods are blocking points advised by PipeInstrumentation.
          each("java.io.FileInputStream", BLOCKING, "readAllBytes", "readNBytes"),
          each("java.io.RandomAccessFile", BLOCKING, "read", "write"),
          each(
              "sun.nio.ch.FileChannelImpl",
              BLOCKING,
              "read",
              "write",
              "force",
              "transferTo",
              "transferFrom"),
          each("sun.nio.ch.NioSocketImpl", BLOCKING, "read", "write", "connect", "accept"),
          of("sun.nio.ch.SocketInputStream", "read", BLOCKING),
          of("sun.nio.ch.SocketOutputStream", "write", BLOCKING),
          each(
              "sun.nio.ch.SocketChannelImpl",
              BLOCKING,
              "read",
              "write",
              "connect",
              "finishConnect"),
          of("sun.nio.ch.ServerSocketChannelImpl", "accept", BLOCKING),
          each("sun.nio.ch.DatagramChannelImpl", BLOCKING, "receive", "send", "read", "write"),
          of("sun.nio.ch.SelectorImpl", "select", BLOCKING),
          of("java.lang.ProcessImpl", "waitFor", BLOCKING),
          of("java.lang.ref.ReferenceQueue", "remove", BLOCKING),
          of("java.lang.Thread", "start", JdkAdvice.THREAD_START),
          of("java.lang.VirtualThread", "start", JdkAdvice.THREAD_START),
          taking("java.lang.Thread", "exit", "()", JdkAdvice.THREAD_EXIT),
          // The JVM calls run() on a new thread: a registered thread takes the GIL there, before
          // its body. Subclasses that override run() get a checkpoint at its entry instead
          // (CheckpointWeaver); pool workers run ForkJoinWorkerThread's.
          taking("java.lang.Thread", "run", "()", JdkAdvice.THREAD_RUN),
          taking("java.util.concurrent.ForkJoinWorkerThread", "run", "()", JdkAdvice.THREAD_RUN),
          taking(
              "java.lang.VirtualThread",
              "run",
              "(Ljava/lang/Runnable;)",
              JdkAdvice.VIRTUAL_THREAD_RUN),
          taking("java.lang.ClassLoader", "loadClass", "(Ljava/lang/String;Z)", CLASS_LOADING),
          // The JDK's own application and platform loaders override loadClass(String, boolean)
          // without calling it: without this point, plain 'java -cp' applications handed the GIL
          // over at every jar read of a class load, and threads then stalled in each other's
          // class initializers where only the safety net could free them (Jetty: no request
          // served in 2 s).
          taking(
              "jdk.internal.loader.BuiltinClassLoader",
              "loadClassOrNull",
              "(Ljava/lang/String;Z)",
              CLASS_LOADING),
          // Every ClassFileTransformer runs inside a class load, also the bootstrap loader's, which
          // never passes through ClassLoader.loadClass. gil4j's own transformers run there:
          // dropping the GIL at a read inside one let another thread take it and then wait in the
          // JVM for the same class (AQS's first call to ForkJoinPool.managedBlock) while holding
          // the GIL, a stall only the safety net could end.
          of("sun.instrument.InstrumentationImpl", "transform", CLASS_LOADING));

  /**
   * What contention profiling needs, with the GIL on or off: parks timed where they block, named by
   * their blocker, and the application's pipes.
   */
  static final List<JdkPoint> PROFILING =
      points(
          new JdkPoint(
              "java/util/concurrent/locks/LockSupport",
              "park",
              true,
              "(Ljava/lang/Object;",
              null,
              JdkAdvice.PARK),
          PipeInstrumentation.POINTS.toArray(new JdkPoint[0]));

  /**
   * Where JFR starts in this JVM, with the GIL on or off: {@code -XX:StartFlightRecording}, {@code
   * jcmd JFR.start}, {@code jfr=} and the application's own recordings all pass here first.
   */
  static final String RECORDER_CLASS = "jdk.jfr.FlightRecorder";

  static final List<JdkPoint> RECORDER =
      List.of(taking(RECORDER_CLASS, "getFlightRecorder", "()", JdkAdvice.RECORDER_STARTS));

  private JdkInstrumentation() {}

  /** The table as one list: each argument a point, or an array of points. */
  static List<JdkPoint> points(Object... entries) {
    List<JdkPoint> all = new ArrayList<>();
    for (Object e : entries) {
      if (e instanceof JdkPoint[] several) {
        all.addAll(Arrays.asList(several));
      } else {
        all.add((JdkPoint) e);
      }
    }
    return List.copyOf(all);
  }

  /**
   * The file streams, whose only advice without the GIL times a child process's pipes: with the GIL
   * off they are woven when the first child process starts ({@link Deferred#PROCESS_STREAMS}), not
   * at every start (JDK 25 hello world: two of the three classes woven at a gil=off start).
   */
  static final Set<String> PROCESS_STREAMS =
      Set.of("java.io.FileInputStream", "java.io.FileOutputStream");

  /**
   * Installs the advice, with the pipes' ({@link PipeInstrumentation}) and JFR's start's, and
   * retransforms the advised JDK classes already loaded, and only those, then runs {@code woven}.
   * With {@code gil} all of it, else only what contention profiling needs, and the {@link
   * #PROCESS_STREAMS} when the first child process starts. Errors go to {@code onError} and leave
   * that class as it was. Returns the advised classes that were loaded already.
   *
   * <p>With {@code inBackground} the retransformation runs on a daemon thread of its own, and this
   * returns before it has landed (see {@link #retransformInBackground}); classes loaded from now on
   * are woven as they load either way: the transformer is in place before this returns.
   *
   * <p>No module is redefined for the advice: the JVM makes a named module whose class an agent
   * transformed read the bootstrap loader's unnamed module, where the hooks live (see the package
   * {@code java.lang.instrument}, "Instrumenting code in modules").
   */
  static List<Class<?>> install(
      Instrumentation inst,
      boolean gil,
      boolean inBackground,
      Consumer<String> onError,
      Runnable woven) {
    List<JdkPoint> all = new ArrayList<>(PROFILING);
    all.addAll(RECORDER);
    if (gil) {
      all.addAll(POINTS);
    }
    JdkWeaver weaver = new JdkWeaver(all, JdkWeaver.HOOKS, JdkWeaver.PIPES, onError);
    inst.addTransformer(weaver, true);
    // The advised classes by binary name, as Class.getName gives them: no name of the JVM's
    // thousand loaded classes rewritten to look it up.
    Set<String> advised = new HashSet<>();
    for (JdkPoint p : all) {
      advised.add(p.type().replace('/', '.'));
    }
    List<Class<?>> loaded = new ArrayList<>();
    List<Class<?>> now = new ArrayList<>();
    List<Class<?>> later = new ArrayList<>();
    for (Class<?> c : inst.getAllLoadedClasses()) {
      String name = c.getName();
      if (advised.contains(name)) {
        loaded.add(c);
        (gil || !PROCESS_STREAMS.contains(name) ? now : later).add(c);
      }
    }
    if (!later.isEmpty()) {
      Deferred.PROCESS_STREAMS.install(
          new Runnable() {
            @Override
            public void run() {
              retransform(inst, later, onError);
            }
          });
    }
    if (inBackground && !now.isEmpty()) {
      retransformInBackground(inst, now, onError, woven);
    } else {
      retransform(inst, now, onError);
      woven.run();
    }
    return loaded;
  }

  /**
   * Retransforms {@code classes} on a daemon thread, then runs {@code woven}, so that the
   * application's {@code main} starts without waiting for it: ASM's classes loaded and the class
   * files rewritten beside it, on another core (JDK 25 hello world with {@code gil=off}: half of
   * the agent's start). Only for profiling without the GIL, which needs the advice in the JDK
   * classes loaded at start ({@code LockSupport}) to time parks but not to be correct: a park that
   * begins before the advice lands is not timed (docs/profiling.md). The GIL needs its advice from
   * the application's first instruction and never takes this path.
   *
   * <p>Safe beside the application: the thread loads only the agent's own classes, through its
   * parallel-capable loader, which asks nothing of the application's loaders; a JDK class the
   * application loads meanwhile is woven as it loads, by whichever thread loads it; and the thread
   * catches everything, so nothing reaches the application. A daemon, it never holds up the JVM's
   * exit: an application that ends first ends with the advice unfinished, which it no longer needs.
   */
  private static void retransformInBackground(
      Instrumentation inst, List<Class<?>> classes, Consumer<String> onError, Runnable woven) {
    Thread t =
        new Thread("gil4j-weaver") {
          @Override
          public void run() {
            try {
              retransform(inst, classes, onError);
              woven.run();
            } catch (Throwable e) {
              onError.accept("weaving the JDK classes loaded at start: " + e);
            }
          }
        };
    t.setDaemon(true);
    t.start();
  }

  private static void retransform(
      Instrumentation inst, List<Class<?>> classes, Consumer<String> onError) {
    try {
      inst.retransformClasses(classes.toArray(new Class<?>[0]));
    } catch (Throwable batch) {
      // One refused class fails the whole batch, which then changes nothing: one by one.
      for (Class<?> c : classes) {
        try {
          inst.retransformClasses(c);
        } catch (Throwable t) {
          onError.accept(c.getName() + ": " + t);
        }
      }
    }
  }
}

package dev.gil4j.agent.internal;

import dev.gil4j.runtime.Hooks;
import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Passes application classes through {@link CheckpointWeaver} (checkpoints for the GIL, profiled
 * synchronizers for contention profiling, or both): every class not loaded by the bootstrap or
 * platform loader, minus the JDK's and gil4j's own, filtered by the {@code include} and {@code
 * exclude} globs. A class the weaver cannot handle (too large a method, an unknown class-file
 * version) is loaded unchanged and counted.
 */
final class AppTransformer implements ClassFileTransformer {
  /**
   * gil4j's runtime is loaded by the bootstrap loader and skipped for that; these cover its classes
   * loaded by the system loader before the jar joined the bootstrap path. Applications in other
   * {@code dev.gil4j} packages, such as the sample apps, are instrumented like any other.
   */
  private static final List<String> NEVER =
      List.of(
          "java/",
          "javax/",
          "jdk/",
          "sun/",
          "com/sun/",
          "dev/gil4j/agent/",
          "dev/gil4j/analysis/",
          "dev/gil4j/gil/",
          "dev/gil4j/lab/",
          "dev/gil4j/options/",
          "dev/gil4j/runtime/",
          "dev/gil4j/profiler/",
          "dev/gil4j/threading/",
          "dev/gil4j/multiprocessing/",
          "dev/gil4j/shaded/");

  private static final String PROFILED = "dev/gil4j/profiler/locks/Profiled";

  /**
   * JDK class (internal name) to its profiled drop-in, which {@link LockSwap} swaps in. Here, not
   * there: LockSwap's verification loads ASM's tree classes, which a start that weaves nothing need
   * not load.
   */
  static final Map<String, String> SWAPS =
      Map.of(
          "java/util/concurrent/locks/ReentrantLock", PROFILED + "ReentrantLock",
          "java/util/concurrent/locks/ReentrantReadWriteLock", PROFILED + "ReentrantReadWriteLock",
          "java/util/concurrent/Semaphore", PROFILED + "Semaphore",
          "java/util/concurrent/CountDownLatch", PROFILED + "CountDownLatch",
          "java/util/concurrent/CyclicBarrier", PROFILED + "CyclicBarrier",
          "java/util/concurrent/Phaser", PROFILED + "Phaser");

  /**
   * Libraries whose packages sit under a JDK prefix of {@link #NEVER}: JNA ({@code com.sun.jna}),
   * which reaches native code as JNI libraries do and whose blocking calls must release the GIL as
   * theirs do (docs/native.md).
   */
  private static final List<String> LIBRARIES = List.of("com/sun/jna/");

  private final List<Pattern> include;
  private final List<Pattern> exclude;
  private final ClassLoader platform = ClassLoader.getPlatformClassLoader();
  final AtomicLong woven = new AtomicLong();
  final AtomicLong failed = new AtomicLong();
  private volatile String firstFailure;

  private final boolean checkpoints;
  private final Map<String, String> swaps;

  /**
   * Without checkpoints, a class changes only if it constructs a synchronizer gil4j swaps or calls
   * {@code wait}: one of these names is then in its constant pool. The others are not parsed.
   */
  private final byte[][] profiled;

  /** Native methods that keep the GIL; null when natives are not wrapped at all. */
  private volatile Predicate<String> keepGil;

  AppTransformer(List<String> include, List<String> exclude, boolean checkpoints, boolean profile) {
    this.checkpoints = checkpoints;
    this.swaps = profile ? SWAPS : Map.of();
    List<String> names = new ArrayList<>(swaps.keySet());
    names.add("wait");
    this.profiled = ConstantPool.ascii(names);
    this.include = globs(include);
    this.exclude = globs(exclude);
  }

  private static List<Pattern> globs(List<String> globs) {
    List<Pattern> patterns = new ArrayList<>();
    for (String g : globs) {
      patterns.add(glob(g));
    }
    return patterns;
  }

  /**
   * From now on, native methods of the classes this transformer loads become places where the GIL
   * may be released ({@link NativeReleases}), except those {@code keepgil} names. Every non-JDK
   * class but the excluded ones, whatever {@code include} says: {@code include} picks the classes
   * that get checkpoints, and a library left without them still waits in its natives.
   */
  void wrapNatives(List<String> keepgil) {
    List<Pattern> keep = globs(keepgil);
    keepGil =
        new Predicate<>() {
          @Override
          public boolean test(String name) {
            return matchesAny(keep, name);
          }
        };
  }

  /** A class-name glob: {@code *} any characters, {@code ?} one; dots or slashes alike. */
  static Pattern glob(String g) {
    StringBuilder re = new StringBuilder();
    for (char c : g.replace('/', '.').toCharArray()) {
      switch (c) {
        case '*' -> re.append(".*");
        case '?' -> re.append('.');
        case '.', '$' -> re.append('\\').append(c);
        default -> re.append(c);
      }
    }
    return Pattern.compile(re.toString());
  }

  boolean wanted(ClassLoader loader, String internalName) {
    if (!outsideJdk(loader, internalName)) {
      return false;
    }
    String name = internalName.replace('/', '.');
    if (!include.isEmpty() && !matchesAny(include, name)) {
      return false;
    }
    return !matchesAny(exclude, name);
  }

  /** An application or library class: neither the JDK's nor gil4j's own. */
  private boolean outsideJdk(ClassLoader loader, String internalName) {
    if (loader == null || loader == platform || internalName == null) {
      return false;
    }
    for (String prefix : LIBRARIES) {
      if (internalName.startsWith(prefix)) {
        return true;
      }
    }
    for (String prefix : NEVER) {
      if (internalName.startsWith(prefix)) {
        return false;
      }
    }
    return true;
  }

  private boolean excluded(String internalName) {
    String name = internalName.replace('/', '.');
    return matchesAny(exclude, name);
  }

  private static boolean matchesAny(List<Pattern> patterns, String name) {
    for (Pattern p : patterns) {
      if (p.matcher(name).matches()) {
        return true;
      }
    }
    return false;
  }

  @Override
  public byte[] transform(
      ClassLoader loader,
      String className,
      Class<?> redefined,
      ProtectionDomain domain,
      byte[] classFile) {
    Predicate<String> keep = keepGil;
    boolean natives =
        keep != null && redefined == null && outsideJdk(loader, className) && !excluded(className);
    if (!natives && !wanted(loader, className)) {
      return null;
    }
    try {
      boolean weave = wanted(loader, className) && (checkpoints || mayProfile(classFile));
      byte[] out = weave ? CheckpointWeaver.weave(classFile, checkpoints, swaps) : null;
      if (natives) {
        byte[] wrapped = NativeReleases.wrap(out != null ? out : classFile, keep);
        out = wrapped != null ? wrapped : out;
      }
      if (out != null) {
        woven.incrementAndGet();
      }
      return out;
    } catch (Throwable t) {
      if (failed.getAndIncrement() == 0) {
        firstFailure = className + ": " + t;
      }
      return null;
    }
  }

  /**
   * Without checkpoints, whether the weaver may change the class: it swaps synchronizers and times
   * {@code wait} calls, and {@code synchronized} entries only with the GIL.
   */
  private boolean mayProfile(byte[] classFile) {
    return !swaps.isEmpty() && (Hooks.gilInstalled() || ConstantPool.namesAny(classFile, profiled));
  }

  /** The first class the weaver could not handle, with why; null if none. */
  String firstFailure() {
    return firstFailure;
  }
}

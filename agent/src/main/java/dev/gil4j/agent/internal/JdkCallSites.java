package dev.gil4j.agent.internal;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.lang.instrument.UnmodifiableClassException;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * JDK classes whose threads block in a native {@code Object.wait(long)} they call directly (JDK 17;
 * from JDK 21 on, {@code wait(long)} is Java code with advice). Their call sites are rewritten as
 * in application code, so that, say, a {@code java.util.Timer} thread releases the GIL while it
 * waits for its next task instead of being revoked by the safety net.
 */
final class JdkCallSites implements ClassFileTransformer {
  private static final Set<String> CLASSES =
      Set.of("java/util/TimerThread", "java/io/PipedReader", "java/io/PipedWriter");

  private final Consumer<String> onError;

  private JdkCallSites(Consumer<String> onError) {
    this.onError = onError;
  }

  /** Installs the rewrite, retransforming the classes already loaded. */
  static void install(Instrumentation inst, Consumer<String> onError) {
    inst.addTransformer(new JdkCallSites(onError), true);
    List<Class<?>> found = new ArrayList<>();
    for (Class<?> c : inst.getAllLoadedClasses()) {
      if (CLASSES.contains(c.getName().replace('.', '/'))) {
        found.add(c);
      }
    }
    Class<?>[] loaded = found.toArray(new Class<?>[0]);
    if (loaded.length > 0) {
      try {
        inst.retransformClasses(loaded);
      } catch (UnmodifiableClassException | RuntimeException e) {
        onError.accept(Arrays.toString(loaded) + ": " + e);
      }
    }
  }

  @Override
  public byte[] transform(
      ClassLoader loader,
      String className,
      Class<?> redefined,
      ProtectionDomain domain,
      byte[] classFile) {
    if (loader != null || className == null || !CLASSES.contains(className)) {
      return null;
    }
    try {
      return CheckpointWeaver.rewriteCallSites(classFile);
    } catch (Throwable t) {
      onError.accept(className + ": " + t);
      return null;
    }
  }
}

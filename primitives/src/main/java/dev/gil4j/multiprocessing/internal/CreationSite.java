package dev.gil4j.multiprocessing.internal;

import dev.gil4j.profiler.ContentionRecorder;
import java.security.CodeSource;
import java.util.Objects;

/**
 * Names where a pipe was made, as the profiler names every contention site: the first caller
 * outside gil4j's multiprocessing classes, as {@code com.acme.Main.run(Main.java:42)}.
 */
public final class CreationSite {
  private static final String OWN_PACKAGE = "dev.gil4j.multiprocessing.";
  private static final StackWalker WALKER =
      StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);
  private static final CodeSource OWN_SOURCE = source(CreationSite.class);

  private CreationSite() {}

  /** The calling application frame, or {@code "unknown"} if every frame is gil4j's own. */
  public static String ofCaller() {
    return WALKER.walk(
        frames ->
            frames
                .filter(f -> !isOwn(f.getDeclaringClass()))
                .findFirst()
                .map(
                    f ->
                        ContentionRecorder.siteName(
                            f.getClassName(),
                            f.getMethodName(),
                            f.getFileName(),
                            f.getLineNumber()))
                .orElse("unknown"));
  }

  /** gil4j's own by package and by origin: an application (or test) may share the package. */
  private static boolean isOwn(Class<?> c) {
    return c.getName().startsWith(OWN_PACKAGE)
        && c.getClassLoader() == CreationSite.class.getClassLoader()
        && Objects.equals(source(c), OWN_SOURCE);
  }

  private static CodeSource source(Class<?> c) {
    return c.getProtectionDomain().getCodeSource();
  }
}

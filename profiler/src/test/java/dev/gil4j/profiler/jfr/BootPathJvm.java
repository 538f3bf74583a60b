package dev.gil4j.profiler.jfr;

import dev.gil4j.testkit.Child;
import dev.gil4j.testkit.Jdk;
import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A child JVM with gil4j's profiler classes on its boot class path, as the agent puts them, and the
 * test classes on its class path; started by the testkit's {@link Child}, whose hard timeout dumps
 * the child's threads before it is killed.
 */
final class BootPathJvm {
  /** Room for a line to wait for and an exit to wait for, 60 s each. */
  static final Duration TIMEOUT = Duration.ofSeconds(150);

  /** How long one wait for a line or for the exit may take. */
  static final Duration WAIT = Duration.ofSeconds(60);

  private BootPathJvm() {}

  /** {@code mainClass args} on {@code jdk}, with {@code jvmArgs} after the boot class path. */
  static Child of(Jdk jdk, List<String> jvmArgs, String mainClass, String... args) {
    String boot =
        location(AgentRecording.class)
            + File.pathSeparator
            + location(org.HdrHistogram.Histogram.class);
    return Child.java(jdk, List.of(Path.of(location(BootPathJvm.class))), mainClass)
        .withJvmOptions("-Xbootclasspath/a:" + boot)
        .withJvmOptions(jvmArgs)
        .withArgs(args)
        .withTimeout(TIMEOUT);
  }

  private static String location(Class<?> c) {
    try {
      return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}

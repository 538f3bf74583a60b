package dev.gil4j.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * A JDK installation that child JVMs run on, named for test display ({@code JDK 17}).
 *
 * <p>{@link #available()} is the JDK the tests themselves run on plus the one named by the system
 * property {@code gil4j.jdk25} when that directory holds a JDK; use it as a JUnit {@code
 * MethodSource} ({@code "dev.gil4j.it.Jdk#available"}) to run a test once per JDK.
 */
public record Jdk(String name, Path home) {

  /** The JDKs installed here that the children should run on, the test JVM's own first. */
  public static Stream<Jdk> available() {
    Map<Path, Jdk> jdks = new LinkedHashMap<>();
    add(jdks, Path.of(System.getProperty("java.home")));
    String second = System.getProperty("gil4j.jdk25", "");
    if (!second.isBlank() && Files.isExecutable(Path.of(second, "bin", "java"))) {
      add(jdks, Path.of(second));
    }
    return jdks.values().stream();
  }

  private static void add(Map<Path, Jdk> jdks, Path home) {
    try {
      // Two directories may be the same JDK (a symlinked alias), which would run every test twice.
      Path real = home.toRealPath();
      jdks.putIfAbsent(real, new Jdk("JDK " + featureVersion(real), real));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String featureVersion(Path home) throws IOException {
    Path file = home.resolve("release");
    if (!Files.exists(file)) {
      return home.getFileName().toString();
    }
    Properties release = new Properties();
    try (var in = Files.newInputStream(file)) {
      release.load(in);
    }
    String version = release.getProperty("JAVA_VERSION", "\"unknown\"").replace("\"", "");
    int dot = version.indexOf('.');
    return dot < 0 ? version : version.substring(0, dot);
  }

  /** The {@code java} launcher. */
  public Path java() {
    return tool("java");
  }

  /** A tool in this JDK's {@code bin} directory, such as {@code jcmd}. */
  public Path tool(String name) {
    return home.resolve("bin").resolve(name);
  }

  @Override
  public String toString() {
    return name;
  }
}

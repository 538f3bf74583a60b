package dev.gil4j.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * A JDK installation that children run on, named for display by its feature version ({@code JDK
 * 17}).
 *
 * <p>{@link #available()} is the JDK the caller itself runs on plus the one named by the system
 * property {@code gil4j.jdk25} when that directory holds a JDK; use it as a JUnit {@code
 * MethodSource} ({@code "dev.gil4j.testkit.Jdk#available"}) to run a test once per JDK.
 *
 * @param name {@code JDK <feature version>}, or the directory's name if it has no {@code release}
 * @param home the JDK's home directory
 */
public record Jdk(String name, Path home) {

  /** The JDKs installed here that children should run on, the caller's own first. */
  public static Stream<Jdk> available() {
    Map<Path, Jdk> jdks = new LinkedHashMap<>();
    Jdk current = current();
    jdks.put(current.home(), current);
    String second = System.getProperty("gil4j.jdk25", "");
    if (!second.isBlank() && Files.isExecutable(Path.of(second, "bin", "java"))) {
      Jdk other = at(Path.of(second));
      jdks.putIfAbsent(other.home(), other);
    }
    return jdks.values().stream();
  }

  /** The JDK this JVM runs on. */
  public static Jdk current() {
    return at(Path.of(System.getProperty("java.home")));
  }

  /** The JDK at {@code home}, by its real path: two directories may be one JDK (an alias). */
  public static Jdk at(Path home) {
    try {
      Path real = home.toRealPath();
      String version = releaseVersion(real);
      if (version == null) {
        return new Jdk(real.getFileName().toString(), real);
      }
      int dot = version.indexOf('.');
      return new Jdk("JDK " + (dot < 0 ? version : version.substring(0, dot)), real);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Its full {@code JAVA_VERSION} ({@code 17.0.13}), or {@link #name()} if it has no release. */
  public String version() {
    try {
      String version = releaseVersion(home);
      return version == null ? name : version;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String releaseVersion(Path home) throws IOException {
    Path file = home.resolve("release");
    if (!Files.exists(file)) {
      return null;
    }
    Properties release = new Properties();
    try (var in = Files.newInputStream(file)) {
      release.load(in);
    }
    return release.getProperty("JAVA_VERSION", "\"unknown\"").replace("\"", "");
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

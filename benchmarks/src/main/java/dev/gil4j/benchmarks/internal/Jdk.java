package dev.gil4j.benchmarks.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JDK to run benchmarks on, named by the version in its {@code release} file.
 *
 * @param home the JDK's home directory
 * @param version its {@code JAVA_VERSION}, or the directory's name if it has no {@code release}
 */
public record Jdk(Path home, String version) {
  /** The JDK at {@code home}. */
  public static Jdk at(Path home) throws IOException {
    Path release = home.resolve("release");
    String version = home.getFileName().toString();
    if (Files.exists(release)) {
      Matcher m = Pattern.compile("JAVA_VERSION=\"([^\"]+)\"").matcher(Files.readString(release));
      if (m.find()) {
        version = m.group(1);
      }
    }
    return new Jdk(home, version);
  }

  /** Its {@code java} executable. */
  public String java() {
    return home.resolve("bin").resolve("java").toString();
  }
}

package dev.gil4j.lab;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The agent jar that the lab's commands run from and run their children under, and gil4j's sample
 * applications, which travel inside the agent jar as a jar of their own: {@code demo} and {@code
 * fidelity} run them in child JVMs with this class path — the samples, then the agent jar for the
 * {@code multiprocessing} classes they use.
 */
final class Bundled {
  private static final String RESOURCE = "gil4j-sample-apps.jar";

  private Bundled() {}

  /**
   * Copies the samples out of the agent jar into a temporary file removed at exit, and returns the
   * class path that runs them.
   */
  static String sampleClassPath(Path agentJar) throws IOException {
    Path jar = Files.createTempFile("gil4j-sample-apps-", ".jar");
    jar.toFile().deleteOnExit();
    try (InputStream in = Bundled.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IOException(
            "the sample apps are missing from " + agentJar + "; rebuild it with mvn package");
      }
      Files.copy(in, jar, StandardCopyOption.REPLACE_EXISTING);
    }
    return jar + java.io.File.pathSeparator + agentJar;
  }

  /** The agent jar this command runs from: every child runs under it. */
  static Path agentJar() {
    try {
      Path path =
          Path.of(Bundled.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      if (Files.isRegularFile(path)) {
        return path;
      }
    } catch (URISyntaxException | SecurityException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        "this command runs from the agent jar: java -jar agent/target/gil4j-agent.jar ...");
  }
}

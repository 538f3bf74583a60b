package dev.gil4j.it.isolation;

import dev.gil4j.it.isolation.boot.Fault;
import dev.gil4j.testkit.Child;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import net.bytebuddy.ByteBuddy;
import org.objectweb.asm.ClassReader;

/**
 * The jars the isolation tests give their child JVMs: the fault agent, built here from the test
 * classes, and the application libraries (ASM, ByteBuddy) found where Maven put them.
 */
final class TestJars {
  /** The test classes: the children's mains, and the fault agent's classes. */
  static final Path TEST_CLASSES = Path.of("target/test-classes").toAbsolutePath();

  /** The agent jar under test. */
  static final Path AGENT_JAR = Child.agentJar();

  private static final Path DIR = Path.of("target/isolation").toAbsolutePath();
  private static final String BOOT_JAR = "fault-boot.jar";
  private static Path faultAgent;

  private TestJars() {}

  /** ASM, as the application sees it: not gil4j's shaded copy. */
  static Path asm() {
    return jarOf(ClassReader.class);
  }

  /** ByteBuddy, as the application sees it: not gil4j's shaded copy. */
  static Path byteBuddy() {
    return jarOf(ByteBuddy.class);
  }

  /**
   * The {@link FaultAgent} jar, built once per test JVM from the current test classes: a manifest
   * naming {@code FaultAgent} as its {@code Premain-Class} (found on the child's class path, beside
   * ASM) and, in {@code Boot-Class-Path}, a jar beside it holding only {@link Fault}, which the JVM
   * appends to the bootstrap class path before the agent starts.
   */
  static synchronized Path faultAgent() {
    if (faultAgent != null) {
      return faultAgent;
    }
    try {
      Files.createDirectories(DIR);
      Manifest bootManifest = new Manifest();
      bootManifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
      Path boot = DIR.resolve(BOOT_JAR);
      try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(boot), bootManifest)) {
        for (Class<?> c : List.of(Fault.class, Fault.Injected.class)) {
          String entry = c.getName().replace('.', '/') + ".class";
          jar.putNextEntry(new JarEntry(entry));
          Files.copy(TEST_CLASSES.resolve(entry), jar);
          jar.closeEntry();
        }
      }
      Manifest manifest = new Manifest();
      Attributes main = manifest.getMainAttributes();
      main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
      main.putValue("Premain-Class", FaultAgent.class.getName());
      main.putValue("Boot-Class-Path", BOOT_JAR);
      Path agent = DIR.resolve("fault-agent.jar");
      try (OutputStream out = new JarOutputStream(Files.newOutputStream(agent), manifest)) {
        out.flush();
      }
      faultAgent = agent;
      return agent;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The jar Maven put {@code c} in, on this test JVM's class path. */
  static Path jarOf(Class<?> c) {
    try {
      return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}

package dev.gil4j.it.isolation;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import jdk.jfr.Recording;
import net.jpountz.lz4.LZ4Factory;
import org.openjdk.jmc.common.item.IItemCollection;
import org.openjdk.jmc.common.item.IItemIterable;
import org.openjdk.jmc.flightrecorder.JfrLoaderToolkit;

/**
 * An application that ships libraries gil4j's command-line tool also uses — lz4-java and JMC's core
 * parser — and must get its own copies, and nothing of gil4j's but its runtime: {@code java …
 * OwnLibraries DIR}. It compresses and decompresses a buffer with the fastest LZ4 its own lz4-java
 * offers, records a short JFR recording into {@code DIR} and reads it back with its own JMC, then
 * prints one line per library ({@code lz4 LOADER JAR FACTORY}, {@code jmc LOADER JAR EVENTS}) and
 * {@code hidden NAME} or {@code visible NAME} for classes that only gil4j's agent has. It prints
 * {@code ok} and exits 0 if the round trip and the read succeeded.
 */
public final class OwnLibraries {
  /** Classes in gil4j's agent jar that are not its runtime: an application must not see them. */
  static final String[] AGENT_ONLY = {
    "dev.gil4j.shaded.bytebuddy.ByteBuddy",
    "dev.gil4j.shaded.asm.ClassReader",
    "dev.gil4j.agent.internal.AgentInstaller",
    "dev.gil4j.options.Options",
    "dev.gil4j.analysis.ReportCommand",
    "dev.gil4j.lab.Demo",
    "org.owasp.encoder.Encode",
  };

  private OwnLibraries() {}

  public static void main(String[] args) throws Exception {
    byte[] data =
        "gil4j leaves the application's libraries alone. "
            .repeat(2000)
            .getBytes(StandardCharsets.UTF_8);
    LZ4Factory lz4 = LZ4Factory.fastestInstance();
    byte[] packed = lz4.fastCompressor().compress(data);
    byte[] unpacked = lz4.fastDecompressor().decompress(packed, data.length);
    System.out.println("lz4 " + origin(LZ4Factory.class) + " " + lz4);

    Path file = Path.of(args[0], "own-libraries-" + ProcessHandle.current().pid() + ".jfr");
    try (Recording r = new Recording()) {
      r.enable("jdk.ThreadSleep").withoutThreshold();
      r.start();
      for (int i = 0; i < 5; i++) {
        Thread.sleep(2);
      }
      r.stop();
      r.dump(file);
    }
    IItemCollection items = JfrLoaderToolkit.loadEvents(new File(file.toString()));
    long events = 0;
    for (IItemIterable it : items) {
      events += it.getItemCount();
    }
    Files.delete(file);
    System.out.println("jmc " + origin(JfrLoaderToolkit.class) + " " + events);

    for (String name : AGENT_ONLY) {
      try {
        Class.forName(name);
        System.out.println("visible " + name);
      } catch (ClassNotFoundException e) {
        System.out.println("hidden " + name);
      }
    }
    boolean ok = Arrays.equals(data, unpacked) && packed.length < data.length && events > 0;
    System.out.println(ok ? "ok" : "FAILED");
    System.exit(ok ? 0 : 1);
  }

  /** The loader ({@code boot} for the bootstrap loader) and the jar a class came from. */
  private static String origin(Class<?> c) {
    ClassLoader loader = c.getClassLoader();
    var source = c.getProtectionDomain().getCodeSource();
    return (loader == null ? "boot" : loader.getName())
        + " "
        + (source == null ? "none" : new File(source.getLocation().getPath()).getName());
  }
}

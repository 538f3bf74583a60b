package dev.gil4j.agent;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.security.cert.Certificate;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Loads gil4j's agent internals, the command-line tool and their libraries (ASM, JMC, the lab) from
 * the {@code inst/} folder of the agent jar, where no application class loader looks. Only the
 * runtime that instrumented code calls sits at the jar's root, which the agent appends to the
 * bootstrap class path.
 *
 * <p>Parent first: the JDK and, through the parent, gil4j's runtime come from the same classes the
 * application sees. Classes are defined with the agent jar as their code source, so that commands
 * find the jar they run from.
 *
 * <p>The classes the agent loads at every start (its own, ASM's, the options') come from {@code
 * inst/agent.pack}, which the build writes ({@code agent/src/build/java}) and this loader reads
 * whole when it is made: each class file looked up and inflated on its own from the jar cost more
 * than defining it, in the interpreter the agent's start runs in (JDK 17: 38 ms for 73 of ASM's
 * classes, against 10 ms to read the pack). The pack's classes are in the jar too, as resources.
 *
 * <p>What only the command-line tool loads (the lab, the analysis, JMC and its libraries, their
 * resources) is a jar of its own inside this one, {@code inst/cli.jar}, so that the agent jar that
 * every JVM with the agent opens has few entries to read ({@link #forTool}).
 */
final class AgentClassLoader extends ClassLoader {
  static final String PREFIX = "inst/";
  private static final String PACK = PREFIX + "agent.pack";
  private static final String TOOL = PREFIX + "cli.jar";

  /** The JDK's native reads copy up to this many bytes through a buffer on the stack. */
  private static final int READ = 8192;

  static {
    registerAsParallelCapable();
  }

  private final JarFile jar;
  private final URL root;
  private final ProtectionDomain domain;

  /** The pack's bytes, and where in them each of its class files starts, by binary name. */
  private final byte[] pack;

  private final Map<String, Integer> packed = new HashMap<>();

  /** The command-line tool's jar, copied out of the agent jar; null for the agent. */
  private final JarFile tool;

  private final URL toolRoot;

  /** The agent's loader: its own classes, from the pack. */
  AgentClassLoader(File file, ClassLoader parent) throws IOException {
    this(file, parent, false);
  }

  /**
   * The command-line tool's loader: the pack's classes and those of {@code inst/cli.jar}, which is
   * copied to a temporary file, deleted when the JVM exits (the JDK reads a jar only from a file).
   */
  static AgentClassLoader forTool(File file, ClassLoader parent) throws IOException {
    return new AgentClassLoader(file, parent, true);
  }

  private AgentClassLoader(File file, ClassLoader parent, boolean forTool) throws IOException {
    super("gil4j", parent);
    jar = new JarFile(file, false);
    root = new URL("jar:" + file.toURI() + "!/");
    domain =
        new ProtectionDomain(
            new CodeSource(file.toURI().toURL(), (Certificate[]) null), null, this, null);
    JarEntry entry = jar.getJarEntry(PACK);
    if (entry == null) {
      throw new IOException("no " + PACK + " in " + file);
    }
    // Read straight into an array of its size: one copy of 480 kB, not two (first touches of fresh
    // memory are a good part of the cost). The jar stores the pack uncompressed: inflating it was
    // half of this constructor's time.
    pack = new byte[(int) entry.getSize()];
    try (InputStream in = jar.getInputStream(entry)) {
      // In reads of at most READ bytes, which the JDK's native read passes through a buffer on the
      // stack; a larger one mallocs a buffer of its size and touches it afresh (the pack's entry
      // found and read: 4.5-5 ms in one read, 2.5 ms in these).
      for (int at = 0; at < pack.length; ) {
        int n = in.read(pack, at, Math.min(READ, pack.length - at));
        if (n < 0) {
          throw new IOException(PACK + " in " + file + " is shorter than its entry says");
        }
        at += n;
      }
    }
    // For each class: its name's length (2 bytes) and ASCII bytes, its file's length (4) and bytes.
    for (int at = 0; at < pack.length; ) {
      int nameLength = (pack[at] & 0xFF) << 8 | (pack[at + 1] & 0xFF);
      String name = new String(pack, at + 2, nameLength, StandardCharsets.ISO_8859_1);
      at += 2 + nameLength;
      packed.put(name, at);
      at += 4 + fileLength(at);
    }
    if (forTool) {
      File copy = copyTool(file);
      tool = new JarFile(copy, false);
      toolRoot = new URL("jar:" + copy.toURI() + "!/");
    } else {
      tool = null;
      toolRoot = null;
    }
  }

  private File copyTool(File file) throws IOException {
    JarEntry entry = jar.getJarEntry(TOOL);
    if (entry == null) {
      throw new IOException("no " + TOOL + " in " + file);
    }
    Path copy = Files.createTempFile("gil4j-cli-", ".jar");
    copy.toFile().deleteOnExit();
    try (InputStream in = jar.getInputStream(entry)) {
      Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
    }
    return copy.toFile();
  }

  private int fileLength(int at) {
    return (pack[at] & 0xFF) << 24
        | (pack[at + 1] & 0xFF) << 16
        | (pack[at + 2] & 0xFF) << 8
        | (pack[at + 3] & 0xFF);
  }

  @Override
  protected Class<?> findClass(String name) throws ClassNotFoundException {
    int dot = name.lastIndexOf('.');
    Integer at = packed.get(name);
    if (at != null) {
      if (dot > 0) {
        definePackageOnce(name.substring(0, dot));
      }
      return defineClass(name, pack, at + 4, fileLength(at), domain);
    }
    JarEntry entry = tool == null ? null : tool.getJarEntry(name.replace('.', '/') + ".class");
    if (entry == null) {
      throw new ClassNotFoundException(name);
    }
    byte[] bytes;
    try (InputStream in = tool.getInputStream(entry)) {
      bytes = in.readAllBytes();
    } catch (IOException e) {
      throw new ClassNotFoundException(name, e);
    }
    if (dot > 0) {
      definePackageOnce(name.substring(0, dot));
    }
    return defineClass(name, bytes, 0, bytes.length, domain);
  }

  private void definePackageOnce(String name) {
    if (getDefinedPackage(name) == null) {
      try {
        definePackage(name, null, null, null, null, null, null, null);
      } catch (IllegalArgumentException definedMeanwhile) {
        // another thread defined it first: the same package
      }
    }
  }

  @Override
  protected URL findResource(String name) {
    try {
      if (tool != null && tool.getJarEntry(name) != null) {
        return new URL(toolRoot, name);
      }
      return jar.getJarEntry(PREFIX + name) == null ? null : new URL(root, PREFIX + name);
    } catch (MalformedURLException e) {
      return null;
    }
  }

  @Override
  protected Enumeration<URL> findResources(String name) {
    URL url = findResource(name);
    return url == null ? Collections.emptyEnumeration() : Collections.enumeration(List.of(url));
  }
}

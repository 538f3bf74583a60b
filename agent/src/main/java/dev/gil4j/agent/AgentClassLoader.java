package dev.gil4j.agent;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URL;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.security.cert.Certificate;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Loads gil4j's agent internals, the command-line tool and their libraries (ByteBuddy, ASM, JMC,
 * the lab) from the {@code inst/} folder of the agent jar, where no application class loader looks.
 * Only the runtime that instrumented code calls sits at the jar's root, which the agent appends to
 * the bootstrap class path.
 *
 * <p>Parent first: the JDK and, through the parent, gil4j's runtime come from the same classes the
 * application sees. Classes are defined with the agent jar as their code source, so that commands
 * find the jar they run from.
 */
final class AgentClassLoader extends ClassLoader {
  static final String PREFIX = "inst/";

  static {
    registerAsParallelCapable();
  }

  private final JarFile jar;
  private final URL root;
  private final ProtectionDomain domain;

  AgentClassLoader(File file, ClassLoader parent) throws IOException {
    super("gil4j", parent);
    jar = new JarFile(file, false);
    root = new URL("jar:" + file.toURI() + "!/");
    domain =
        new ProtectionDomain(
            new CodeSource(file.toURI().toURL(), (Certificate[]) null), null, this, null);
  }

  @Override
  protected Class<?> findClass(String name) throws ClassNotFoundException {
    JarEntry entry = jar.getJarEntry(PREFIX + name.replace('.', '/') + ".class");
    if (entry == null) {
      throw new ClassNotFoundException(name);
    }
    byte[] bytes;
    try (InputStream in = jar.getInputStream(entry)) {
      bytes = in.readAllBytes();
    } catch (IOException e) {
      throw new ClassNotFoundException(name, e);
    }
    int dot = name.lastIndexOf('.');
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
    if (jar.getJarEntry(PREFIX + name) == null) {
      return null;
    }
    try {
      return new URL(root, PREFIX + name);
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

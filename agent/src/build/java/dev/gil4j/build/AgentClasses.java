package dev.gil4j.build;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;

/**
 * A step of the agent's build that prepares the classes the agent loads at every start (its own,
 * ASM's, the options'), unpacked under a directory:
 *
 * <ol>
 *   <li>Rewrites every class file whose version is below Java 6's (ASM's own, version 49) as a Java
 *       8 class file, with stack map frames, then loads each in a fresh class loader, which
 *       verifies it, and fails the build on any error. The JVM verifies the agent class loader's
 *       classes at every start, and a class file without frames goes to its old type-inferring
 *       verifier, several times slower than the type checker that reads them (JDK 17: verifier time
 *       of a hello world under the agent 17–19 ms, 4–11 ms with frames). Their debug attributes
 *       (source file, line numbers, local variables) go: the JVM parses every byte of a class file
 *       it defines, and gil4j never shows a stack trace of ASM's (ASM's classes: 30% smaller).
 *   <li>Writes all the class files into one file, the pack, which the agent's class loader reads
 *       whole at its start: reading a hundred class files one by one from the jar cost more than
 *       defining them (JDK 17, 73 of ASM's: 38 ms of jar lookups and inflating, in the interpreter,
 *       against 10 ms to read the pack).
 * </ol>
 *
 * <p>The pack: for each class, its binary name's length (2 bytes, big-endian) and ASCII bytes, then
 * its class file's length (4 bytes) and bytes; {@code AgentClassLoader} reads it.
 *
 * <p>Usage: {@code AgentClasses DIR PACK}. Superclasses are looked up under {@code DIR}, then on
 * this program's class path (the JDK's classes).
 */
public final class AgentClasses {
  private final Path root;
  private final Map<String, ClassReader> readers = new HashMap<>();

  private AgentClasses(Path root) {
    this.root = root;
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: AgentClasses DIR PACK");
      System.exit(2);
    }
    Path root = Path.of(args[0]);
    List<Path> files = new ArrayList<>();
    try (Stream<Path> all = Files.walk(root)) {
      all.filter(p -> p.toString().endsWith(".class")).sorted().forEach(files::add);
    }
    AgentClasses classes = new AgentClasses(root);
    List<String> upgraded = new ArrayList<>();
    for (Path p : files) {
      byte[] original = Files.readAllBytes(p);
      if ((new ClassReader(original).readShort(6) & 0xFFFF) < Opcodes.V1_6) {
        Files.write(p, classes.upgrade(original));
        upgraded.add(classes.name(p));
      }
    }
    classes.verify(upgraded);
    try (DataOutputStream pack =
        new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(Path.of(args[1]))))) {
      for (Path p : files) {
        byte[] name = classes.name(p).getBytes(StandardCharsets.US_ASCII);
        byte[] file = Files.readAllBytes(p);
        pack.writeShort(name.length);
        pack.write(name);
        pack.writeInt(file.length);
        pack.write(file);
      }
    }
    System.out.println(
        "AgentClasses: "
            + upgraded.size()
            + " class files given frames, "
            + files.size()
            + " packed into "
            + args[1]);
  }

  /** The binary name of the class in file {@code p}. */
  private String name(Path p) {
    String file = root.relativize(p).toString().replace('\\', '/');
    return file.substring(0, file.length() - ".class".length()).replace('/', '.');
  }

  private byte[] upgrade(byte[] original) {
    ClassReader reader = new ClassReader(original);
    ClassWriter writer =
        new ClassWriter(ClassWriter.COMPUTE_FRAMES) {
          @Override
          protected String getCommonSuperClass(String a, String b) {
            return commonSuperClass(a, b);
          }
        };
    reader.accept(
        new ClassVisitor(Opcodes.ASM9, writer) {
          @Override
          public void visit(
              int version,
              int access,
              String name,
              String signature,
              String superName,
              String[] interfaces) {
            super.visit(Opcodes.V1_8, access, name, signature, superName, interfaces);
          }
        },
        ClassReader.SKIP_FRAMES | ClassReader.SKIP_DEBUG);
    return writer.toByteArray();
  }

  /** Loads and links every upgraded class: the JVM verifies each. */
  private void verify(List<String> names) throws Exception {
    ClassLoader loader =
        new ClassLoader(ClassLoader.getPlatformClassLoader()) {
          @Override
          protected Class<?> findClass(String name) throws ClassNotFoundException {
            Path p = root.resolve(name.replace('.', '/') + ".class");
            try {
              byte[] b = Files.readAllBytes(p);
              return defineClass(name, b, 0, b.length);
            } catch (IOException e) {
              throw new ClassNotFoundException(name, e);
            }
          }
        };
    for (String name : names) {
      Class.forName(name, true, loader);
    }
  }

  /** The nearest common superclass of two internal names, as {@link ClassWriter} needs it. */
  private String commonSuperClass(String a, String b) {
    if (assignable(a, b)) {
      return a;
    }
    if (assignable(b, a)) {
      return b;
    }
    if (isInterface(a) || isInterface(b)) {
      return "java/lang/Object";
    }
    String s = a;
    do {
      s = reader(s).getSuperName();
    } while (!assignable(s, b));
    return s;
  }

  /** Whether a value of type {@code from} is a {@code to}. */
  private boolean assignable(String to, String from) {
    if (to.equals(from) || to.equals("java/lang/Object")) {
      return true;
    }
    ClassReader r = reader(from);
    if (r.getSuperName() != null && assignable(to, r.getSuperName())) {
      return true;
    }
    for (String i : r.getInterfaces()) {
      if (assignable(to, i)) {
        return true;
      }
    }
    return false;
  }

  private boolean isInterface(String name) {
    return (reader(name).getAccess() & Opcodes.ACC_INTERFACE) != 0;
  }

  private ClassReader reader(String name) {
    return readers.computeIfAbsent(
        name,
        n -> {
          try {
            Path p = root.resolve(n + ".class");
            if (Files.exists(p)) {
              return new ClassReader(Files.readAllBytes(p));
            }
            try (InputStream in = ClassLoader.getSystemResourceAsStream(n + ".class")) {
              if (in == null) {
                throw new IllegalStateException("no class file for " + n);
              }
              return new ClassReader(in);
            }
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }
}

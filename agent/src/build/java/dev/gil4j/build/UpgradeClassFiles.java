package dev.gil4j.build;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
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
 * A step of the agent's build: rewrites every class file under a directory whose version is below
 * Java 6's (ASM's own, version 49) as a Java 8 class file, with stack map frames, then loads each
 * one in a fresh class loader, which verifies it, and fails the build on any error.
 *
 * <p>Why: the JVM verifies the classes of the agent's class loader at every start, and a class file
 * without stack map frames goes to its old type-inferring verifier, several times slower than the
 * type checker that reads the frames: measured on JDK 17, 25–60 ms of verifier time of a hello
 * world's start-up under the agent was ASM's, half of it gone with frames.
 *
 * <p>Usage: {@code UpgradeClassFiles DIR}. Superclasses are looked up under {@code DIR}, then on
 * this program's class path (the JDK's classes).
 */
public final class UpgradeClassFiles {
  private final Path root;
  private final Map<String, ClassReader> readers = new HashMap<>();

  private UpgradeClassFiles(Path root) {
    this.root = root;
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: UpgradeClassFiles DIR");
      System.exit(2);
    }
    Path root = Path.of(args[0]);
    List<Path> files = new ArrayList<>();
    try (Stream<Path> all = Files.walk(root)) {
      all.filter(p -> p.toString().endsWith(".class")).forEach(files::add);
    }
    UpgradeClassFiles upgrade = new UpgradeClassFiles(root);
    List<String> names = new ArrayList<>();
    for (Path p : files) {
      byte[] original = Files.readAllBytes(p);
      if ((new ClassReader(original).readShort(6) & 0xFFFF) >= Opcodes.V1_6) {
        continue;
      }
      Files.write(p, upgrade.upgrade(original));
      String file = root.relativize(p).toString().replace('\\', '/');
      names.add(file.substring(0, file.length() - ".class".length()).replace('/', '.'));
    }
    upgrade.verify(names);
    System.out.println("UpgradeClassFiles: " + names.size() + " class files in " + root);
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
        ClassReader.SKIP_FRAMES);
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

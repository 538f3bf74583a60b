package dev.gil4j.it.isolation;

import dev.gil4j.it.isolation.boot.Fault;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * A second Java agent, given before gil4j's on the command line, that makes named methods of
 * gil4j's own classes throw: {@code -javaagent:fault-agent.jar=sites=CLASS.METHOD|CLASS.METHOD,
 * every=N} weaves a call to {@link Fault#trip} at the entry of every method of that name, so that
 * every N-th call to it throws {@link Fault.Injected} before its first instruction — a real failure
 * inside gil4j, thrown from where gil4j's code runs, with no mock and no change to gil4j.
 *
 * <p>Loaded first, it sees gil4j's classes as they load (from the system class path, then from the
 * bootstrap path gil4j appends), including the ones gil4j's {@code premain} itself runs. Its jar,
 * built by the test, names the jar holding {@link Fault} in {@code Boot-Class-Path}, where gil4j's
 * bootstrap classes can call it; ASM comes from the child's class path.
 */
public final class FaultAgent {
  private static final String FAULT = Fault.class.getName().replace('.', '/');

  private FaultAgent() {}

  public static void premain(String args, Instrumentation inst) {
    List<String> sites = new ArrayList<>();
    int every = 1;
    for (String pair : args.split(",")) {
      String[] kv = pair.split("=", 2);
      switch (kv[0]) {
        case "sites" -> sites.addAll(List.of(kv[1].split("\\|")));
        case "every" -> every = Integer.parseInt(kv[1]);
        default -> throw new IllegalArgumentException("fault agent: unknown option " + pair);
      }
    }
    Map<String, Map<String, Integer>> byClass = new HashMap<>();
    for (int i = 0; i < sites.size(); i++) {
      String site = sites.get(i);
      int dot = site.lastIndexOf('.');
      byClass
          .computeIfAbsent(site.substring(0, dot).replace('.', '/'), k -> new HashMap<>())
          .put(site.substring(dot + 1), i);
    }
    Fault.configure(sites.toArray(new String[0]), every);
    inst.addTransformer(new Weaver(byClass));
  }

  /** Weaves {@code Fault.trip(site)} at the entry of the named methods. */
  private static final class Weaver implements ClassFileTransformer {
    private final Map<String, Map<String, Integer>> byClass;

    Weaver(Map<String, Map<String, Integer>> byClass) {
      this.byClass = byClass;
    }

    @Override
    public byte[] transform(
        ClassLoader loader,
        String className,
        Class<?> redefined,
        ProtectionDomain domain,
        byte[] classFile) {
      Map<String, Integer> methods = className == null ? null : byClass.get(className);
      if (methods == null) {
        return null;
      }
      try {
        ClassReader reader = new ClassReader(classFile);
        ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
        reader.accept(new Entries(writer, methods), 0);
        return writer.toByteArray();
      } catch (Throwable t) {
        System.err.println("fault agent: could not weave " + className + ": " + t);
        return null;
      }
    }
  }

  private static final class Entries extends ClassVisitor {
    private final Map<String, Integer> methods;

    Entries(ClassVisitor next, Map<String, Integer> methods) {
      super(Opcodes.ASM9, next);
      this.methods = methods;
    }

    @Override
    public MethodVisitor visitMethod(
        int access, String name, String descriptor, String signature, String[] exceptions) {
      MethodVisitor mv = super.visitMethod(access, name, descriptor, signature, exceptions);
      Integer site = methods.get(name);
      if (site == null || (access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0) {
        return mv;
      }
      Fault.woven(site);
      return new MethodVisitor(Opcodes.ASM9, mv) {
        @Override
        public void visitCode() {
          super.visitCode();
          // The stack is empty on entry: the frames that follow stay valid.
          super.visitLdcInsn(site);
          super.visitMethodInsn(Opcodes.INVOKESTATIC, FAULT, "trip", "(I)V", false);
        }
      };
    }
  }
}

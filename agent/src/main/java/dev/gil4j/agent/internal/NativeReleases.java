package dev.gil4j.agent.internal;

import dev.gil4j.runtime.Hooks;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.FrameNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.InsnNode;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.LdcInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TryCatchBlockNode;
import org.objectweb.asm.tree.VarInsnNode;

/**
 * Native methods of libraries as places where the GIL may be released, as CPython's extension
 * modules release it around their blocking C calls: each native method {@code m} of an application
 * or library class becomes {@value #PREFIX}{@code m}, still native, and a Java method {@code m}
 * with the original signature calls it between {@code Hooks.enterNative} and {@code
 * Hooks.exitNative}. The JVM binds the prefixed method to the library's code ({@code
 * Instrumentation.setNativeMethodPrefix}: both the JNI name lookup and {@code RegisterNatives} try
 * the name without the prefix), so the library needs no change.
 *
 * <p>Which calls release it is learned (see {@code GilCore#enterNative}): a native call that
 * returns at once or computes keeps the GIL; one that sleeps while another thread waits for the GIL
 * gives it up, and so, from then on, does every call of that method made while a thread waits.
 * Natives that must keep the GIL even asleep are named by the {@code keepgil} option and left
 * unwrapped.
 *
 * <p>Adds methods, so it applies only when a class is first loaded, never on retransformation.
 */
final class NativeReleases {
  /** The JVM resolves {@code gil4j$m} to the library's {@code m}. */
  static final String PREFIX = "gil4j$";

  /**
   * The system property in which JNA reads a profiler's native-method prefix: its direct mapping
   * ({@code Native.register}) looks up each native method's C function by the method's name, which
   * is {@value #PREFIX}{@code m} once wrapped ({@code undefined symbol: gil4j$m}, and the class
   * fails to initialize), and strips this prefix first.
   */
  static final String JNA_PREFIX_PROPERTY = "jna.profiler.prefix";

  private NativeReleases() {}

  /**
   * Tells JNA the prefix its direct-mapped natives carry, unless the application set one (JNA
   * strips a single prefix; YourKit's is its default).
   */
  static void tellJna() {
    if (System.getProperty(JNA_PREFIX_PROPERTY) == null) {
      System.setProperty(JNA_PREFIX_PROPERTY, PREFIX);
    }
  }

  /**
   * The class file with its native methods wrapped, or null if it has none to wrap.
   *
   * @param keep native methods, as {@code pkg.Class.method}, that keep the GIL unwrapped
   */
  static byte[] wrap(byte[] classFile, Predicate<String> keep) {
    ClassReader reader = new ClassReader(classFile);
    if (!hasNatives(reader)) {
      return null;
    }
    ClassNode cn = new ClassNode();
    reader.accept(cn, 0);
    if ((cn.access & Opcodes.ACC_INTERFACE) != 0) {
      return null;
    }
    String className = cn.name.replace('/', '.');
    boolean frames = (cn.version & 0xFFFF) >= Opcodes.V1_6;
    List<MethodNode> renamed = new ArrayList<>();
    for (MethodNode m : cn.methods) {
      if ((m.access & Opcodes.ACC_NATIVE) == 0
          || m.name.startsWith(PREFIX)
          || keep.test(className + "." + m.name)) {
        continue;
      }
      renamed.add(nativeCopy(m));
      wrapperBody(m, cn.name, frames, Hooks.nativeMethod(className + "." + m.name));
    }
    if (renamed.isEmpty()) {
      return null;
    }
    cn.methods.addAll(renamed);
    ClassWriter writer = new ClassWriter(0);
    cn.accept(writer);
    return writer.toByteArray();
  }

  /** Reads only the methods' headers: most classes have no native method. */
  private static boolean hasNatives(ClassReader reader) {
    boolean[] found = {false};
    reader.accept(
        new ClassVisitor(Opcodes.ASM9) {
          @Override
          public MethodVisitor visitMethod(
              int access, String name, String descriptor, String signature, String[] exceptions) {
            found[0] |= (access & Opcodes.ACC_NATIVE) != 0;
            return null;
          }
        },
        ClassReader.SKIP_CODE | ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
    return found[0];
  }

  /** The library's method under the prefixed name: private, so only the wrapper calls it. */
  private static MethodNode nativeCopy(MethodNode m) {
    int access =
        (m.access
                & ~(Opcodes.ACC_PUBLIC
                    | Opcodes.ACC_PROTECTED
                    | Opcodes.ACC_SYNCHRONIZED
                    | Opcodes.ACC_VARARGS))
            | Opcodes.ACC_PRIVATE
            | Opcodes.ACC_SYNTHETIC;
    String[] exceptions = m.exceptions.toArray(new String[0]);
    return new MethodNode(Opcodes.ASM9, access, PREFIX + m.name, m.desc, null, exceptions);
  }

  /**
   * Turns {@code m} into {@code entered = enterNative(id); try { return PREFIX+m(args); } finally {
   * exitNative(entered); }}, keeping its name, signature, access (but native) and annotations.
   */
  private static void wrapperBody(MethodNode m, String owner, boolean frames, int id) {
    boolean isStatic = (m.access & Opcodes.ACC_STATIC) != 0;
    m.access &= ~Opcodes.ACC_NATIVE;
    Type[] args = Type.getArgumentTypes(m.desc);
    Type ret = Type.getReturnType(m.desc);
    int argSlots = isStatic ? 0 : 1;
    for (Type a : args) {
      argSlots += a.getSize();
    }
    int token = argSlots;
    InsnList code = new InsnList();
    LabelNode start = new LabelNode();
    LabelNode end = new LabelNode();
    LabelNode handler = new LabelNode();
    code.add(new LdcInsnNode(id));
    code.add(hook("enterNative", "(I)I"));
    code.add(new VarInsnNode(Opcodes.ISTORE, token));
    code.add(start);
    int slot = 0;
    if (!isStatic) {
      code.add(new VarInsnNode(Opcodes.ALOAD, slot++));
    }
    for (Type a : args) {
      code.add(new VarInsnNode(a.getOpcode(Opcodes.ILOAD), slot));
      slot += a.getSize();
    }
    code.add(
        new MethodInsnNode(
            isStatic ? Opcodes.INVOKESTATIC : Opcodes.INVOKESPECIAL,
            owner,
            PREFIX + m.name,
            m.desc,
            false));
    code.add(end);
    code.add(new VarInsnNode(Opcodes.ILOAD, token));
    code.add(hook("exitNative", "(I)V"));
    code.add(new InsnNode(ret.getOpcode(Opcodes.IRETURN)));
    code.add(handler);
    if (frames) {
      List<Object> locals = new ArrayList<>();
      if (!isStatic) {
        locals.add(owner);
      }
      for (Type a : args) {
        locals.add(frameType(a));
      }
      locals.add(Opcodes.INTEGER);
      code.add(
          new FrameNode(
              Opcodes.F_NEW,
              locals.size(),
              locals.toArray(),
              1,
              new Object[] {"java/lang/Throwable"}));
    }
    code.add(new VarInsnNode(Opcodes.ILOAD, token));
    code.add(hook("exitNative", "(I)V"));
    code.add(new InsnNode(Opcodes.ATHROW));
    m.instructions = code;
    m.tryCatchBlocks = new ArrayList<>(List.of(new TryCatchBlockNode(start, end, handler, null)));
    m.maxLocals = argSlots + 1;
    m.maxStack = Math.max(argSlots, Math.max(ret.getSize() + 1, 2));
  }

  private static Object frameType(Type t) {
    return switch (t.getSort()) {
      case Type.BOOLEAN, Type.BYTE, Type.CHAR, Type.SHORT, Type.INT -> Opcodes.INTEGER;
      case Type.LONG -> Opcodes.LONG;
      case Type.FLOAT -> Opcodes.FLOAT;
      case Type.DOUBLE -> Opcodes.DOUBLE;
      default -> t.getInternalName();
    };
  }

  private static MethodInsnNode hook(String name, String desc) {
    return new MethodInsnNode(Opcodes.INVOKESTATIC, CheckpointWeaver.HOOKS, name, desc, false);
  }
}

package dev.gil4j.agent.internal;

import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.FieldVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.FieldInsnNode;
import org.objectweb.asm.tree.FieldNode;
import org.objectweb.asm.tree.FrameNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.VarInsnNode;

/**
 * Weaves {@link JdkAdvice} into the JDK methods a table of {@link JdkPoint}s names: plain ASM, one
 * class file in, one out, nothing else read. Each advised method gets its advice's entry code
 * first, its exit code before every return and, if the advice runs on exceptions too, in a
 * catch-all handler that rethrows, whose range leaves out the exit code itself.
 *
 * <p>Stack map frames are written here rather than computed: computing them needs the common
 * superclass of types, which loads classes — inside a transformation of {@code java.base}, while
 * the JVM loads another class. So the fresh locals are added to every frame of the body, and each
 * branch target in the advice gets a frame that declares only what the code after it reads.
 *
 * <p>Never throws: a class it cannot weave is left as it was, and said to {@code onError}.
 */
final class JdkWeaver implements ClassFileTransformer {
  /** The runtime's facades, as woven code names them. */
  static final String HOOKS = CheckpointWeaver.HOOKS;

  static final String PIPES = "dev/gil4j/profiler/Pipes";

  private final Map<String, List<JdkPoint>> byType = new HashMap<>();
  private final String hooks;
  private final String pipes;
  private final Consumer<String> onError;

  /**
   * A weaver of {@code points} whose advice calls the facades {@code hooks} and {@code pipes}
   * (internal names: {@link #HOOKS} and {@link #PIPES}, or a test's stand-ins).
   */
  JdkWeaver(List<JdkPoint> points, String hooks, String pipes, Consumer<String> onError) {
    for (JdkPoint p : points) {
      List<JdkPoint> same = byType.get(p.type());
      if (same == null) {
        same = new ArrayList<>();
        byType.put(p.type(), same);
      }
      same.add(p);
    }
    this.hooks = hooks;
    this.pipes = pipes;
    this.onError = onError;
  }

  @Override
  public byte[] transform(
      ClassLoader loader,
      String className,
      Class<?> redefined,
      ProtectionDomain domain,
      byte[] classFile) {
    // Every class the JVM loads passes here: only a map lookup for the ones without points, and no
    // class of ASM touched, so that loading ASM itself never recurses into ASM.
    List<JdkPoint> points = className == null ? null : byType.get(className);
    if (points == null) {
      return null;
    }
    try {
      return weave(classFile, points);
    } catch (Throwable t) {
      onError.accept(className.replace('/', '.') + ": " + t);
      return null;
    }
  }

  /**
   * The class with the advice of {@code points} woven in, or null if no method matched. Only the
   * advised methods are parsed; the others, and the constant pool, are copied as they are.
   */
  byte[] weave(byte[] classFile, List<JdkPoint> points) {
    ClassReader reader = new ClassReader(classFile);
    ClassWriter writer = new ClassWriter(reader, 0);
    Advising advising = new Advising(writer, points);
    advising.read(reader);
    return advising.changed ? writer.toByteArray() : null;
  }

  /** Passes a class through, wrapping the methods {@code points} name in their advice. */
  private final class Advising extends ClassVisitor {
    private final List<JdkPoint> points;
    private final List<FieldNode> fields = new ArrayList<>();
    private String name;
    boolean changed;

    Advising(ClassWriter writer, List<JdkPoint> points) {
      super(Opcodes.ASM9, writer);
      this.points = points;
    }

    /**
     * Reads {@code reader}'s class through this visitor. Here, not in {@link #weave}: passing this
     * as a {@code ClassVisitor} there would make the JVM load ASM's classes to verify the weaver,
     * at every start, before any class is woven.
     */
    void read(ClassReader reader) {
      reader.accept(this, ClassReader.EXPAND_FRAMES);
    }

    @Override
    public void visit(
        int version, int access, String name, String sig, String superName, String[] interfaces) {
      this.name = name;
      super.visit(version, access, name, sig, superName, interfaces);
    }

    @Override
    public FieldVisitor visitField(int access, String name, String desc, String sig, Object value) {
      fields.add(new FieldNode(access, name, desc, null, null));
      return super.visitField(access, name, desc, sig, value);
    }

    @Override
    public MethodVisitor visitMethod(
        int access, String method, String desc, String sig, String[] exceptions) {
      MethodVisitor out = super.visitMethod(access, method, desc, sig, exceptions);
      if ((access & (Opcodes.ACC_NATIVE | Opcodes.ACC_ABSTRACT)) != 0) {
        return out;
      }
      List<JdkAdvice> advice = new ArrayList<>();
      for (JdkPoint p : points) {
        if (p.matches(method, desc)) {
          advice.add(p.advice());
        }
      }
      if (advice.isEmpty()) {
        return out; // the writer's own: the method's bytes are copied
      }
      changed = true;
      return new MethodNode(Opcodes.ASM9, access, method, desc, sig, exceptions) {
        @Override
        public void visitEnd() {
          for (JdkAdvice a : advice) {
            AdviceCode.wrap(new Site(Advising.this.name, fields, this, a, hooks, pipes));
          }
          accept(out);
        }
      };
    }
  }

  /** One advised method, as {@link AdviceCode} writes code for it. */
  static final class Site {
    final String owner;
    final List<FieldNode> fields;
    final MethodNode method;
    final JdkAdvice advice;

    /** The first of the advice's locals, after the method's own. */
    final int slot;

    private final String hooks;
    private final String pipes;

    Site(
        String owner,
        List<FieldNode> fields,
        MethodNode method,
        JdkAdvice advice,
        String hooks,
        String pipes) {
      this.owner = owner;
      this.fields = fields;
      this.method = method;
      this.advice = advice;
      this.slot = method.maxLocals;
      this.hooks = hooks;
      this.pipes = pipes;
    }

    /** A call of the hook facade's static method. */
    MethodInsnNode hooks(String name, String desc) {
      return new MethodInsnNode(Opcodes.INVOKESTATIC, hooks, name, desc, false);
    }

    /** A call of the pipe recorder's static method. */
    MethodInsnNode pipes(String name, String desc) {
      return new MethodInsnNode(Opcodes.INVOKESTATIC, pipes, name, desc, false);
    }

    /**
     * {@code this.name} on the stack. The field must exist with type {@code desc}, or with any
     * reference type if {@code desc} is null; otherwise the class is not woven.
     */
    InsnList field(String name, String desc) {
      for (FieldNode f : fields) {
        if (f.name.equals(name)
            && (f.access & Opcodes.ACC_STATIC) == 0
            && (desc == null
                ? f.desc.startsWith("L") || f.desc.startsWith("[")
                : f.desc.equals(desc))) {
          InsnList code = new InsnList();
          code.add(new VarInsnNode(Opcodes.ALOAD, 0));
          code.add(new FieldInsnNode(Opcodes.GETFIELD, owner, name, f.desc));
          return code;
        }
      }
      throw new IllegalStateException("no field " + name + " " + (desc == null ? "" : desc));
    }

    /** The local slot of argument {@code index}. */
    int argSlot(int index) {
      Type[] args = Type.getArgumentTypes(method.desc);
      int at = (method.access & Opcodes.ACC_STATIC) != 0 ? 0 : 1;
      for (int i = 0; i < index; i++) {
        at += args[i].getSize();
      }
      return at;
    }

    /**
     * A frame inside the entry code: the method's arguments, then {@code stored}, the advice's
     * locals stored so far (TOP for the others), and {@code stack}.
     */
    FrameNode entryFrame(Object[] stored, Object... stack) {
      List<Object> locals = new ArrayList<>();
      if ((method.access & Opcodes.ACC_STATIC) == 0) {
        locals.add(owner);
      }
      for (Type t : Type.getArgumentTypes(method.desc)) {
        locals.add(frameType(t));
      }
      return frame(declare(locals, stored), stack);
    }

    /**
     * A frame inside exit code: only the advice's locals, and on the stack the method's return
     * value or, in the handler, the exception.
     */
    FrameNode exitFrame(boolean thrown) {
      Object[] stack;
      if (thrown) {
        stack = new Object[] {"java/lang/Throwable"};
      } else {
        Type r = Type.getReturnType(method.desc);
        stack = r.getSort() == Type.VOID ? new Object[0] : new Object[] {frameType(r)};
      }
      return frame(declare(List.of(), advice.locals), stack);
    }

    /** {@code locals} (a frame's, as ASM lists them) with {@code ours} from {@link #slot} on. */
    List<Object> declare(List<Object> locals, Object[] ours) {
      List<Object> all = locals == null ? new ArrayList<>() : new ArrayList<>(locals);
      int used = slots(all.toArray());
      if (used > slot) {
        throw new IllegalStateException("a frame declares locals past max_locals");
      }
      for (; used < slot; used++) {
        all.add(Opcodes.TOP);
      }
      all.addAll(Arrays.asList(ours));
      return all;
    }

    /** The local slots a frame's list of types takes: longs and doubles take two. */
    static int slots(Object[] types) {
      int n = 0;
      for (Object t : types) {
        n += t == Opcodes.LONG || t == Opcodes.DOUBLE ? 2 : 1;
      }
      return n;
    }

    private static FrameNode frame(List<Object> locals, Object[] stack) {
      return new FrameNode(Opcodes.F_NEW, locals.size(), locals.toArray(), stack.length, stack);
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
  }
}

package dev.gil4j.agent.internal;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Keeps the checkpoint's slow path out of the application's compiled code: the JDK's {@code
 * DontInline} annotation on {@code Hooks.checkpointSlow}, added as the bootstrap loader loads
 * {@code Hooks}, whose privileged classes HotSpot takes it from.
 *
 * <p>Without it C2 inlined the slow path into every hot method with a checkpoint once the GIL had
 * called it often enough (JDK 17: 250 calls), and with it {@code GilCore.checkpoint}, {@code drop}
 * and {@code take}: thousands of nodes that used up the method's inlining budget, so that the
 * application's own small methods were called, not inlined, from then on. Four CPU-bound threads
 * under {@code gil=on} at {@code switch=1ms} took 2.2–2.6x the time of one once C2 had recompiled
 * their loop (JDK 17), 1.10–1.16x with the slow path out of line. The annotation is added here, not
 * in the source: {@code --release 17} does not reach {@code jdk.internal.vm.annotation}.
 */
final class SlowPathOutOfLine implements ClassFileTransformer {
  private static final String HOOKS = "dev/gil4j/runtime/Hooks";
  private static final String SLOW_PATH = "checkpointSlow";
  private static final String DONT_INLINE = "Ljdk/internal/vm/annotation/DontInline;";

  private SlowPathOutOfLine() {}

  /**
   * Loads {@code Hooks} with the annotation. Were it loaded already, or changed shape, the GIL
   * would work as before, only slower where threads switch often; {@code SlowPathOutOfLineTest}
   * checks it is not.
   */
  static void apply(Instrumentation inst) {
    SlowPathOutOfLine patch = new SlowPathOutOfLine();
    inst.addTransformer(patch);
    try {
      Class.forName(HOOKS.replace('/', '.'), false, null);
    } catch (ClassNotFoundException e) {
      // gil4j's own jar is on the bootstrap path: not reached
    } finally {
      inst.removeTransformer(patch);
    }
  }

  @Override
  public byte[] transform(
      ClassLoader loader, String name, Class<?> redefined, ProtectionDomain domain, byte[] bytes) {
    if (loader != null || redefined != null || !HOOKS.equals(name)) {
      return null;
    }
    try {
      ClassReader reader = new ClassReader(bytes);
      ClassWriter writer = new ClassWriter(reader, 0);
      reader.accept(
          new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(
                int access, String method, String desc, String signature, String[] exceptions) {
              MethodVisitor mv = super.visitMethod(access, method, desc, signature, exceptions);
              if (!method.equals(SLOW_PATH) || !desc.equals("()V")) {
                return mv;
              }
              // Wrapped: handed the writer's own visitor, the reader copies the method's bytes
              // as they were, and the annotation with them is lost.
              MethodVisitor annotated = new MethodVisitor(Opcodes.ASM9, mv) {};
              annotated.visitAnnotation(DONT_INLINE, true).visitEnd();
              return annotated;
            }
          },
          0);
      return writer.toByteArray();
    } catch (RuntimeException e) {
      return null;
    }
  }
}

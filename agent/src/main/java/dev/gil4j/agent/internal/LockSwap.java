package dev.gil4j.agent.internal;

import dev.gil4j.profiler.ContentionRecorder;
import dev.gil4j.runtime.Hooks;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.LdcInsnNode;
import org.objectweb.asm.tree.LineNumberNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TypeInsnNode;

/**
 * Profiles an application method's synchronization: makes it construct gil4j's profiled drop-ins
 * instead of the JDK's synchronizers, and times its monitors ({@link MonitorTiming}).
 *
 * <p>Constructions: {@code new ReentrantLock(fair)} becomes {@code new ProfiledReentrantLock(fair,
 * site)}, where the site, {@code com.acme.Cache.<init>(Cache.java:42)}, is known here and passed as
 * a constant, so naming a lock costs nothing at run time. A profiled class extends the JDK's, so
 * fields and parameters typed as the JDK class accept it and the stack map frames stay valid.
 *
 * <p>Only constructions are swapped: a {@code new} and the {@code <init>} call that completes it.
 * An application subclass's {@code super(…)} call has no {@code new} of its own and is left alone,
 * so {@code class MyLock extends ReentrantLock} stays a ReentrantLock.
 *
 * <p>Monitors are timed ({@link MonitorTiming}): {@code Object.wait} calls always, {@code
 * synchronized} blocks only with the GIL. The drop-ins and the monitor recorder ship in the runtime
 * beside the hooks, on the bootstrap class path, where woven code finds them.
 */
final class LockSwap {
  private LockSwap() {}

  /**
   * Swaps every construction of a type in {@code swaps} in {@code m} and times its monitors;
   * returns whether anything changed.
   */
  static boolean swap(
      MethodNode m, String className, String sourceFile, Map<String, String> swaps) {
    boolean changed = swapConstructions(m, className, sourceFile, swaps);
    changed |= MonitorTiming.weave(m, className, sourceFile, Hooks.gilInstalled(), true);
    return changed;
  }

  private static boolean swapConstructions(
      MethodNode m, String className, String sourceFile, Map<String, String> swaps) {
    Deque<TypeInsnNode> pending = new ArrayDeque<>();
    int line = -1;
    boolean changed = false;
    for (AbstractInsnNode insn : m.instructions.toArray()) {
      if (insn instanceof LineNumberNode) {
        line = ((LineNumberNode) insn).line;
      } else if (insn.getOpcode() == Opcodes.NEW) {
        pending.push((TypeInsnNode) insn);
      } else if (insn.getOpcode() == Opcodes.INVOKESPECIAL
          && ((MethodInsnNode) insn).name.equals("<init>")) {
        MethodInsnNode init = (MethodInsnNode) insn;
        if (pending.isEmpty() || !pending.peek().desc.equals(init.owner)) {
          continue; // this() or super(): no new of its own
        }
        TypeInsnNode created = pending.pop();
        String profiled = swaps.get(init.owner);
        if (profiled != null) {
          created.desc = profiled;
          init.owner = profiled;
          init.desc = init.desc.replace(")V", "Ljava/lang/String;)V");
          m.instructions.insertBefore(
              init,
              new LdcInsnNode(ContentionRecorder.siteName(className, m.name, sourceFile, line)));
          changed = true;
        }
      }
    }
    if (changed) {
      m.maxStack += 1;
    }
    return changed;
  }
}

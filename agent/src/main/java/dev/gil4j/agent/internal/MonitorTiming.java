package dev.gil4j.agent.internal;

import dev.gil4j.profiler.ContentionRecorder;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.InsnNode;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.LdcInsnNode;
import org.objectweb.asm.tree.LineNumberNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TryCatchBlockNode;
import org.objectweb.asm.tree.VarInsnNode;

/**
 * Times an application method's monitors for {@code dev.gil4j.profiler.Monitors}: {@code
 * Object.wait} calls, and with the GIL contended {@code synchronized} entries, each named by the
 * code location, {@code com.acme.Ledger.post(Ledger.java:215)}, a constant here, so naming costs
 * nothing at run time.
 *
 * <ul>
 *   <li>{@code wait()}, {@code wait(long)}, {@code wait(long, int)} become {@code
 *       Hooks.objectWait(monitor, …, where)}, which also releases the GIL around the wait. A wait
 *       always blocks: timing each costs two clock reads beside a park.
 *   <li>With the GIL, each {@code monitorenter} gets {@code Hooks.monitorArrive(monitor)} before
 *       it, a header read that says whether the monitor is held (and if it is, the GIL released for
 *       the wait), and {@code Hooks.monitorEntered(monitor, arrived, where)} after it, a branch
 *       unless it was. The two values travel in two fresh locals, between instructions with no
 *       frame in between. The call after the entry sits inside the catch-all range that releases
 *       the monitor (javac starts that range right after {@code monitorenter}; the range is moved
 *       back over the call): C1 and C2 refuse to compile a method in which a call can throw while a
 *       monitor is held outside such a range. {@code synchronized} methods keep their flag: the
 *       checkpoint after their entry is the GIL's re-take.
 *   <li>With the GIL and without profiling, entries are woven all the same, and {@code wait} calls
 *       are left to the GIL's plain rewrite: a thread blocked entering a monitor releases the GIL
 *       at once, not when the safety net finds it blocked.
 *   <li>Without the GIL, entries are not woven: Java has no try-monitorenter, so woven code cannot
 *       tell an entry that blocks from one that spins or finds an inflated monitor free, and timing
 *       every entry into a monitor HotSpot has inflated (all of them, once contended) made a
 *       lock-heavy program 4–5x slower on JDK 17 and 25. The JVM times exactly the entries that
 *       block, in its own {@code jdk.JavaMonitorEnter} event, which gil4j's recordings include and
 *       its report merges.
 * </ul>
 */
final class MonitorTiming {
  private static final String HOOKS = CheckpointWeaver.HOOKS;
  private static final String ARRIVE = "(Ljava/lang/Object;)J";
  private static final String ENTERED = "(Ljava/lang/Object;JLjava/lang/String;)V";

  private MonitorTiming() {}

  /**
   * Weaves monitor timing into {@code m} of class {@code className}; returns whether it changed.
   *
   * @param entries weave each {@code monitorenter} (with the GIL)
   * @param waits time each {@code Object.wait} (with profiling)
   */
  static boolean weave(
      MethodNode m, String className, String sourceFile, boolean entries, boolean waits) {
    boolean changed = false;
    int scratch = -1;
    int line = -1;
    for (AbstractInsnNode insn : m.instructions.toArray()) {
      if (insn instanceof LineNumberNode) {
        line = ((LineNumberNode) insn).line;
      } else if (entries && insn.getOpcode() == Opcodes.MONITORENTER) {
        if (scratch < 0) {
          scratch = m.maxLocals;
          m.maxLocals += 3;
        }
        timeEntry(m, (InsnNode) insn, scratch, where(className, m, sourceFile, line));
        changed = true;
      } else if (waits && insn instanceof MethodInsnNode && isWait((MethodInsnNode) insn)) {
        MethodInsnNode call = (MethodInsnNode) insn;
        m.instructions.insertBefore(call, new LdcInsnNode(where(className, m, sourceFile, line)));
        call.setOpcode(Opcodes.INVOKESTATIC);
        call.owner = HOOKS;
        call.itf = false;
        call.name = "objectWait";
        call.desc =
            "(Ljava/lang/Object;"
                + call.desc.substring(1, call.desc.length() - 2)
                + "Ljava/lang/String;)V";
        changed = true;
      }
    }
    if (changed) {
      m.maxStack += 4;
    }
    return changed;
  }

  /** {@code wait()}, {@code wait(long)}, {@code wait(long, int)} on any object. */
  private static boolean isWait(MethodInsnNode call) {
    int op = call.getOpcode();
    return (op == Opcodes.INVOKEVIRTUAL || op == Opcodes.INVOKEINTERFACE)
        && call.name.equals("wait")
        && (call.desc.equals("()V") || call.desc.equals("(J)V") || call.desc.equals("(JI)V"));
  }

  private static String where(String className, MethodNode m, String sourceFile, int line) {
    return ContentionRecorder.siteName(className, m.name, sourceFile, line);
  }

  /**
   * {@code dup; astore s; dup; arrive; lstore s+1; monitorenter; [catch-all start] aload s; lload
   * s+1; ldc where; entered}: the stack around {@code monitorenter} is as before.
   */
  private static void timeEntry(MethodNode m, InsnNode enter, int scratch, String where) {
    InsnList before = new InsnList();
    before.add(new InsnNode(Opcodes.DUP));
    before.add(new VarInsnNode(Opcodes.ASTORE, scratch));
    before.add(new InsnNode(Opcodes.DUP));
    before.add(new MethodInsnNode(Opcodes.INVOKESTATIC, HOOKS, "monitorArrive", ARRIVE, false));
    before.add(new VarInsnNode(Opcodes.LSTORE, scratch + 1));
    m.instructions.insertBefore(enter, before);
    LabelNode start = new LabelNode();
    InsnList after = new InsnList();
    after.add(start);
    after.add(new VarInsnNode(Opcodes.ALOAD, scratch));
    after.add(new VarInsnNode(Opcodes.LLOAD, scratch + 1));
    after.add(new LdcInsnNode(where));
    after.add(new MethodInsnNode(Opcodes.INVOKESTATIC, HOOKS, "monitorEntered", ENTERED, false));
    AbstractInsnNode next = enter.getNext();
    m.instructions.insert(enter, after);
    for (TryCatchBlockNode t : m.tryCatchBlocks) {
      if (t.type == null && t.start == next) {
        t.start = start;
      }
    }
  }
}

package dev.gil4j.agent.internal;

import dev.gil4j.profiler.ContentionRecorder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.FrameNode;
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
 * Times an application method's monitors for {@code dev.gil4j.profiler.Monitors}: contended {@code
 * synchronized} entries and {@code Object.wait} calls, each named by the code location, {@code
 * com.acme.Ledger.post(Ledger.java:215)}, a constant here, so naming costs nothing at run time.
 *
 * <ul>
 *   <li>Each {@code monitorenter} gets {@code Hooks.monitorArrive(monitor)} before it, a header
 *       read that says whether the monitor is held (and if it is, the GIL released for the wait),
 *       and {@code Hooks.monitorEntered(monitor, arrived, where)} after it, a branch unless it was.
 *       The two values travel in two fresh locals, between instructions with no frame in between.
 *       The call after the entry sits inside the catch-all range that releases the monitor (javac
 *       starts that range right after {@code monitorenter}; the range is moved back over the call):
 *       C1 and C2 refuse to compile a method in which a call can throw while a monitor is held
 *       outside such a range.
 *   <li>A {@code synchronized} method becomes a plain method whose body is one synchronized block
 *       on {@code this} (or on its class), as javac compiles a block: enter at the start, exit
 *       before each return and in a catch-all handler that rethrows. The monitor is kept in a fresh
 *       local that every stack map frame declares. Its behaviour is the same; what reflection shows
 *       is not ({@code Modifier.isSynchronized} turns false).
 *   <li>{@code wait()}, {@code wait(long)}, {@code wait(long, int)} become {@code
 *       Hooks.objectWait(monitor, …, where)}, which also releases the GIL around the wait.
 * </ul>
 */
final class MonitorTiming {
  static final String MONITORS = "dev/gil4j/profiler/Monitors";

  private static final String HOOKS = CheckpointWeaver.HOOKS;
  private static final String ARRIVE = "(Ljava/lang/Object;)J";
  private static final String ENTERED = "(Ljava/lang/Object;JLjava/lang/String;)V";

  private MonitorTiming() {}

  /** Whether gil4j's monitor recorder is on the bootstrap class path, where woven code finds it. */
  static boolean available() {
    return ClassLoader.getSystemResource(MONITORS + ".class") != null;
  }

  /**
   * Weaves monitor timing into {@code m} of class {@code className}; returns whether it changed.
   *
   * @param synchronizedMethods also turn a {@code synchronized} method into a block, to time its
   *     entry
   */
  static boolean weave(
      MethodNode m, String className, String sourceFile, boolean synchronizedMethods) {
    boolean changed = false;
    if (synchronizedMethods && convertible(m)) {
      convert(m, className, sourceFile);
      changed = true;
    }
    int scratch = -1;
    int line = -1;
    for (AbstractInsnNode insn : m.instructions.toArray()) {
      if (insn instanceof LineNumberNode) {
        line = ((LineNumberNode) insn).line;
      } else if (insn.getOpcode() == Opcodes.MONITORENTER && !(insn instanceof Converted)) {
        if (scratch < 0) {
          scratch = m.maxLocals;
          m.maxLocals += 3;
        }
        timeEntry(m, (InsnNode) insn, scratch, where(className, m, sourceFile, line));
        changed = true;
      } else if (insn instanceof MethodInsnNode && isWait((MethodInsnNode) insn)) {
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

  /**
   * A {@code synchronized} method with code and expanded frames, without subroutines (which only
   * class files before Java 6 have). A static one must show it comes from Java 5 or later — a
   * frame, a class constant or an {@code invokedynamic} — since it loads its class as a constant,
   * which older class files cannot.
   */
  private static boolean convertible(MethodNode m) {
    if ((m.access & Opcodes.ACC_SYNCHRONIZED) == 0 || m.instructions.size() == 0) {
      return false;
    }
    boolean modern = false;
    for (AbstractInsnNode insn : m.instructions) {
      int op = insn.getOpcode();
      if (op == Opcodes.JSR || op == Opcodes.RET) {
        return false;
      }
      if (insn instanceof FrameNode) {
        if (((FrameNode) insn).type != Opcodes.F_NEW) {
          return false;
        }
        modern = true;
      }
      modern |=
          op == Opcodes.INVOKEDYNAMIC
              || (insn instanceof LdcInsnNode && ((LdcInsnNode) insn).cst instanceof Type);
    }
    return modern || (m.access & Opcodes.ACC_STATIC) == 0;
  }

  /** The {@code monitorenter} of a converted method, timed already. */
  private static final class Converted extends InsnNode {
    Converted() {
      super(Opcodes.MONITORENTER);
    }
  }

  private static void convert(MethodNode m, String className, String sourceFile) {
    boolean isStatic = (m.access & Opcodes.ACC_STATIC) != 0;
    int monitor = m.maxLocals;
    int arrived = monitor + 1;
    m.maxLocals += 3;
    String monitorType = isStatic ? "java/lang/Class" : className;
    int line = -1;
    for (AbstractInsnNode insn : m.instructions) {
      if (insn instanceof LineNumberNode) {
        line = ((LineNumberNode) insn).line;
        break;
      }
    }
    String where = where(className, m, sourceFile, line);
    InsnList code = m.instructions;
    // Every frame in the body must declare the monitor, so that it survives to each exit.
    for (AbstractInsnNode insn : code) {
      if (insn instanceof FrameNode) {
        declare((FrameNode) insn, monitor, monitorType);
      }
    }
    List<AbstractInsnNode> returns = new ArrayList<>();
    for (AbstractInsnNode insn : code) {
      int op = insn.getOpcode();
      if (op >= Opcodes.IRETURN && op <= Opcodes.RETURN) {
        returns.add(insn);
      }
    }
    LabelNode start = new LabelNode();
    InsnList prologue = new InsnList();
    prologue.add(
        isStatic
            ? new LdcInsnNode(Type.getObjectType(className))
            : new VarInsnNode(Opcodes.ALOAD, 0));
    prologue.add(new VarInsnNode(Opcodes.ASTORE, monitor));
    prologue.add(new VarInsnNode(Opcodes.ALOAD, monitor));
    prologue.add(new MethodInsnNode(Opcodes.INVOKESTATIC, HOOKS, "monitorArrive", ARRIVE, false));
    prologue.add(new VarInsnNode(Opcodes.LSTORE, arrived));
    prologue.add(new VarInsnNode(Opcodes.ALOAD, monitor));
    prologue.add(new Converted());
    prologue.add(start);
    prologue.add(new VarInsnNode(Opcodes.ALOAD, monitor));
    prologue.add(new VarInsnNode(Opcodes.LLOAD, arrived));
    prologue.add(new LdcInsnNode(where));
    prologue.add(new MethodInsnNode(Opcodes.INVOKESTATIC, HOOKS, "monitorEntered", ENTERED, false));
    code.insert(prologue);
    // Covered: everything from the entry to the handler but each exit's own "aload; monitorexit;
    // return", where the monitor is released or no longer held.
    List<LabelNode[]> ranges = new ArrayList<>();
    LabelNode from = start;
    for (AbstractInsnNode ret : returns) {
      LabelNode to = new LabelNode();
      LabelNode resume = new LabelNode();
      InsnList exit = new InsnList();
      exit.add(to);
      exit.add(new VarInsnNode(Opcodes.ALOAD, monitor));
      exit.add(new InsnNode(Opcodes.MONITOREXIT));
      code.insertBefore(ret, exit);
      code.insert(ret, resume);
      ranges.add(new LabelNode[] {from, to});
      from = resume;
    }
    LabelNode handler = new LabelNode();
    ranges.add(new LabelNode[] {from, handler});
    code.add(handler);
    Object[] locals = new Object[monitor + 1];
    Arrays.fill(locals, Opcodes.TOP);
    locals[monitor] = monitorType;
    code.add(
        new FrameNode(
            Opcodes.F_NEW, locals.length, locals, 1, new Object[] {"java/lang/Throwable"}));
    code.add(new VarInsnNode(Opcodes.ALOAD, monitor));
    code.add(new InsnNode(Opcodes.MONITOREXIT));
    code.add(new InsnNode(Opcodes.ATHROW));
    for (LabelNode[] r : ranges) {
      if (hasCode(r[0], r[1])) {
        m.tryCatchBlocks.add(new TryCatchBlockNode(r[0], r[1], handler, null));
      }
    }
    m.access &= ~Opcodes.ACC_SYNCHRONIZED;
  }

  /** Adds {@code type} at slot {@code slot} to an expanded frame, padding with TOP. */
  private static void declare(FrameNode frame, int slot, String type) {
    List<Object> locals = frame.local == null ? new ArrayList<>() : new ArrayList<>(frame.local);
    int slots = 0;
    for (Object l : locals) {
      slots += l == Opcodes.LONG || l == Opcodes.DOUBLE ? 2 : 1;
    }
    while (slots < slot) {
      locals.add(Opcodes.TOP);
      slots++;
    }
    locals.add(type);
    frame.local = locals;
  }

  /** Whether an instruction lies between two labels (an empty range is not allowed). */
  private static boolean hasCode(LabelNode from, LabelNode to) {
    for (AbstractInsnNode i = from.getNext(); i != null && i != to; i = i.getNext()) {
      if (i.getOpcode() >= 0) {
        return true;
      }
    }
    return false;
  }
}

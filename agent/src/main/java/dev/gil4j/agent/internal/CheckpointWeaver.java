package dev.gil4j.agent.internal;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.FieldInsnNode;
import org.objectweb.asm.tree.FieldNode;
import org.objectweb.asm.tree.FrameNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.InsnNode;
import org.objectweb.asm.tree.JumpInsnNode;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.LineNumberNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TryCatchBlockNode;

/**
 * Rewrites one application class for the GIL: checkpoints where CPython would check its eval
 * breaker, blocking calls the JDK implements natively routed through the hooks, and static
 * initializers marked as places where the GIL never changes hands.
 *
 * <p>Where checkpoints go, and why (DESIGN.md, "What a checkpoint costs the JIT"):
 *
 * <ul>
 *   <li>At method entry, in methods that call anything: recursion and call chains reach one. A
 *       method that calls nothing and has no loop runs briefly and needs none, so getters and other
 *       leaves stay free. And at the entry of every {@code run()}, where a new thread takes the GIL
 *       before its body.
 *   <li>At the back-edge of every loop that calls a method, reads a field it cannot prove
 *       non-volatile, or enters a monitor: such a loop may spin on another thread's progress, and
 *       must let that thread run.
 *   <li>Not inside counted loops of pure local and array arithmetic, which C2 unrolls and
 *       vectorizes and which any per-iteration read would slow 2–10x: such a loop is strip-mined
 *       ({@link StripMiner}) into chunks of a bounded number of iterations, each still a counted
 *       loop C2 vectorizes, with one checkpoint between chunks — so a long pure loop hands over
 *       about every interval, as CPython's pure-Python loop does. Only after a whole chunk, never
 *       on a loop's first: a check at every entry of a loop, reached even once, became a call in
 *       C2's code that cost the vectorized loop 1.5–1.9x when inlined into a caller's loop.
 *   <li>At the back-edge of the other pure loops (a counter that does not step by a constant, a
 *       test that is not {@code <}, {@code <=}, {@code >}, {@code >=} against an invariant limit):
 *       C2 does not vectorize them either, so a check costs them a load and a branch per iteration,
 *       not their vectorization.
 *   <li>Right after {@code monitorenter}: a contended entry is a blocking point the safety net may
 *       have revoked the GIL around, and this is where it is re-taken.
 * </ul>
 *
 * <p>A checkpoint is one {@code invokestatic} of a tiny method that takes and leaves nothing on the
 * stack, so the stack map frames and maximum stack stay valid without recomputation; a strip-mined
 * loop's new local and labels get their frames from the loop head's.
 */
public final class CheckpointWeaver {
  static final String HOOKS = "dev/gil4j/runtime/Hooks";

  private CheckpointWeaver() {}

  /**
   * The rewritten class file, or null if nothing needed to change.
   *
   * @param checkpoints place checkpoints and route native blocking calls through the hooks (the
   *     GIL)
   * @param swaps JDK synchronizers to construct as profiled drop-ins ({@link LockSwap}); empty for
   *     none
   */
  public static byte[] weave(byte[] classFile, boolean checkpoints, Map<String, String> swaps) {
    return weave(classFile, checkpoints, swaps, 0);
  }

  /**
   * {@link #weave(byte[], boolean, Map)} with every strip-mined loop cut into chunks of {@code
   * chunk} iterations, or, with 0, chunks sized by loop body as the agent does.
   */
  static byte[] weave(byte[] classFile, boolean checkpoints, Map<String, String> swaps, int chunk) {
    ClassReader reader = new ClassReader(classFile);
    ClassNode cn = new ClassNode();
    reader.accept(cn, ClassReader.EXPAND_FRAMES);
    if ((cn.access & Opcodes.ACC_MODULE) != 0) {
      return null;
    }
    Set<String> plainFields = new HashSet<>();
    for (FieldNode f : cn.fields) {
      if ((f.access & Opcodes.ACC_VOLATILE) == 0) {
        plainFields.add(f.name);
      }
    }
    boolean frames = (cn.version & 0xFFFF) >= Opcodes.V1_6;
    boolean changed = false;
    for (MethodNode m : cn.methods) {
      if (m.instructions.size() == 0) {
        continue;
      }
      if (!swaps.isEmpty()) {
        changed |= LockSwap.swap(m, cn.name, cn.sourceFile, swaps);
      }
      if (!checkpoints) {
        continue;
      }
      if (swaps.isEmpty()) {
        // Without profiling, monitors are still woven for the GIL (MonitorTiming).
        changed |= MonitorTiming.weave(m, cn.name, cn.sourceFile, true, false);
      }
      changed |= rewriteBlockingCalls(m);
      if (m.name.equals("<clinit>")) {
        guardInitializer(m, frames);
        changed = true;
      } else {
        changed |= placeCheckpoints(m, cn.name, plainFields, frames, chunk);
      }
    }
    if (!changed) {
      return null;
    }
    ClassWriter writer = new ClassWriter(0);
    cn.accept(writer);
    return writer.toByteArray();
  }

  /**
   * Only the call-site rewrites, for JDK classes that call the natives directly: the rewritten
   * class file, or null if nothing changed.
   */
  public static byte[] rewriteCallSites(byte[] classFile) {
    ClassReader reader = new ClassReader(classFile);
    ClassNode cn = new ClassNode();
    reader.accept(cn, 0);
    boolean changed = false;
    for (MethodNode m : cn.methods) {
      changed |= rewriteBlockingCalls(m);
    }
    if (!changed) {
      return null;
    }
    ClassWriter writer = new ClassWriter(0);
    cn.accept(writer);
    return writer.toByteArray();
  }

  /**
   * {@code Object.wait} and {@code Thread.sleep(long)} and {@code Thread.yield} are native in JDK
   * 17, where no advice can wrap them: calls to them go through the hooks instead. The hook has the
   * same stack effect, so frames are unchanged.
   */
  private static boolean rewriteBlockingCalls(MethodNode m) {
    boolean changed = false;
    for (AbstractInsnNode insn : m.instructions) {
      if (!(insn instanceof MethodInsnNode)) {
        continue;
      }
      MethodInsnNode call = (MethodInsnNode) insn;
      String replacement = blockingReplacement(call);
      if (replacement != null) {
        call.setOpcode(Opcodes.INVOKESTATIC);
        call.owner = HOOKS;
        call.itf = false;
        if (call.name.equals("wait")) {
          call.desc = "(Ljava/lang/Object;" + call.desc.substring(1);
        }
        call.name = replacement;
        changed = true;
      }
    }
    return changed;
  }

  private static String blockingReplacement(MethodInsnNode call) {
    int op = call.getOpcode();
    if ((op == Opcodes.INVOKEVIRTUAL || op == Opcodes.INVOKEINTERFACE)
        && call.name.equals("wait")
        && (call.desc.equals("()V") || call.desc.equals("(J)V") || call.desc.equals("(JI)V"))) {
      return "objectWait";
    }
    if (op == Opcodes.INVOKESTATIC && call.owner.equals("java/lang/Thread")) {
      if (call.name.equals("sleep") && call.desc.equals("(J)V")) {
        return "sleep";
      }
      if (call.name.equals("yield") && call.desc.equals("()V")) {
        return "yieldThread";
      }
    }
    return null;
  }

  /**
   * Wraps a static initializer in {@code enterNoSwitch} / {@code exitNoSwitch}: a thread that
   * dropped the GIL in here would let another take it and then block on the class's init lock while
   * holding it.
   */
  private static void guardInitializer(MethodNode m, boolean frames) {
    InsnList code = m.instructions;
    LabelNode start = new LabelNode();
    LabelNode end = new LabelNode();
    LabelNode handler = new LabelNode();
    for (AbstractInsnNode insn : code.toArray()) {
      if (insn.getOpcode() == Opcodes.RETURN) {
        code.insertBefore(insn, hook("exitNoSwitch"));
      }
    }
    code.insert(start);
    code.insert(hook("enterNoSwitch"));
    code.add(end);
    code.add(handler);
    if (frames) {
      code.add(
          new FrameNode(Opcodes.F_NEW, 0, new Object[0], 1, new Object[] {"java/lang/Throwable"}));
    }
    code.add(hook("exitNoSwitch"));
    code.add(new InsnNode(Opcodes.ATHROW));
    m.tryCatchBlocks.add(new TryCatchBlockNode(start, end, handler, null));
    m.maxStack = Math.max(m.maxStack, 1);
  }

  private static boolean placeCheckpoints(
      MethodNode m, String owner, Set<String> plainFields, boolean frames, int chunk) {
    InsnList code = m.instructions;
    AbstractInsnNode[] insns = code.toArray();
    Map<AbstractInsnNode, Integer> index = new IdentityHashMap<>();
    for (int i = 0; i < insns.length; i++) {
      index.put(insns[i], i);
    }
    Set<AbstractInsnNode> before = new LinkedHashSet<>();
    Set<AbstractInsnNode> after = new LinkedHashSet<>();
    Map<Integer, List<Integer>> loops = new TreeMap<>();
    boolean calls = false;
    for (int i = 0; i < insns.length; i++) {
      AbstractInsnNode insn = insns[i];
      int op = insn.getOpcode();
      if (insn instanceof MethodInsnNode || op == Opcodes.INVOKEDYNAMIC) {
        calls = true;
      }
      if (op == Opcodes.MONITORENTER) {
        after.add(afterMonitorEnter(m, insn));
      }
      for (LabelNode target : StripMiner.targets(insn)) {
        int head = index.get(target);
        if (head <= i) {
          List<Integer> edges = loops.get(head);
          if (edges == null) {
            edges = new ArrayList<>();
            loops.put(head, edges);
          }
          edges.add(i);
        }
      }
    }
    StripMiner miner = new StripMiner(m, insns, index, owner, plainFields, frames, chunk);
    List<Runnable> rewrites = new ArrayList<>();
    for (Map.Entry<Integer, List<Integer>> loop : loops.entrySet()) {
      int head = loop.getKey();
      List<Integer> backEdges = loop.getValue();
      int back = StripMiner.last(backEdges);
      Runnable rewrite =
          isPure(insns, head, back, owner, plainFields) ? miner.match(head, backEdges) : null;
      if (rewrite != null) {
        rewrites.add(rewrite);
      } else {
        for (int b : backEdges) {
          before.add(insns[b]);
        }
      }
    }
    boolean changed = !rewrites.isEmpty();
    for (Runnable rewrite : rewrites) {
      rewrite.run();
    }
    miner.initBudgets();
    for (AbstractInsnNode insn : before) {
      code.insertBefore(insn, hook("checkpoint"));
      changed = true;
    }
    for (AbstractInsnNode insn : after) {
      code.insert(skipMarkers(insn), hook("checkpoint"));
      changed = true;
    }
    // A thread's run() gets one even without calls: the thread takes the GIL there, before a body
    // that may hold no other checkpoint (Thread subclasses override run, which skips the advice).
    if (calls || isRun(m)) {
      code.insert(hook("checkpoint"));
      changed = true;
    }
    return changed;
  }

  private static boolean isRun(MethodNode m) {
    return m.name.equals("run") && m.desc.equals("()V") && (m.access & Opcodes.ACC_STATIC) == 0;
  }

  /**
   * A loop body that C2 may vectorize: no calls, no monitor, no field read that may be volatile.
   */
  private static boolean isPure(
      AbstractInsnNode[] insns, int from, int to, String owner, Set<String> plainFields) {
    for (int i = from; i <= to; i++) {
      AbstractInsnNode insn = insns[i];
      int op = insn.getOpcode();
      if (insn instanceof MethodInsnNode
          || op == Opcodes.INVOKEDYNAMIC
          || op == Opcodes.MONITORENTER) {
        return false;
      }
      if (op == Opcodes.GETFIELD || op == Opcodes.GETSTATIC) {
        FieldInsnNode f = (FieldInsnNode) insn;
        if (!f.owner.equals(owner) || !plainFields.contains(f.name)) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * Where the checkpoint after a {@code monitorenter} goes: inside the catch-all range that
   * releases the monitor (javac starts it right after the entry) — C1 and C2 refuse to compile a
   * method in which a call can throw while a monitor is held outside such a range — and after the
   * monitor timing's {@code Hooks.monitorEntered} call when there is one, whose time must not
   * include this checkpoint's wait for the GIL.
   */
  private static AbstractInsnNode afterMonitorEnter(MethodNode m, AbstractInsnNode enter) {
    AbstractInsnNode at = enter;
    if (enter.getNext() instanceof LabelNode start) {
      for (TryCatchBlockNode t : m.tryCatchBlocks) {
        if (t.type == null && t.start == start) {
          at = start;
        }
      }
    }
    for (AbstractInsnNode i = at.getNext(); i != null; i = i.getNext()) {
      if (i instanceof MethodInsnNode call) {
        if (call.owner.equals(HOOKS) && call.name.equals("monitorEntered")) {
          at = call;
        }
        break;
      }
      if (i instanceof JumpInsnNode || i instanceof LabelNode) {
        break;
      }
    }
    return at;
  }

  /** A label is followed by its frame and line number; code inserted must come after them. */
  private static AbstractInsnNode skipMarkers(AbstractInsnNode insn) {
    AbstractInsnNode at = insn;
    while (at.getNext() instanceof FrameNode
        || at.getNext() instanceof LineNumberNode
        || (at instanceof LabelNode && at.getNext() instanceof LabelNode)) {
      at = at.getNext();
    }
    return at;
  }

  private static MethodInsnNode hook(String name) {
    return new MethodInsnNode(Opcodes.INVOKESTATIC, HOOKS, name, "()V", false);
  }
}

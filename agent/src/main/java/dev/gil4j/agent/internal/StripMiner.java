package dev.gil4j.agent.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.FieldInsnNode;
import org.objectweb.asm.tree.FrameNode;
import org.objectweb.asm.tree.IincInsnNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.InsnNode;
import org.objectweb.asm.tree.IntInsnNode;
import org.objectweb.asm.tree.JumpInsnNode;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.LdcInsnNode;
import org.objectweb.asm.tree.LineNumberNode;
import org.objectweb.asm.tree.LookupSwitchInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TableSwitchInsnNode;
import org.objectweb.asm.tree.TryCatchBlockNode;
import org.objectweb.asm.tree.VarInsnNode;

/**
 * Strip-mines a counted loop of pure arithmetic in bytecode, as C2 strip-mines its own safepoint
 * polls: the loop becomes an inner loop of at most a chunk of iterations, whose exit test compares
 * the counter with a local limit and which C2 still unrolls and vectorizes, inside an outer loop
 * that looks for the GIL's request once per chunk.
 *
 * <p>A loop qualifies when its counter is an {@code int} or {@code long} local that the loop
 * changes once per pass by a constant step ({@code iinc}, or {@code lload; ldc; ladd; lstore}),
 * moving it toward a limit built only from constants, locals the loop never stores, array lengths,
 * and plain fields of the class the loop never writes; the test is {@code <}, {@code <=}, {@code >}
 * or {@code >=}, at the top of the loop (javac's {@code for} and {@code while}) or at the bottom
 * ({@code do}/{@code while}, whose limit must also be unable to throw, because it is now read
 * before the first pass); and nothing outside the loop jumps into its middle.
 *
 * <p>A top-tested loop
 *
 * <pre>{@code
 * H:     if !(i < L) goto EXIT
 *        body; i += step; goto H
 * }</pre>
 *
 * becomes
 *
 * <pre>{@code
 *        left = CHUNK                        at method entry: the loop's budget
 * H:     if !(i < L) goto EXIT               the original test, once per chunk
 *        if left == 0 { left = CHUNK; checkpoint at the second look at a request }
 *        if L - i > left { end = i + left; left = 0 } else { left -= L - i; end = L }
 * INNER: if !(i < end) goto H                end <= L, so this never runs a pass the original would not
 *        body; i += step; goto INNER
 * }</pre>
 *
 * and a bottom-tested one gets its budget check and chunk end before its head and the same test
 * with {@code end} before its own. The result is the original's for any body: a pass runs only
 * where {@code i < end <= L}, and each chunk ends with the original test. {@code L - i} may
 * overflow only when the distance is beyond the type's range, and then reads as negative, so the
 * chunk is the rest of the loop — correct, just not cut. Frames gain the chunk end's local inside
 * the loop and the budget's everywhere.
 *
 * <p>The check comes after a spent budget, never before a loop's first chunk, and the budget lives
 * in the method's frame: a loop that ends within one chunk never reaches its check, and the inner
 * loop of a nest spends one budget across all its rows. Both matter to C2, which compiles a check
 * never reached as a trap but one reached even once as a call, around which it keeps the inner
 * loop's arrays in stack slots and reloads them inside the vectorized loop (measured: {@code c[i] =
 * a[i] + b[i]} over 4096 ints inlined into a caller's loop, as JMH and most applications call it,
 * 1.5–1.9x slower with a check at each entry; within noise without). For the same reason a chunk
 * end only notes a request and the next one passes the checkpoint ({@link #refill}).
 *
 * <p>An innermost top-tested loop is rewritten two ways ({@link #twoWays}): the original runs when
 * the rest of the loop fits in the budget, the strip-mined copy otherwise, so that a loop entered
 * again and again — the inner loop of a nest — runs as compiled without the agent and pays only a
 * compare and a subtraction per entry.
 */
final class StripMiner {
  /**
   * Iterations per chunk for the smallest loop bodies. A vectorized {@code c[i] = a[i] + b[i]}
   * passes this many in about 5 µs, so the per-chunk work (C2's pre- and post-loop, the test, the
   * checkpoint: tens of ns) stays near 1%.
   */
  static final int MAX_CHUNK = 1 << 16;

  /** Iterations per chunk for the largest loop bodies. */
  static final int MIN_CHUNK = 1 << 10;

  /**
   * Chunk × body length in instructions: a chunk of the longest bodies (a nanosecond or two per
   * instruction when nothing vectorizes) lasts about a millisecond, well inside a 5 ms interval.
   */
  private static final int BUDGET = 1 << 20;

  private static final int MAX_STEP = 1 << 10;

  /**
   * The longest loop, in instructions, run as two copies. A longer body spends so long per pass
   * that a chunk end per entry is lost in it.
   */
  private static final int MAX_COPY = 200;

  /** A long or double's second slot in a frame's locals, which ASM's frames do not list. */
  private static final Object SECOND_HALF = new Object();

  private final MethodNode m;
  private final AbstractInsnNode[] insns;
  private final Map<AbstractInsnNode, Integer> index;
  private final String owner;
  private final Set<String> plainFields;
  private final boolean frames;
  private final int fixedChunk;

  /**
   * Each rewritten loop's budget: its local, the local of its sighting of a request (see {@link
   * #refill}), and its chunk, to set at method entry.
   */
  private final List<int[]> budgets = new ArrayList<>();

  /**
   * @param insns the method's instructions before any change, {@code index} their positions
   * @param fixedChunk iterations per chunk for every loop, or 0 to size chunks by body length
   */
  StripMiner(
      MethodNode m,
      AbstractInsnNode[] insns,
      Map<AbstractInsnNode, Integer> index,
      String owner,
      Set<String> plainFields,
      boolean frames,
      int fixedChunk) {
    this.m = m;
    this.insns = insns;
    this.index = index;
    this.owner = owner;
    this.plainFields = plainFields;
    this.frames = frames;
    this.fixedChunk = fixedChunk;
  }

  /** A counted loop found, ready to rewrite. */
  private record Counted(
      LabelNode head,
      AbstractInsnNode lastBackEdge,
      boolean bottomTested,
      JumpInsnNode test,
      AbstractInsnNode testStart,
      int var,
      boolean wide,
      boolean up,
      boolean orEqual,
      List<AbstractInsnNode> limit,
      List<AbstractInsnNode> backEdges,
      FrameNode headFrame,
      int chunk,
      boolean twoWays) {}

  /**
   * Finds whether the pure loop {@code [head, back]} is counted, with the back-edges {@code
   * backEdges} (indices of jumps to {@code head}); returns a rewrite to run later, or null.
   */
  Runnable match(int head, List<Integer> backEdges) {
    int back = last(backEdges);
    if (!(insns[head] instanceof LabelNode label) || !isClosed(head, back)) {
      return null;
    }
    FrameNode headFrame = null;
    if (frames) {
      headFrame = frameAfter(label);
      if (headFrame == null || headFrame.type != Opcodes.F_NEW || !headFrame.stack.isEmpty()) {
        return null;
      }
    }
    Counted c = topTested(head, back, label, headFrame, backEdges);
    if (c == null) {
      c = bottomTested(head, back, label, headFrame, backEdges);
    }
    if (c == null) {
      return null;
    }
    Counted found = c;
    return new Runnable() {
      @Override
      public void run() {
        rewrite(found);
      }
    };
  }

  /**
   * The last of a loop's back-edges (the largest index). Loops, not streams or lambdas, here and in
   * the rest of the weaver: it runs as the application's first classes load, where each first use
   * of a lambda or stream shape costs milliseconds.
   */
  static int last(List<Integer> backEdges) {
    int last = Integer.MIN_VALUE;
    for (int b : backEdges) {
      last = Math.max(last, b);
    }
    return last;
  }

  /** Nothing outside {@code [head, back]} jumps or throws into it except to its head. */
  private boolean isClosed(int head, int back) {
    for (int i = 0; i < insns.length; i++) {
      int op = insns[i].getOpcode();
      if (i >= head && i <= back) {
        if (op == Opcodes.JSR || op == Opcodes.RET) {
          return false;
        }
        continue;
      }
      for (LabelNode t : targets(insns[i])) {
        int at = index.get(t);
        if (at > head && at <= back) {
          return false;
        }
      }
    }
    for (TryCatchBlockNode t : m.tryCatchBlocks) {
      int handler = index.get(t.handler);
      if (handler > head && handler <= back) {
        if (index.get(t.start) <= head || index.get(t.end) > back) {
          return false;
        }
      }
    }
    return true;
  }

  /** {@code H: i ? L; if-exit EXIT; ...; goto H}. */
  private Counted topTested(
      int head, int back, LabelNode label, FrameNode headFrame, List<Integer> backEdges) {
    if (insns[back].getOpcode() != Opcodes.GOTO) {
      return null;
    }
    List<AbstractInsnNode> test = new ArrayList<>();
    int i = head + 1;
    for (; i <= back && !(insns[i] instanceof JumpInsnNode); i++) {
      if (insns[i] instanceof FrameNode && insns[i] != headFrame
          || insns[i].getOpcode() >= 0 && !isOperand(insns[i])) {
        return null;
      }
      if (insns[i].getOpcode() >= 0) {
        test.add(insns[i]);
      }
    }
    if (i >= back || insns[i].getOpcode() == Opcodes.GOTO) {
      return null;
    }
    JumpInsnNode jump = (JumpInsnNode) insns[i];
    int exit = index.get(jump.label);
    if (exit >= head && exit <= back) {
      return null;
    }
    return counted(head, back, label, headFrame, backEdges, false, jump, test, true);
  }

  /** {@code H: ...; i ? L; if-continue H}. */
  private Counted bottomTested(
      int head, int back, LabelNode label, FrameNode headFrame, List<Integer> backEdges) {
    if (!(insns[back] instanceof JumpInsnNode jump) || jump.getOpcode() == Opcodes.GOTO) {
      return null;
    }
    List<AbstractInsnNode> test = new ArrayList<>();
    for (int i = back - 1; i > head && test.size() < 8; i--) {
      if (insns[i] instanceof FrameNode || insns[i] instanceof JumpInsnNode) {
        break;
      }
      if (insns[i].getOpcode() < 0) {
        continue;
      }
      if (!isOperand(insns[i])) {
        break;
      }
      test.add(0, insns[i]);
    }
    // The longest operand sequence that parses; its shorter suffixes are tried too.
    for (int skip = 0; skip < test.size(); skip++) {
      Counted c =
          counted(
              head,
              back,
              label,
              headFrame,
              backEdges,
              true,
              jump,
              test.subList(skip, test.size()),
              false);
      if (c != null) {
        return c;
      }
    }
    return null;
  }

  /**
   * The loop if {@code test} then {@code jump} compare a counter with an invariant limit; {@code
   * jumpExits} says whether the jump leaves the loop (top test) or continues it (bottom test).
   */
  private Counted counted(
      int head,
      int back,
      LabelNode label,
      FrameNode headFrame,
      List<Integer> backEdges,
      boolean bottom,
      JumpInsnNode jump,
      List<AbstractInsnNode> test,
      boolean jumpExits) {
    int op = jump.getOpcode();
    boolean wide;
    List<AbstractInsnNode> operands;
    if (op >= Opcodes.IF_ICMPEQ && op <= Opcodes.IF_ICMPLE) {
      wide = false;
      operands = test;
    } else if (op >= Opcodes.IFEQ && op <= Opcodes.IFLE) {
      if (!test.isEmpty() && test.get(test.size() - 1).getOpcode() == Opcodes.LCMP) {
        wide = true;
        operands = test.subList(0, test.size() - 1);
      } else {
        wide = false;
        operands = new ArrayList<>(test);
        operands.add(new InsnNode(Opcodes.ICONST_0));
      }
    } else {
      return null;
    }
    // The relation under which the loop goes on, as "left REL right", in the ifXX family.
    int single = op >= Opcodes.IF_ICMPEQ ? op - Opcodes.IF_ICMPEQ + Opcodes.IFEQ : op;
    int rel = jumpExits ? negate(single) : single;
    if (rel == Opcodes.IFEQ || rel == Opcodes.IFNE) {
      return null;
    }
    boolean up = rel == Opcodes.IFLT || rel == Opcodes.IFLE;
    boolean orEqual = rel == Opcodes.IFLE || rel == Opcodes.IFGE;
    int load = wide ? Opcodes.LLOAD : Opcodes.ILOAD;
    Counted c = null;
    if (operands.size() >= 2 && operands.get(0).getOpcode() == load) {
      c =
          candidate(
              head,
              back,
              label,
              headFrame,
              backEdges,
              bottom,
              jump,
              test,
              ((VarInsnNode) operands.get(0)).var,
              wide,
              up,
              orEqual,
              operands.subList(1, operands.size()));
    }
    if (c == null
        && operands.size() >= 2
        && operands.get(operands.size() - 1).getOpcode() == load) {
      c =
          candidate(
              head,
              back,
              label,
              headFrame,
              backEdges,
              bottom,
              jump,
              test,
              ((VarInsnNode) operands.get(operands.size() - 1)).var,
              wide,
              !up,
              orEqual,
              operands.subList(0, operands.size() - 1));
    }
    return c;
  }

  private Counted candidate(
      int head,
      int back,
      LabelNode label,
      FrameNode headFrame,
      List<Integer> backEdges,
      boolean bottom,
      JumpInsnNode jump,
      List<AbstractInsnNode> test,
      int var,
      boolean wide,
      boolean up,
      boolean orEqual,
      List<AbstractInsnNode> limit) {
    long step = step(head, back, var, wide);
    if (step == 0 || (step > 0) != up || Math.abs(step) > MAX_STEP) {
      return null;
    }
    Integer type = limitType(head, back, limit, bottom);
    if (type == null || type != (wide ? Opcodes.LONG : Opcodes.INTEGER)) {
      return null;
    }
    List<AbstractInsnNode> edges = new ArrayList<>();
    for (int b : backEdges) {
      edges.add(insns[b]);
    }
    int chunk = fixedChunk > 0 ? fixedChunk : chunkFor(head, back);
    return new Counted(
        label,
        insns[back],
        bottom,
        jump,
        test.get(0),
        var,
        wide,
        up,
        orEqual,
        List.copyOf(limit),
        edges,
        headFrame,
        (int) (chunk * Math.abs(step)),
        !bottom && isCopyable(head, back));
  }

  /**
   * Whether the loop {@code [head, back]} may run as two copies (see {@link #twoWays}): it holds no
   * other loop, which would be copied with it, a copy per level; no more than {@link #MAX_COPY}
   * instructions; and every handler range either covers it whole or misses it, so that the copy,
   * placed right after it, lies in the same ranges.
   */
  private boolean isCopyable(int head, int back) {
    int length = 0;
    for (int i = head + 1; i <= back; i++) {
      if (insns[i].getOpcode() >= 0) {
        length++;
      }
      for (LabelNode t : targets(insns[i])) {
        int at = index.get(t);
        if (at > head && at <= i) {
          return false;
        }
      }
    }
    if (length > MAX_COPY) {
      return false;
    }
    for (TryCatchBlockNode t : m.tryCatchBlocks) {
      int start = index.get(t.start);
      int end = index.get(t.end);
      int handler = index.get(t.handler);
      boolean whole = start <= head && end > back;
      boolean apart = end <= head || start > back;
      if (!whole && !apart || handler > head && handler <= back) {
        return false;
      }
    }
    return true;
  }

  private int chunkFor(int head, int back) {
    int length = 0;
    for (int i = head; i <= back; i++) {
      if (insns[i].getOpcode() >= 0) {
        length++;
      }
    }
    int chunk = Integer.highestOneBit(BUDGET / Math.max(1, length));
    return Math.max(MIN_CHUNK, Math.min(MAX_CHUNK, chunk));
  }

  /**
   * The counter's constant step per pass: the loop's only store to {@code var} is one {@code iinc}
   * (int) or {@code lload var; lconst/ldc; ladd/lsub; lstore var} (long). 0 if it is not a counter.
   */
  private long step(int head, int back, int var, boolean wide) {
    long step = 0;
    int stores = 0;
    for (int i = head; i <= back; i++) {
      AbstractInsnNode insn = insns[i];
      if (insn instanceof IincInsnNode inc && inc.var == var) {
        if (wide) {
          return 0;
        }
        stores++;
        step = inc.incr;
      } else if (insn instanceof VarInsnNode v && v.var == var && isStore(v.getOpcode())) {
        if (!wide || v.getOpcode() != Opcodes.LSTORE) {
          return 0;
        }
        stores++;
        step = longStep(i, var);
      }
    }
    return stores == 1 ? step : 0;
  }

  private long longStep(int store, int var) {
    List<AbstractInsnNode> before = new ArrayList<>();
    for (int i = store - 1; i >= 0 && before.size() < 3; i--) {
      if (insns[i].getOpcode() >= 0) {
        before.add(0, insns[i]);
      } else if (insns[i] instanceof FrameNode) {
        return 0;
      }
    }
    if (before.size() < 3
        || !(before.get(0) instanceof VarInsnNode load)
        || load.getOpcode() != Opcodes.LLOAD
        || load.var != var) {
      return 0;
    }
    Long constant = longConstant(before.get(1));
    if (constant == null) {
      return 0;
    }
    int op = before.get(2).getOpcode();
    return op == Opcodes.LADD ? constant : op == Opcodes.LSUB ? -constant : 0;
  }

  private static Long longConstant(AbstractInsnNode insn) {
    int op = insn.getOpcode();
    if (op == Opcodes.LCONST_0 || op == Opcodes.LCONST_1) {
      return (long) (op - Opcodes.LCONST_0);
    }
    if (insn instanceof LdcInsnNode ldc && ldc.cst instanceof Long l) {
      return l;
    }
    return null;
  }

  /**
   * The type ({@code Opcodes.INTEGER} or {@code LONG}) of the one value {@code limit} leaves on the
   * stack, if it is the same at every pass of the loop and, for a bottom test, cannot throw; null
   * otherwise.
   */
  private Integer limitType(
      int head, int back, List<AbstractInsnNode> limit, boolean mustNotThrow) {
    List<Object> stack = new ArrayList<>();
    for (AbstractInsnNode insn : limit) {
      int op = insn.getOpcode();
      if (op >= Opcodes.ICONST_M1 && op <= Opcodes.ICONST_5
          || op == Opcodes.BIPUSH
          || op == Opcodes.SIPUSH) {
        stack.add(Opcodes.INTEGER);
      } else if (op == Opcodes.LCONST_0 || op == Opcodes.LCONST_1) {
        stack.add(Opcodes.LONG);
      } else if (insn instanceof LdcInsnNode ldc) {
        if (ldc.cst instanceof Integer) {
          stack.add(Opcodes.INTEGER);
        } else if (ldc.cst instanceof Long) {
          stack.add(Opcodes.LONG);
        } else {
          return null;
        }
      } else if (insn instanceof VarInsnNode v) {
        if (stored(head, back, v.var)) {
          return null;
        }
        stack.add(
            op == Opcodes.ILOAD
                ? Opcodes.INTEGER
                : op == Opcodes.LLOAD ? Opcodes.LONG : op == Opcodes.ALOAD ? "ref" : null);
      } else if (op == Opcodes.ARRAYLENGTH) {
        if (mustNotThrow || !pop(stack, "ref")) {
          return null;
        }
        stack.add(Opcodes.INTEGER);
      } else if (insn instanceof FieldInsnNode f) {
        if (!f.owner.equals(owner)
            || !plainFields.contains(f.name)
            || written(head, back, f)
            || op == Opcodes.GETFIELD && (mustNotThrow || !pop(stack, "ref"))) {
          return null;
        }
        char t = f.desc.charAt(0);
        stack.add(t == 'I' ? Opcodes.INTEGER : t == 'J' ? Opcodes.LONG : t == '[' ? "ref" : null);
      } else if (op == Opcodes.I2L) {
        if (!pop(stack, Opcodes.INTEGER)) {
          return null;
        }
        stack.add(Opcodes.LONG);
      } else if (isArithmetic(op)) {
        Object type = arithmeticType(op);
        if (!pop(stack, type) || !pop(stack, type)) {
          return null;
        }
        stack.add(type);
      } else {
        return null;
      }
      if (stack.contains(null)) {
        return null;
      }
    }
    return stack.size() == 1 && stack.get(0) instanceof Integer t ? t : null;
  }

  private static boolean isArithmetic(int op) {
    return arithmeticType(op) != null;
  }

  private static Object arithmeticType(int op) {
    switch (op) {
      case Opcodes.IADD, Opcodes.ISUB, Opcodes.IMUL, Opcodes.IAND, Opcodes.IOR, Opcodes.IXOR:
        return Opcodes.INTEGER;
      case Opcodes.LADD, Opcodes.LSUB, Opcodes.LMUL, Opcodes.LAND, Opcodes.LOR, Opcodes.LXOR:
        return Opcodes.LONG;
      default:
        return null;
    }
  }

  private static boolean pop(List<Object> stack, Object type) {
    return !stack.isEmpty() && stack.remove(stack.size() - 1).equals(type);
  }

  /** Whether an instruction may belong to a loop test's operands. */
  private static boolean isOperand(AbstractInsnNode insn) {
    int op = insn.getOpcode();
    return insn instanceof VarInsnNode && !isStore(op)
        || insn instanceof FieldInsnNode && (op == Opcodes.GETFIELD || op == Opcodes.GETSTATIC)
        || insn instanceof LdcInsnNode
        || insn instanceof IntInsnNode && op != Opcodes.NEWARRAY
        || op >= Opcodes.ICONST_M1 && op <= Opcodes.LCONST_1
        || op == Opcodes.ARRAYLENGTH
        || op == Opcodes.I2L
        || op == Opcodes.LCMP
        || isArithmetic(op);
  }

  private static boolean isStore(int op) {
    return op >= Opcodes.ISTORE && op <= Opcodes.ASTORE;
  }

  private boolean stored(int head, int back, int var) {
    for (int i = head; i <= back; i++) {
      if (insns[i] instanceof VarInsnNode v && v.var == var && isStore(v.getOpcode())
          || insns[i] instanceof IincInsnNode inc && inc.var == var) {
        return true;
      }
    }
    return false;
  }

  private boolean written(int head, int back, FieldInsnNode read) {
    int put = read.getOpcode() == Opcodes.GETFIELD ? Opcodes.PUTFIELD : Opcodes.PUTSTATIC;
    for (int i = head; i <= back; i++) {
      if (insns[i] instanceof FieldInsnNode f
          && f.getOpcode() == put
          && f.owner.equals(read.owner)
          && f.name.equals(read.name)) {
        return true;
      }
    }
    return false;
  }

  /** The opposite of a single-operand {@code if}: the opcodes pair up as eq/ne, lt/ge, gt/le. */
  private static int negate(int op) {
    int base = op - Opcodes.IFEQ;
    return Opcodes.IFEQ + (base % 2 == 0 ? base + 1 : base - 1);
  }

  /** The relation as a single-operand {@code if} (against 0 after {@code lcmp} or subtraction). */
  private static int ifOpcode(boolean up, boolean orEqual, boolean continues) {
    int rel =
        up ? (orEqual ? Opcodes.IFLE : Opcodes.IFLT) : (orEqual ? Opcodes.IFGE : Opcodes.IFGT);
    return continues ? rel : negate(rel);
  }

  private void rewrite(Counted c) {
    InsnList code = m.instructions;
    int left = m.maxLocals;
    int seen = left + 1;
    int end = left + 2;
    m.maxLocals += c.wide() ? 4 : 3;
    m.maxStack = Math.max(m.maxStack, c.wide() ? 5 : 2);
    budgets.add(new int[] {left, seen, c.chunk()});
    if (c.twoWays()) {
      m.maxStack = Math.max(m.maxStack, c.wide() ? 6 : 3);
      twoWays(c, left, seen, end);
    } else if (!c.bottomTested()) {
      LabelNode inner = new LabelNode();
      InsnList chunk = new InsnList();
      chunk.add(refill(c, left, seen));
      chunk.add(chunkEnd(c, end, left, inner));
      chunk.add(inner);
      if (frames) {
        chunk.add(withLocal(c.headFrame(), end, c.wide()));
      }
      chunk.add(compare(c, end, c.head(), false));
      AbstractInsnNode last = c.test();
      code.insert(last, chunk);
      retarget(c.backEdges(), c.head(), inner);
      if (frames) {
        addLocal(inner.getNext(), c.lastBackEdge(), end, c.wide());
      }
    } else {
      LabelNode entry = new LabelNode();
      InsnList chunk = new InsnList();
      chunk.add(entry);
      if (frames) {
        chunk.add(copy(c.headFrame()));
      }
      chunk.add(refill(c, left, seen));
      chunk.add(chunkEnd(c, end, left, c.head()));
      code.insertBefore(c.head(), chunk);
      code.insertBefore(c.testStart(), compare(c, end, c.head(), true));
      retargetFromOutside(c, entry);
      c.test().label = entry;
      if (frames) {
        addLocal(c.head(), c.lastBackEdge(), end, c.wide());
      }
    }
  }

  /**
   * An innermost top-tested loop becomes two copies: the original, run when the rest of the loop
   * fits in the budget, and the strip-mined one otherwise:
   *
   * <pre>{@code
   * H:     d = L - i                            (i - L counting down)
   *        if d >u left goto CHUNKED            unsigned: also when d < 0
   *        left -= d
   * H':    the original loop, back-edges to H'
   * CHUNKED:
   *        if !(i < L) goto EXIT                the original test
   *        if left == 0 { left = CHUNK; checkpoint at the second look at a request }
   *        chunk end as in the one-copy shape
   * INNER: if !(i < end) goto CHUNKED
   *        body copy; i += step; goto INNER
   * }</pre>
   *
   * The strip-mined copy sits right after the original's last back-edge, a {@code goto}, so no
   * instruction falls into it, and the handler ranges that cover the loop cover it too. An entry
   * whose rest fits costs one subtraction, one compare and the budget's update, and runs the loop
   * exactly as compiled without the agent: the one-copy shape, whose inner loop C2 sees nested in
   * the chunk loop with a limit merged from two paths, cost the inner loop of {@code c[i] = a[i] +
   * b[i]} over {@code int[16][256]} 7–8% (JDK 17). Budget and checks are the one-copy shape's: a
   * check when a spent budget meets a loop with passes left. C2 compiles only the copy it has seen
   * run.
   */
  private void twoWays(Counted c, int left, int seen, int end) {
    boolean w = c.wide();
    int load = w ? Opcodes.LLOAD : Opcodes.ILOAD;
    InsnList code = m.instructions;
    LabelNode original = new LabelNode();
    LabelNode chunked = new LabelNode();
    LabelNode inner = new LabelNode();

    // The copy first, cloned from the loop as it still is.
    // Every label as it is now, those other rewrites added included (a `continue` of an outer
    // loop from inside this one jumps to a label the outer loop's rewrite made).
    Map<LabelNode, LabelNode> labels = new HashMap<>();
    for (AbstractInsnNode i = code.getFirst(); i != null; i = i.getNext()) {
      if (i instanceof LabelNode l) {
        labels.put(l, l);
      }
    }
    for (AbstractInsnNode i = c.head().getNext(); i != c.lastBackEdge(); i = i.getNext()) {
      if (i instanceof LabelNode l) {
        labels.put(l, new LabelNode());
      }
    }
    labels.put(c.head(), inner);
    InsnList copy = new InsnList();
    copy.add(chunked);
    if (frames) {
      copy.add(copy(c.headFrame()));
    }
    AbstractInsnNode i = c.head().getNext();
    for (; i != c.test().getNext(); i = i.getNext()) {
      if (i != c.headFrame()) {
        copy.add(i.clone(labels));
      }
    }
    copy.add(refill(c, left, seen));
    copy.add(chunkEnd(c, end, left, inner));
    copy.add(inner);
    if (frames) {
      copy.add(withLocal(c.headFrame(), end, w));
    }
    copy.add(compare(c, end, chunked, false));
    for (; ; i = i.getNext()) {
      copy.add(i.clone(labels));
      if (i == c.lastBackEdge()) {
        break;
      }
    }
    AbstractInsnNode copyEnd = copy.getLast();
    code.insert(c.lastBackEdge(), copy);
    if (frames) {
      addLocal(inner.getNext(), copyEnd, end, w);
    }

    // Then the way in, before the original.
    InsnList in = distance(c, end);
    // d <=u left as signed after both move by MIN_VALUE: a negative d is over the budget
    in.add(new VarInsnNode(load, end));
    in.add(new LdcInsnNode(w ? (Object) Long.MIN_VALUE : (Object) Integer.MIN_VALUE));
    in.add(new InsnNode(w ? Opcodes.LADD : Opcodes.IADD));
    in.add(new VarInsnNode(Opcodes.ILOAD, left));
    if (w) {
      in.add(new InsnNode(Opcodes.I2L));
      in.add(new LdcInsnNode(Long.MIN_VALUE));
      in.add(new InsnNode(Opcodes.LADD));
      in.add(new InsnNode(Opcodes.LCMP));
      in.add(new JumpInsnNode(Opcodes.IFGT, chunked));
    } else {
      in.add(new LdcInsnNode(Integer.MIN_VALUE));
      in.add(new InsnNode(Opcodes.IADD));
      in.add(new JumpInsnNode(Opcodes.IF_ICMPGT, chunked));
    }
    in.add(new VarInsnNode(Opcodes.ILOAD, left));
    in.add(new VarInsnNode(load, end));
    if (w) {
      in.add(new InsnNode(Opcodes.L2I));
    }
    in.add(new InsnNode(Opcodes.ISUB));
    in.add(new VarInsnNode(Opcodes.ISTORE, left));
    in.add(original);
    if (frames) {
      in.add(copy(c.headFrame()));
    }
    code.insert(frames ? c.headFrame() : c.head(), in);
    retarget(c.backEdges(), c.head(), original);
  }

  /**
   * Gives every strip-mined loop its budget at method entry: run after all rewrites. A budget lives
   * as long as the method's frame, so a loop entered again and again — the inner loop of a nest —
   * spends one budget across its entries and checks once per chunk of iterations in all, not once
   * per entry.
   */
  void initBudgets() {
    if (budgets.isEmpty()) {
      return;
    }
    InsnList init = new InsnList();
    for (int[] budget : budgets) {
      init.add(new LdcInsnNode(budget[2]));
      init.add(new VarInsnNode(Opcodes.ISTORE, budget[0]));
      init.add(new InsnNode(Opcodes.ICONST_0));
      init.add(new VarInsnNode(Opcodes.ISTORE, budget[1]));
      if (frames) {
        addLocal(m.instructions.getFirst(), null, budget[0], false);
        addLocal(m.instructions.getFirst(), null, budget[1], false);
      }
    }
    m.instructions.insert(init);
  }

  /**
   * Where a chunk starts: a budget spent means a whole chunk has run since the last check, so this
   * is where the loop starts a new budget and looks for the GIL's request — never on a loop's first
   * chunk. It passes the checkpoint only at the chunk end after one that saw a request, that is
   * when no other checkpoint served the request within a chunk:
   *
   * <pre>{@code
   * if left == 0 {
   *   left = CHUNK
   *   if seen != 0 { seen = 0; checkpoint } else seen = requested
   * }
   * }</pre>
   *
   * A call that C2 compiles here, taken even once, has it keep the inner loop's arrays in stack
   * slots around it and reload them inside the vectorized loop (read in the compiled code: {@code
   * c[i] = a[i] + b[i]} over 2^17 ints inlined into JMH's loop, JDK 17, a reload per vector
   * instruction). C2 compiles a branch as a trap only if its profile saw it reached often and never
   * taken, so the branch in front of the call is the one every chunk end reaches: {@code seen !=
   * 0}. In a loop that ends within two chunks it is never taken, however often the GIL requests; a
   * loop that runs on alone takes the call at the second chunk end after a request.
   */
  private InsnList refill(Counted c, int left, int seen) {
    InsnList out = new InsnList();
    LabelNode resume = new LabelNode();
    LabelNode again = new LabelNode();
    out.add(new VarInsnNode(Opcodes.ILOAD, left));
    out.add(new JumpInsnNode(Opcodes.IFNE, resume));
    out.add(new LdcInsnNode(c.chunk()));
    out.add(new VarInsnNode(Opcodes.ISTORE, left));
    out.add(new VarInsnNode(Opcodes.ILOAD, seen));
    out.add(new JumpInsnNode(Opcodes.IFNE, again));
    out.add(
        new MethodInsnNode(
            Opcodes.INVOKESTATIC, CheckpointWeaver.HOOKS, "checkpointRequested", "()Z", false));
    out.add(new VarInsnNode(Opcodes.ISTORE, seen));
    out.add(new JumpInsnNode(Opcodes.GOTO, resume));
    out.add(again);
    if (frames) {
      out.add(copy(c.headFrame()));
    }
    out.add(new InsnNode(Opcodes.ICONST_0));
    out.add(new VarInsnNode(Opcodes.ISTORE, seen));
    out.add(checkpoint());
    out.add(resume);
    if (frames) {
      out.add(copy(c.headFrame()));
    }
    return out;
  }

  /** {@code end = L - i} (counting down: {@code i - L}): the iterations the loop has left. */
  private InsnList distance(Counted c, int end) {
    boolean w = c.wide();
    int load = w ? Opcodes.LLOAD : Opcodes.ILOAD;
    InsnList out = new InsnList();
    if (c.up()) {
      out.add(limit(c));
      out.add(new VarInsnNode(load, c.var()));
    } else {
      out.add(new VarInsnNode(load, c.var()));
      out.add(limit(c));
    }
    out.add(new InsnNode(w ? Opcodes.LSUB : Opcodes.ISUB));
    out.add(new VarInsnNode(w ? Opcodes.LSTORE : Opcodes.ISTORE, end));
    return out;
  }

  /**
   * {@code d = L - i; if (d > left) { end = i + left; left = 0 } else { left = d < 0 ? 0 : left -
   * d; end = L }} (counting down: {@code d = i - L}, {@code end = i - left}), then on to {@code
   * next}: the chunk is the budget's rest, or the loop's rest when that is shorter, and spends it.
   * A negative {@code d} is a distance beyond the type's range: the chunk is the rest of the loop —
   * correct, just not cut — and the budget is spent.
   */
  private InsnList chunkEnd(Counted c, int end, int left, LabelNode next) {
    boolean w = c.wide();
    int load = w ? Opcodes.LLOAD : Opcodes.ILOAD;
    int store = w ? Opcodes.LSTORE : Opcodes.ISTORE;
    InsnList out = distance(c, end);
    LabelNode whole = new LabelNode();
    LabelNode negative = new LabelNode();
    LabelNode rest = new LabelNode();
    out.add(new VarInsnNode(load, end));
    out.add(new VarInsnNode(Opcodes.ILOAD, left));
    if (w) {
      out.add(new InsnNode(Opcodes.I2L));
      out.add(new InsnNode(Opcodes.LCMP));
      out.add(new JumpInsnNode(Opcodes.IFLE, whole));
    } else {
      out.add(new JumpInsnNode(Opcodes.IF_ICMPLE, whole));
    }
    out.add(new VarInsnNode(load, c.var()));
    out.add(new VarInsnNode(Opcodes.ILOAD, left));
    if (w) {
      out.add(new InsnNode(Opcodes.I2L));
    }
    if (c.up()) {
      out.add(new InsnNode(w ? Opcodes.LADD : Opcodes.IADD));
    } else {
      out.add(new InsnNode(w ? Opcodes.LSUB : Opcodes.ISUB));
    }
    out.add(new VarInsnNode(store, end));
    out.add(new InsnNode(Opcodes.ICONST_0));
    out.add(new VarInsnNode(Opcodes.ISTORE, left));
    out.add(new JumpInsnNode(Opcodes.GOTO, next));
    // d <= left: the rest of the loop fits in the budget.
    out.add(whole);
    if (frames) {
      out.add(withLocal(c.headFrame(), end, w));
    }
    out.add(new VarInsnNode(load, end));
    if (w) {
      out.add(new InsnNode(Opcodes.LCONST_0));
      out.add(new InsnNode(Opcodes.LCMP));
    }
    out.add(new JumpInsnNode(Opcodes.IFLT, negative));
    out.add(new VarInsnNode(Opcodes.ILOAD, left));
    out.add(new VarInsnNode(load, end));
    if (w) {
      out.add(new InsnNode(Opcodes.L2I));
    }
    out.add(new InsnNode(Opcodes.ISUB));
    out.add(new VarInsnNode(Opcodes.ISTORE, left));
    out.add(new JumpInsnNode(Opcodes.GOTO, rest));
    out.add(negative);
    if (frames) {
      out.add(withLocal(c.headFrame(), end, w));
    }
    out.add(new InsnNode(Opcodes.ICONST_0));
    out.add(new VarInsnNode(Opcodes.ISTORE, left));
    out.add(rest);
    if (frames) {
      out.add(withLocal(c.headFrame(), end, w));
    }
    out.add(limit(c));
    out.add(new VarInsnNode(store, end));
    return out;
  }

  /**
   * {@code i REL end}: jumps to {@code target} if the relation holds ({@code continues}) or not.
   */
  private static InsnList compare(Counted c, int end, LabelNode target, boolean continues) {
    InsnList out = new InsnList();
    int load = c.wide() ? Opcodes.LLOAD : Opcodes.ILOAD;
    out.add(new VarInsnNode(load, c.var()));
    out.add(new VarInsnNode(load, end));
    int rel = ifOpcode(c.up(), c.orEqual(), continues);
    if (c.wide()) {
      out.add(new InsnNode(Opcodes.LCMP));
      out.add(new JumpInsnNode(rel, target));
    } else {
      out.add(new JumpInsnNode(rel - Opcodes.IFEQ + Opcodes.IF_ICMPEQ, target));
    }
    return out;
  }

  private static InsnList limit(Counted c) {
    InsnList out = new InsnList();
    for (AbstractInsnNode insn : c.limit()) {
      out.add(insn.clone(Map.of()));
    }
    return out;
  }

  private static void retarget(List<AbstractInsnNode> jumps, LabelNode from, LabelNode to) {
    for (AbstractInsnNode insn : jumps) {
      if (insn instanceof JumpInsnNode j && j.label == from) {
        j.label = to;
      } else if (insn instanceof TableSwitchInsnNode s) {
        replace(s.labels, from, to);
        s.dflt = s.dflt == from ? to : s.dflt;
      } else if (insn instanceof LookupSwitchInsnNode s) {
        replace(s.labels, from, to);
        s.dflt = s.dflt == from ? to : s.dflt;
      }
    }
  }

  private static void replace(List<LabelNode> labels, LabelNode from, LabelNode to) {
    for (int i = 0; i < labels.size(); i++) {
      if (labels.get(i) == from) {
        labels.set(i, to);
      }
    }
  }

  /** Jumps from before or after a bottom-tested loop to its head now enter through the chunk. */
  private void retargetFromOutside(Counted c, LabelNode entry) {
    int head = index.get(c.head());
    int back = index.get(c.lastBackEdge());
    List<AbstractInsnNode> outside = new ArrayList<>();
    for (int i = 0; i < insns.length; i++) {
      if (i < head || i > back) {
        outside.add(insns[i]);
      }
    }
    retarget(outside, c.head(), entry);
  }

  /** Every frame from {@code from} to {@code to} also holds the chunk end in {@code slot}. */
  private static void addLocal(AbstractInsnNode from, AbstractInsnNode to, int slot, boolean wide) {
    for (AbstractInsnNode i = from; i != null; i = i.getNext()) {
      if (i instanceof FrameNode f) {
        f.local = withLocal(f, slot, wide).local;
      }
      if (i == to) {
        break;
      }
    }
  }

  private static FrameNode withLocal(FrameNode f, int slot, boolean wide) {
    List<Object> slots = new ArrayList<>();
    for (Object type : f.local) {
      slots.add(type);
      if (Opcodes.LONG.equals(type) || Opcodes.DOUBLE.equals(type)) {
        slots.add(SECOND_HALF);
      }
    }
    while (slots.size() < slot + (wide ? 2 : 1)) {
      slots.add(Opcodes.TOP);
    }
    slots.set(slot, wide ? Opcodes.LONG : Opcodes.INTEGER);
    if (wide) {
      slots.set(slot + 1, SECOND_HALF);
    }
    List<Object> local = new ArrayList<>();
    for (Object type : slots) {
      if (type != SECOND_HALF) {
        local.add(type);
      }
    }
    return new FrameNode(Opcodes.F_NEW, local.size(), local.toArray(), 0, new Object[0]);
  }

  private static FrameNode copy(FrameNode f) {
    return new FrameNode(
        Opcodes.F_NEW, f.local.size(), f.local.toArray(), f.stack.size(), f.stack.toArray());
  }

  private static FrameNode frameAfter(LabelNode label) {
    for (AbstractInsnNode i = label.getNext(); i != null; i = i.getNext()) {
      if (i instanceof FrameNode f) {
        return f;
      }
      if (!(i instanceof LabelNode) && !(i instanceof LineNumberNode)) {
        return null;
      }
    }
    return null;
  }

  private static MethodInsnNode checkpoint() {
    return new MethodInsnNode(
        Opcodes.INVOKESTATIC, CheckpointWeaver.HOOKS, "checkpoint", "()V", false);
  }

  static List<LabelNode> targets(AbstractInsnNode insn) {
    if (insn instanceof JumpInsnNode j) {
      return List.of(j.label);
    }
    if (insn instanceof TableSwitchInsnNode s) {
      List<LabelNode> all = new ArrayList<>(s.labels);
      all.add(s.dflt);
      return all;
    }
    if (insn instanceof LookupSwitchInsnNode s) {
      List<LabelNode> all = new ArrayList<>(s.labels);
      all.add(s.dflt);
      return all;
    }
    return List.of();
  }
}

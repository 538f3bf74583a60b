package dev.gil4j.agent.internal;

import dev.gil4j.agent.internal.JdkAdvice.Moved;
import dev.gil4j.agent.internal.JdkAdvice.When;
import dev.gil4j.agent.internal.JdkWeaver.Site;
import java.util.ArrayList;
import java.util.List;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.FrameNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.InsnNode;
import org.objectweb.asm.tree.IntInsnNode;
import org.objectweb.asm.tree.JumpInsnNode;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TryCatchBlockNode;
import org.objectweb.asm.tree.VarInsnNode;

/**
 * The code of each {@link JdkAdvice}, and where it goes in an advised method ({@link #wrap}), for
 * {@link JdkWeaver}. Kept apart from the advice and the weaver themselves, which every start loads,
 * so that ASM's tree classes load only when a class is woven.
 */
final class AdviceCode {
  /** A timed pipe call's flags bit: {@code Pipes} is timing the call. */
  static final int TIMED = 1;

  /** A timed pipe call's flags bit: the GIL was released. */
  static final int RELEASED = 2;

  /**
   * Operand stack the advice needs beyond the method's own (the widest: a long count on a long).
   */
  private static final int EXTRA_STACK = 4;

  private AdviceCode() {}

  /**
   * Wraps the body of {@code s.method} in its advice: {@link #enter} first, {@link #exit} before
   * every return and, if the advice runs on exceptions too, in a catch-all handler that rethrows,
   * whose range leaves out the exit code itself.
   */
  static void wrap(Site s) {
    MethodNode m = s.method;
    JdkAdvice advice = s.advice;
    for (AbstractInsnNode insn : m.instructions) {
      if (insn instanceof FrameNode f) {
        if (f.type != Opcodes.F_NEW) {
          throw new IllegalStateException("compressed frames in " + m.name + m.desc);
        }
        f.local = s.declare(f.local, advice.locals);
      }
    }
    m.maxLocals = s.slot + Site.slots(advice.locals);
    m.maxStack += EXTRA_STACK;
    InsnList code = m.instructions;
    InsnList enter = new InsnList();
    enter(s, enter);
    if (enter.size() > 0 && m.name.equals("<init>")) {
      throw new IllegalStateException("entry advice in a constructor: " + advice);
    }
    LabelNode start = new LabelNode();
    enter.add(start);
    code.insert(enter);
    List<AbstractInsnNode> returns = new ArrayList<>();
    for (AbstractInsnNode insn : code) {
      int op = insn.getOpcode();
      if (op >= Opcodes.IRETURN && op <= Opcodes.RETURN) {
        returns.add(insn);
      }
    }
    List<LabelNode[]> covered = new ArrayList<>();
    LabelNode from = start;
    for (AbstractInsnNode ret : returns) {
      InsnList exit = new InsnList();
      exit(s, exit, false);
      if (exit.size() == 0) {
        continue;
      }
      LabelNode to = new LabelNode();
      LabelNode resume = new LabelNode();
      exit.insert(to);
      code.insertBefore(ret, exit);
      code.insert(ret, resume);
      covered.add(new LabelNode[] {from, to});
      from = resume;
    }
    if (!advice.onThrow) {
      return;
    }
    LabelNode handler = new LabelNode();
    covered.add(new LabelNode[] {from, handler});
    code.add(handler);
    code.add(s.exitFrame(true));
    exit(s, code, true);
    code.add(new InsnNode(Opcodes.ATHROW));
    // After the method's own handlers: an exception its code catches never reaches this one.
    for (LabelNode[] range : covered) {
      if (hasCode(range[0], range[1])) {
        m.tryCatchBlocks.add(new TryCatchBlockNode(range[0], range[1], handler, null));
      }
    }
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

  /** Code at entry of {@code s}'s method, for its advice; leaves the stack empty. */
  static void enter(Site s, InsnList code) {
    JdkAdvice advice = s.advice;
    switch (advice) {
      case BLOCKING -> paired(s, code, "beforeBlocking");
      case PARK -> {
        // exits see only the advice's own locals: the blocker travels in one of them
        code.add(new VarInsnNode(Opcodes.ALOAD, 0));
        code.add(new VarInsnNode(Opcodes.ASTORE, s.slot + 3));
        paired(s, code, "beforeBlocking");
        code.add(new VarInsnNode(Opcodes.ALOAD, s.slot + 3));
        code.add(s.hooks("parkBegins", "(Ljava/lang/Object;)J"));
        code.add(new VarInsnNode(Opcodes.LSTORE, s.slot + 1));
      }
      case ACQUIRE -> paired(s, code, "acquireBegins");
      case UNPARK -> {
        // exits see only the advice's own locals: the thread travels in one of them
        code.add(new VarInsnNode(Opcodes.ALOAD, 0));
        code.add(new VarInsnNode(Opcodes.ASTORE, s.slot));
      }
      case THREAD_START -> {
        // exits see only the advice's own locals: the thread travels in one of them
        code.add(new VarInsnNode(Opcodes.ALOAD, 0));
        code.add(new InsnNode(Opcodes.DUP));
        code.add(new VarInsnNode(Opcodes.ASTORE, s.slot + 1));
        code.add(s.hooks("threadStarting", "(Ljava/lang/Thread;)Z"));
        code.add(new VarInsnNode(Opcodes.ISTORE, s.slot));
      }
      case THREAD_RUN, VIRTUAL_THREAD_RUN -> code.add(s.hooks("threadBegins", "()V"));
      case THREAD_EXIT -> code.add(s.hooks("threadEnded", "()V"));
      case CLASS_LOADING -> code.add(s.hooks("enterClassLoading", "()V"));
      case RECORDER_STARTS -> code.add(s.hooks("recorderStarts", "()V"));
      case NIO_PIPE_OPENED, PIPED_STREAM_CREATED, PROCESS_STARTED -> {}
      default -> pipeEnter(s, code);
    }
  }

  /**
   * Code before a return, with the return value on the stack (left there), or with {@code thrown}
   * in a handler, with the exception on the stack (left there).
   */
  static void exit(Site s, InsnList code, boolean thrown) {
    JdkAdvice advice = s.advice;
    switch (advice) {
      case BLOCKING -> pairedExit(s, code, thrown, "afterBlocking");
      case PARK -> {
        // the park ends once the GIL is back: a wait includes re-taking it, a hold never does
        pairedExit(s, code, thrown, "afterBlocking");
        code.add(new VarInsnNode(Opcodes.ALOAD, s.slot + 3));
        code.add(new VarInsnNode(Opcodes.LLOAD, s.slot + 1));
        code.add(s.hooks("parkEnded", "(Ljava/lang/Object;J)V"));
      }
      case ACQUIRE -> pairedExit(s, code, thrown, "acquireEnds");
      case UNPARK -> {
        code.add(new VarInsnNode(Opcodes.ALOAD, s.slot));
        code.add(s.hooks("unparked", "(Ljava/lang/Thread;)V"));
      }
      case THREAD_START -> {
        // threadStartEnded(thrown or null, thread, registered); a thrown one stays on the stack
        code.add(thrown ? new InsnNode(Opcodes.DUP) : new InsnNode(Opcodes.ACONST_NULL));
        code.add(new VarInsnNode(Opcodes.ALOAD, s.slot + 1));
        code.add(new VarInsnNode(Opcodes.ILOAD, s.slot));
        code.add(s.hooks("threadStartEnded", "(Ljava/lang/Throwable;Ljava/lang/Thread;Z)V"));
      }
      case THREAD_RUN, THREAD_EXIT, RECORDER_STARTS -> {}
      case VIRTUAL_THREAD_RUN -> code.add(s.hooks("threadEnded", "()V"));
      case CLASS_LOADING -> code.add(s.hooks("exitClassLoading", "()V"));
      case NIO_PIPE_OPENED -> {
        code.add(s.field("source", null));
        code.add(s.field("sink", null));
        code.add(s.pipes("nioPipeOpened", "(Ljava/lang/Object;Ljava/lang/Object;)V"));
      }
      case PIPED_STREAM_CREATED -> {
        code.add(new VarInsnNode(Opcodes.ALOAD, 0));
        code.add(s.pipes("pipedStreamCreated", "(Ljava/lang/Object;)V"));
      }
      case PROCESS_STARTED -> {
        code.add(s.field("stdin", "Ljava/io/OutputStream;"));
        code.add(s.field("stdout", "Ljava/io/InputStream;"));
        code.add(s.field("stderr", "Ljava/io/InputStream;"));
        code.add(
            s.pipes(
                "processStarted",
                "(Ljava/io/OutputStream;Ljava/io/InputStream;Ljava/io/InputStream;)V"));
      }
      default -> pipeExit(s, code, thrown);
    }
  }

  /** {@code boolean b = Hooks.hook();} at entry, for {@link #pairedExit}. */
  private static void paired(Site s, InsnList code, String hook) {
    code.add(s.hooks(hook, "()Z"));
    code.add(new VarInsnNode(Opcodes.ISTORE, s.slot));
  }

  /** {@code if (b) Hooks.hook();} at an exit. */
  private static void pairedExit(Site s, InsnList code, boolean thrown, String hook) {
    LabelNode done = new LabelNode();
    code.add(new VarInsnNode(Opcodes.ILOAD, s.slot));
    code.add(new JumpInsnNode(Opcodes.IFEQ, done));
    code.add(s.hooks(hook, "()V"));
    code.add(done);
    code.add(s.exitFrame(thrown));
  }

  /** A timed pipe call's entry: see {@link JdkAdvice}'s pipe constructor. */
  private static void pipeEnter(Site s, InsnList code) {
    JdkAdvice advice = s.advice;
    When when = advice.when;
    if (advice.moved == Moved.REQUESTED) {
      code.add(new VarInsnNode(Opcodes.ILOAD, s.argSlot(2)));
      code.add(new VarInsnNode(Opcodes.ISTORE, s.slot + 1));
    }
    // The condition is read first, as the method finds the fields (under the stream's monitor);
    // then RELEASED, branch-free: the boolean shifted into place, and the condition swapped on top.
    LabelNode untimed = new LabelNode();
    switch (when) {
      case ALWAYS -> {}
      case EMPTY -> code.add(s.field("in", "I"));
      case FULL, TOO_BIG -> {
        code.add(s.field("in", "I"));
        code.add(s.field("out", "I"));
        code.add(s.field("buffer", "[B"));
        code.add(new InsnNode(Opcodes.ARRAYLENGTH));
        code.add(s.hooks("pipedFree", "(III)I"));
      }
    }
    code.add(s.hooks("beforeBlocking", "()Z"));
    code.add(new InsnNode(Opcodes.ICONST_1));
    code.add(new InsnNode(Opcodes.ISHL));
    switch (when) {
      case ALWAYS -> {}
      case EMPTY -> {
        code.add(new InsnNode(Opcodes.SWAP));
        code.add(new JumpInsnNode(Opcodes.IFGE, untimed));
      }
      case FULL -> {
        code.add(new InsnNode(Opcodes.SWAP));
        code.add(new JumpInsnNode(Opcodes.IFNE, untimed));
      }
      case TOO_BIG -> {
        code.add(new InsnNode(Opcodes.SWAP));
        code.add(new VarInsnNode(Opcodes.ILOAD, s.slot + 1));
        code.add(new JumpInsnNode(Opcodes.IF_ICMPGE, untimed));
      }
    }
    code.add(new VarInsnNode(Opcodes.ALOAD, 0));
    // TIMED is bit 0
    code.add(s.pipes(advice.write ? "writeBegins" : "readBegins", "(Ljava/lang/Object;)Z"));
    code.add(new InsnNode(Opcodes.IOR));
    if (when != When.ALWAYS) {
      code.add(untimed);
      Object[] stored =
          advice.moved == Moved.REQUESTED
              ? new Object[] {Opcodes.TOP, Opcodes.INTEGER}
              : new Object[0];
      code.add(s.entryFrame(stored, Opcodes.INTEGER));
    }
    code.add(new VarInsnNode(Opcodes.ISTORE, s.slot));
  }

  /** A timed pipe call's exit: the bytes moved to {@code Pipes}, then the GIL re-taken. */
  private static void pipeExit(Site s, InsnList code, boolean thrown) {
    LabelNode untimed = new LabelNode();
    code.add(new VarInsnNode(Opcodes.ILOAD, s.slot));
    code.add(new InsnNode(Opcodes.ICONST_0 + TIMED));
    code.add(new InsnNode(Opcodes.IAND));
    code.add(new JumpInsnNode(Opcodes.IFEQ, untimed));
    if (thrown) {
      code.add(new InsnNode(Opcodes.LCONST_0));
    } else {
      moved(s, code);
    }
    code.add(s.pipes("ends", "(J)V"));
    code.add(untimed);
    code.add(s.exitFrame(thrown));
    LabelNode kept = new LabelNode();
    code.add(new VarInsnNode(Opcodes.ILOAD, s.slot));
    code.add(new InsnNode(Opcodes.ICONST_0 + RELEASED));
    code.add(new InsnNode(Opcodes.IAND));
    code.add(new JumpInsnNode(Opcodes.IFEQ, kept));
    code.add(s.hooks("afterBlocking", "()V"));
    code.add(kept);
    code.add(s.exitFrame(thrown));
  }

  /** Pushes the bytes moved, a {@code long}, on a normal return; the return value stays below. */
  private static void moved(Site s, InsnList code) {
    switch (s.advice.moved) {
      case BYTE -> {
        // b >= 0 ? 1 : 0, branch-free: the sign bit of ~b.
        code.add(new InsnNode(Opcodes.DUP));
        code.add(new InsnNode(Opcodes.ICONST_M1));
        code.add(new InsnNode(Opcodes.IXOR));
        code.add(new IntInsnNode(Opcodes.BIPUSH, 31));
        code.add(new InsnNode(Opcodes.IUSHR));
        code.add(new InsnNode(Opcodes.I2L));
      }
      case INT -> {
        code.add(new InsnNode(Opcodes.DUP));
        code.add(new InsnNode(Opcodes.ICONST_0));
        code.add(new MethodInsnNode(Opcodes.INVOKESTATIC, "java/lang/Math", "max", "(II)I", false));
        code.add(new InsnNode(Opcodes.I2L));
      }
      case LONG -> {
        code.add(new InsnNode(Opcodes.DUP2));
        code.add(new InsnNode(Opcodes.LCONST_0));
        code.add(new MethodInsnNode(Opcodes.INVOKESTATIC, "java/lang/Math", "max", "(JJ)J", false));
      }
      case ONE -> code.add(new InsnNode(Opcodes.LCONST_1));
      case ARRAY -> {
        // Normal return: the method has read the array's length already, so it is not null.
        code.add(new VarInsnNode(Opcodes.ALOAD, s.argSlot(0)));
        code.add(new InsnNode(Opcodes.ARRAYLENGTH));
        code.add(new InsnNode(Opcodes.I2L));
      }
      case LEN -> {
        code.add(new VarInsnNode(Opcodes.ILOAD, s.argSlot(2)));
        code.add(new InsnNode(Opcodes.I2L));
      }
      case REQUESTED -> {
        code.add(new VarInsnNode(Opcodes.ILOAD, s.slot + 1));
        code.add(new InsnNode(Opcodes.I2L));
      }
    }
  }
}

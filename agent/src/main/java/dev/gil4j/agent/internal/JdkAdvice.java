package dev.gil4j.agent.internal;

import dev.gil4j.agent.internal.JdkWeaver.Site;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.InsnNode;
import org.objectweb.asm.tree.IntInsnNode;
import org.objectweb.asm.tree.JumpInsnNode;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.VarInsnNode;

/**
 * What a JDK method gets around its body ({@link JdkWeaver} places it): code at entry, and code
 * before each return and, for most, in a catch-all handler that rethrows. Every call goes to the
 * runtime's facade, {@code dev.gil4j.runtime.Hooks}, or for pipes to {@code
 * dev.gil4j.profiler.Pipes}: woven JDK code never names a class of the agent's own. The facade's
 * methods catch everything, so the advice throws nothing of its own into the JDK method.
 *
 * <p>Values travel from entry to exit in fresh locals after the method's own ({@link Site#slot}),
 * which every stack map frame of the body declares. Code at an exit starts with only those locals
 * (and the return value, or the exception, on the stack) declared at its branch targets.
 */
enum JdkAdvice {
  /** Release the GIL before the call, re-take it after, also when the call throws. */
  BLOCKING(true, Opcodes.INTEGER) {
    @Override
    void enter(Site s, InsnList code) {
      paired(s, code, "beforeBlocking");
    }

    @Override
    void exit(Site s, InsnList code, boolean thrown) {
      pairedExit(s, code, thrown, "afterBlocking");
    }
  },

  /**
   * {@code LockSupport.park*(blocker, …)}: the GIL released around the park, as {@link #BLOCKING}
   * does, and the park timed for contention profiling inside that, named by its blocker.
   */
  PARK(true, Opcodes.INTEGER, Opcodes.LONG, "java/lang/Object") {
    @Override
    void enter(Site s, InsnList code) {
      // exits see only the advice's own locals: the blocker travels in one of them
      code.add(new VarInsnNode(Opcodes.ALOAD, 0));
      code.add(new VarInsnNode(Opcodes.ASTORE, s.slot + 3));
      paired(s, code, "beforeBlocking");
      code.add(new VarInsnNode(Opcodes.ALOAD, s.slot + 3));
      code.add(s.hooks("parkBegins", "(Ljava/lang/Object;)J"));
      code.add(new VarInsnNode(Opcodes.LSTORE, s.slot + 1));
    }

    @Override
    void exit(Site s, InsnList code, boolean thrown) {
      code.add(new VarInsnNode(Opcodes.ALOAD, s.slot + 3));
      code.add(new VarInsnNode(Opcodes.LLOAD, s.slot + 1));
      code.add(s.hooks("parkEnded", "(Ljava/lang/Object;J)V"));
      pairedExit(s, code, thrown, "afterBlocking");
    }
  },

  /** A lock acquisition: the GIL released at its first wait stays released until it returns. */
  ACQUIRE(true, Opcodes.INTEGER) {
    @Override
    void enter(Site s, InsnList code) {
      paired(s, code, "acquireBegins");
    }

    @Override
    void exit(Site s, InsnList code, boolean thrown) {
      pairedExit(s, code, thrown, "acquireEnds");
    }
  },

  /**
   * {@code LockSupport.unpark(thread)} by the GIL holder: a thread it woke inside a lock
   * acquisition may try for the lock first ({@code Hooks.unparked}).
   */
  UNPARK(false, "java/lang/Thread") {
    @Override
    void enter(Site s, InsnList code) {
      // exits see only the advice's own locals: the thread travels in one of them
      code.add(new VarInsnNode(Opcodes.ALOAD, 0));
      code.add(new VarInsnNode(Opcodes.ASTORE, s.slot));
    }

    @Override
    void exit(Site s, InsnList code, boolean thrown) {
      code.add(new VarInsnNode(Opcodes.ALOAD, s.slot));
      code.add(s.hooks("unparked", "(Ljava/lang/Thread;)V"));
    }
  },

  /** A registered thread starting another registers it; a start that throws undoes that. */
  THREAD_START(true, Opcodes.INTEGER, "java/lang/Thread") {
    @Override
    void enter(Site s, InsnList code) {
      // exits see only the advice's own locals: the thread travels in one of them
      code.add(new VarInsnNode(Opcodes.ALOAD, 0));
      code.add(new InsnNode(Opcodes.DUP));
      code.add(new VarInsnNode(Opcodes.ASTORE, s.slot + 1));
      code.add(s.hooks("threadStarting", "(Ljava/lang/Thread;)Z"));
      code.add(new VarInsnNode(Opcodes.ISTORE, s.slot));
    }

    @Override
    void exit(Site s, InsnList code, boolean thrown) {
      // Hooks.threadStartEnded(thrown or null, thread, registered); a thrown one stays on the stack
      code.add(thrown ? new InsnNode(Opcodes.DUP) : new InsnNode(Opcodes.ACONST_NULL));
      code.add(new VarInsnNode(Opcodes.ALOAD, s.slot + 1));
      code.add(new VarInsnNode(Opcodes.ILOAD, s.slot));
      code.add(s.hooks("threadStartEnded", "(Ljava/lang/Throwable;Ljava/lang/Thread;Z)V"));
    }
  },

  /** A registered thread takes the GIL at the start of its {@code run}, before the body. */
  THREAD_RUN(false) {
    @Override
    void enter(Site s, InsnList code) {
      code.add(s.hooks("threadBegins", "()V"));
    }
  },

  /**
   * A platform thread that ends releases the GIL for good, uncaught exception or not. On entry to
   * {@code Thread.exit}, which the JVM calls after {@code run}: it clears the thread locals that
   * hold the thread's GIL state.
   */
  THREAD_EXIT(false) {
    @Override
    void enter(Site s, InsnList code) {
      code.add(s.hooks("threadEnded", "()V"));
    }
  },

  /**
   * A virtual thread begins its task in {@code VirtualThread.run(Runnable)}, taking the GIL before
   * the task's first instruction, and ends when the task returns.
   */
  VIRTUAL_THREAD_RUN(true) {
    @Override
    void enter(Site s, InsnList code) {
      code.add(s.hooks("threadBegins", "()V"));
    }

    @Override
    void exit(Site s, InsnList code, boolean thrown) {
      code.add(s.hooks("threadEnded", "()V"));
    }
  },

  /** Class loading: the GIL never changes hands inside. */
  CLASS_LOADING(true) {
    @Override
    void enter(Site s, InsnList code) {
      code.add(s.hooks("enterClassLoading", "()V"));
    }

    @Override
    void exit(Site s, InsnList code, boolean thrown) {
      code.add(s.hooks("exitClassLoading", "()V"));
    }
  },

  /**
   * {@code FlightRecorder.getFlightRecorder()}, through which JFR starts, however it is started:
   * gil4j's events join it there ({@code Hooks.recorderStarts}), so that a run without JFR loads
   * none of JFR.
   */
  RECORDER_STARTS(false) {
    @Override
    void enter(Site s, InsnList code) {
      code.add(s.hooks("recorderStarts", "()V"));
    }
  },

  /** {@code java.nio.channels.Pipe.open()} made its two channels ({@code PipeImpl}'s fields). */
  NIO_PIPE_OPENED(false) {
    @Override
    void exit(Site s, InsnList code, boolean thrown) {
      code.add(s.field("source", null));
      code.add(s.field("sink", null));
      code.add(s.pipes("nioPipeOpened", "(Ljava/lang/Object;Ljava/lang/Object;)V"));
    }
  },

  /** Every {@code PipedInputStream} constructor calls {@code initPipe} once. */
  PIPED_STREAM_CREATED(false) {
    @Override
    void exit(Site s, InsnList code, boolean thrown) {
      code.add(new VarInsnNode(Opcodes.ALOAD, 0));
      code.add(s.pipes("pipedStreamCreated", "(Ljava/lang/Object;)V"));
    }
  },

  /** A child process started, its streams in place ({@code ProcessImpl}'s fields). */
  PROCESS_STARTED(false) {
    @Override
    void exit(Site s, InsnList code, boolean thrown) {
      code.add(s.field("stdin", "Ljava/io/OutputStream;"));
      code.add(s.field("stdout", "Ljava/io/InputStream;"));
      code.add(s.field("stderr", "Ljava/io/InputStream;"));
      code.add(
          s.pipes(
              "processStarted",
              "(Ljava/io/OutputStream;Ljava/io/InputStream;Ljava/io/InputStream;)V"));
    }
  },

  /** {@code int read()}: a byte, or -1 at the end. */
  READ_BYTE(false, When.ALWAYS, Moved.BYTE),
  /** {@code int read(…)}: a count, or -1 at the end. */
  READ_COUNT(false, When.ALWAYS, Moved.INT),
  /** {@code long read(ByteBuffer[]…)}: a count, or -1 at the end. */
  READ_LONG(false, When.ALWAYS, Moved.LONG),
  /** {@code int write(ByteBuffer)}: a count. */
  WRITE_COUNT(true, When.ALWAYS, Moved.INT),
  /** {@code long write(ByteBuffer[]…)}: a count. */
  WRITE_LONG(true, When.ALWAYS, Moved.LONG),
  /** {@code void write(int)}: one byte. */
  WRITE_BYTE(true, When.ALWAYS, Moved.ONE),
  /** {@code void write(byte[])}: the whole array. */
  WRITE_ARRAY(true, When.ALWAYS, Moved.ARRAY),
  /** {@code void write(byte[], int off, int len)}: {@code len} bytes. */
  WRITE_RANGE(true, When.ALWAYS, Moved.LEN),
  /** {@code PipedInputStream.read()}: waits only while the buffer is empty ({@code in < 0}). */
  PIPED_READ_BYTE(false, When.EMPTY, Moved.BYTE),
  /** {@code PipedInputStream.read(byte[], int, int)}: waits only while the buffer is empty. */
  PIPED_READ(false, When.EMPTY, Moved.INT),
  /**
   * {@code PipedInputStream.receive(int)}, a writer's byte: waits only while the buffer is full.
   */
  PIPED_RECEIVE_BYTE(true, When.FULL, Moved.ONE),
  /**
   * {@code PipedInputStream.receive(byte[], int, int)}, a writer's array: waits only when it does
   * not fit in the free space. The method counts {@code len} down as it copies: the request is kept
   * from the start, in a second local.
   */
  PIPED_RECEIVE(true, When.TOO_BIG, Moved.REQUESTED);

  /** {@link #flags} bit: {@code Pipes} is timing the call. */
  static final int TIMED = 1;

  /** {@link #flags} bit: the GIL was released. */
  static final int RELEASED = 2;

  /** Whether the exit code also runs when the method throws. */
  final boolean onThrow;

  /** The types of the locals the advice keeps from entry to exit, as stack map frames name them. */
  final Object[] locals;

  private final boolean write;
  private final When when;
  private final Moved moved;

  JdkAdvice(boolean onThrow, Object... locals) {
    this.onThrow = onThrow;
    this.locals = locals;
    this.write = false;
    this.when = null;
    this.moved = null;
  }

  /**
   * A timed pipe call, also a blocking point. Entry leaves two bits in an {@code int} local, {@link
   * #RELEASED} (the GIL was dropped) and {@link #TIMED} ({@code Pipes} is timing the call); the
   * exit undoes them in reverse order, so the time recorded is the pipe's own: waiting to re-take
   * the GIL afterwards is the GIL's wait, recorded as such, and a call measures the same with the
   * GIL on or off.
   */
  JdkAdvice(boolean write, When when, Moved moved) {
    this.onThrow = true;
    this.locals =
        moved == Moved.REQUESTED
            ? new Object[] {Opcodes.INTEGER, Opcodes.INTEGER}
            : new Object[] {Opcodes.INTEGER};
    this.write = write;
    this.when = when;
    this.moved = moved;
  }

  /** When a pipe call can wait, and so is timed. */
  enum When {
    ALWAYS,
    /** A piped stream's buffer is empty: {@code in < 0}. */
    EMPTY,
    /** A piped stream's buffer is full. */
    FULL,
    /** A piped stream's free space is less than the request, argument 2. */
    TOO_BIG
  }

  /** How many bytes a pipe call moved, when it returns normally. */
  enum Moved {
    /** The {@code int} returned is a byte, or -1: one byte unless negative. */
    BYTE,
    /** The {@code int} returned is a count, or -1. */
    INT,
    /** The {@code long} returned is a count, or -1. */
    LONG,
    ONE,
    /** The length of argument 0, an array. */
    ARRAY,
    /** Argument 2. */
    LEN,
    /** Argument 2 as it was at entry. */
    REQUESTED
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

  /** Code at entry; leaves the stack empty. */
  void enter(Site s, InsnList code) {
    if (moved == null) {
      return;
    }
    if (moved == Moved.REQUESTED) {
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
    code.add(
        s.pipes(write ? "writeBegins" : "readBegins", "(Ljava/lang/Object;)Z")); // TIMED is bit 0
    code.add(new InsnNode(Opcodes.IOR));
    if (when != When.ALWAYS) {
      code.add(untimed);
      Object[] stored =
          moved == Moved.REQUESTED ? new Object[] {Opcodes.TOP, Opcodes.INTEGER} : new Object[0];
      code.add(s.entryFrame(stored, Opcodes.INTEGER));
    }
    code.add(new VarInsnNode(Opcodes.ISTORE, s.slot));
  }

  /**
   * Code before a return, with the return value on the stack (left there), or with {@code thrown}
   * in a handler, with the exception on the stack (left there).
   */
  void exit(Site s, InsnList code, boolean thrown) {
    if (moved == null) {
      return;
    }
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
  private void moved(Site s, InsnList code) {
    switch (moved) {
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

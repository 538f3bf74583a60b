package dev.gil4j.agent.internal;

import org.objectweb.asm.Opcodes;

/**
 * What a JDK method gets around its body ({@link JdkWeaver} places it, {@link AdviceCode} writes
 * it): code at entry, and code before each return and, for most, in a catch-all handler that
 * rethrows. Every call goes to the runtime's facade, {@code dev.gil4j.runtime.Hooks}, or for pipes
 * to {@code dev.gil4j.profiler.Pipes}: woven JDK code never names a class of the agent's own. The
 * facade's methods catch everything, so the advice throws nothing of its own into the JDK method.
 *
 * <p>Values travel from entry to exit in fresh locals after the method's own ({@link
 * JdkWeaver.Site#slot}), which every stack map frame of the body declares. Code at an exit starts
 * with only those locals (and the return value, or the exception, on the stack) declared at its
 * branch targets.
 *
 * <p>Only what each advice is, no code: the tables of {@link JdkInstrumentation} name these at
 * every start, and a class per advice, each naming ASM's tree classes, cost a JDK 25 {@code
 * gil=off} start 3 ms before anything was woven.
 */
enum JdkAdvice {
  /** Release the GIL before the call, re-take it after, also when the call throws. */
  BLOCKING(true, Opcodes.INTEGER),

  /**
   * {@code LockSupport.park*(blocker, …)}: the GIL released around the park, as {@link #BLOCKING}
   * does, and the park timed for contention profiling, named by its blocker, until the GIL is back.
   */
  PARK(true, Opcodes.INTEGER, Opcodes.LONG, "java/lang/Object"),

  /** A lock acquisition: the GIL released at its first wait stays released until it returns. */
  ACQUIRE(true, Opcodes.INTEGER),

  /**
   * {@code LockSupport.unpark(thread)} by the GIL holder: a thread it woke inside a lock
   * acquisition may try for the lock first ({@code Hooks.unparked}).
   */
  UNPARK(false, "java/lang/Thread"),

  /** A registered thread starting another registers it; a start that throws undoes that. */
  THREAD_START(true, Opcodes.INTEGER, "java/lang/Thread"),

  /** A registered thread takes the GIL at the start of its {@code run}, before the body. */
  THREAD_RUN(false),

  /**
   * A platform thread that ends releases the GIL for good, uncaught exception or not. On entry to
   * {@code Thread.exit}, which the JVM calls after {@code run}: it clears the thread locals that
   * hold the thread's GIL state.
   */
  THREAD_EXIT(false),

  /**
   * A virtual thread begins its task in {@code VirtualThread.run(Runnable)}, taking the GIL before
   * the task's first instruction, and ends when the task returns.
   */
  VIRTUAL_THREAD_RUN(true),

  /** Class loading: the GIL never changes hands inside. */
  CLASS_LOADING(true),

  /**
   * {@code FlightRecorder.getFlightRecorder()}, through which JFR starts, however it is started:
   * gil4j's events join it there ({@code Hooks.recorderStarts}), so that a run without JFR loads
   * none of JFR.
   */
  RECORDER_STARTS(false),

  /** {@code java.nio.channels.Pipe.open()} made its two channels ({@code PipeImpl}'s fields). */
  NIO_PIPE_OPENED(false),

  /** Every {@code PipedInputStream} constructor calls {@code initPipe} once. */
  PIPED_STREAM_CREATED(false),

  /** A child process started, its streams in place ({@code ProcessImpl}'s fields). */
  PROCESS_STARTED(false),

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

  /** Whether the exit code also runs when the method throws. */
  final boolean onThrow;

  /** The types of the locals the advice keeps from entry to exit, as stack map frames name them. */
  final Object[] locals;

  /** For a timed pipe call: whether it writes, when it can wait, how many bytes it moved. */
  final boolean write;

  final When when;
  final Moved moved;

  JdkAdvice(boolean onThrow, Object... locals) {
    this.onThrow = onThrow;
    this.locals = locals;
    this.write = false;
    this.when = null;
    this.moved = null;
  }

  /**
   * A timed pipe call, also a blocking point. Entry leaves two bits in an {@code int} local, {@link
   * AdviceCode#RELEASED} (the GIL was dropped) and {@link AdviceCode#TIMED} ({@code Pipes} is
   * timing the call); the exit undoes them in reverse order, so the time recorded is the pipe's
   * own: waiting to re-take the GIL afterwards is the GIL's wait, recorded as such, and a call
   * measures the same with the GIL on or off.
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
}

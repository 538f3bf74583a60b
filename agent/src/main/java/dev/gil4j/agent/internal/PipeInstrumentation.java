package dev.gil4j.agent.internal;

import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.returns;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.gil4j.agent.internal.JdkInstrumentation.Point;
import dev.gil4j.runtime.Hooks;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import net.bytebuddy.asm.Advice;

/**
 * Advice in the JDK's pipe classes: records which objects are the application's pipe ends when a
 * {@code java.nio.channels.Pipe}, a {@code PipedInputStream} or a child process is made, and times
 * their reads and writes into {@code Pipes}, releasing the GIL around each as {@code
 * JdkInstrumentation.BlockingAdvice} does: every method advised here is also a blocking point.
 *
 * <p>Where the calls are caught: a NIO pipe at {@code sun.nio.ch.SourceChannelImpl}/{@code
 * SinkChannelImpl}; a piped stream at {@code PipedInputStream}, where the reader and the writer
 * both wait (only when the buffer is empty for a read, full or too small for a write: otherwise the
 * call cannot block and is not timed); a child's streams at the {@code FileInputStream}/{@code
 * FileOutputStream} inside the JDK's buffered process streams, whose leaf {@code read}/{@code
 * write} methods make the system call (they never call each other, so a call is timed once). The
 * advice methods are split by what the method returns, which says how many bytes it moved.
 *
 * <p>Each enter advice returns two bits: {@link #RELEASED} (the GIL was dropped) and {@link #TIMED}
 * ({@code Pipes} is timing the call); the exit advice undoes them in reverse order. So the time
 * recorded is the pipe's own: waiting to re-take the GIL afterwards is the GIL's wait, recorded as
 * such, and a call measures the same with the GIL on or off.
 */
final class PipeInstrumentation {
  static final int TIMED = 1;
  static final int RELEASED = 2;

  static final List<Point> POINTS =
      List.of(
          new Point("sun.nio.ch.PipeImpl", isConstructor(), NioPipeOpenedAdvice.class),
          new Point(
              "sun.nio.ch.SourceChannelImpl",
              named("read").and(returns(int.class)),
              ReadCountAdvice.class),
          new Point(
              "sun.nio.ch.SourceChannelImpl",
              named("read").and(returns(long.class)),
              ReadLongAdvice.class),
          new Point(
              "sun.nio.ch.SinkChannelImpl",
              named("write").and(returns(int.class)),
              WriteCountAdvice.class),
          new Point(
              "sun.nio.ch.SinkChannelImpl",
              named("write").and(returns(long.class)),
              WriteLongAdvice.class),
          new Point("java.io.PipedInputStream", named("initPipe"), PipedCreatedAdvice.class),
          new Point(
              "java.io.PipedInputStream",
              named("read").and(takesArguments(0)),
              PipedReadByteAdvice.class),
          new Point(
              "java.io.PipedInputStream",
              named("read").and(takesArguments(byte[].class, int.class, int.class)),
              PipedReadAdvice.class),
          new Point(
              "java.io.PipedInputStream",
              named("receive").and(takesArguments(int.class)),
              PipedReceiveByteAdvice.class),
          new Point(
              "java.io.PipedInputStream",
              named("receive").and(takesArguments(byte[].class, int.class, int.class)),
              PipedReceiveAdvice.class),
          new Point("java.lang.ProcessImpl", isConstructor(), ProcessStartedAdvice.class),
          new Point(
              "java.io.FileInputStream",
              named("read").and(takesArguments(0)),
              ReadByteAdvice.class),
          new Point(
              "java.io.FileInputStream",
              named("read")
                  .and(
                      takesArguments(byte[].class)
                          .or(takesArguments(byte[].class, int.class, int.class))),
              ReadCountAdvice.class),
          new Point(
              "java.io.FileOutputStream",
              named("write").and(takesArguments(int.class)),
              WriteByteAdvice.class),
          new Point(
              "java.io.FileOutputStream",
              named("write").and(takesArguments(byte[].class)),
              WriteArrayAdvice.class),
          new Point(
              "java.io.FileOutputStream",
              named("write").and(takesArguments(byte[].class, int.class, int.class)),
              WriteRangeAdvice.class));

  private PipeInstrumentation() {}

  /** {@code java.nio.channels.Pipe.open()} made its two channels. */
  static final class NioPipeOpenedAdvice {
    private NioPipeOpenedAdvice() {}

    @Advice.OnMethodExit(suppress = Throwable.class)
    static void exit(
        @Advice.FieldValue("source") Object source, @Advice.FieldValue("sink") Object sink) {
      Hooks.nioPipeOpened(source, sink);
    }
  }

  /** Every {@code PipedInputStream} constructor calls {@code initPipe} once. */
  static final class PipedCreatedAdvice {
    private PipedCreatedAdvice() {}

    @Advice.OnMethodExit(suppress = Throwable.class)
    static void exit(@Advice.This Object self) {
      Hooks.pipedStreamCreated(self);
    }
  }

  /** A child process started, its streams in place. */
  static final class ProcessStartedAdvice {
    private ProcessStartedAdvice() {}

    @Advice.OnMethodExit(suppress = Throwable.class)
    static void exit(
        @Advice.FieldValue("stdin") OutputStream stdin,
        @Advice.FieldValue("stdout") InputStream stdout,
        @Advice.FieldValue("stderr") InputStream stderr) {
      Hooks.processStarted(stdin, stdout, stderr);
    }
  }

  /** {@code int read()}: a byte, or -1 at the end. */
  static final class ReadByteAdvice {
    private ReadByteAdvice() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static int enter(@Advice.This Object self) {
      int released = Hooks.beforeBlocking() ? RELEASED : 0;
      return released | (Hooks.pipeReadBegins(self) ? TIMED : 0);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(
        @Advice.Enter int flags, @Advice.Return int b, @Advice.Thrown Throwable thrown) {
      if ((flags & TIMED) != 0) {
        Hooks.pipeEnds(thrown == null && b >= 0 ? 1 : 0);
      }
      if ((flags & RELEASED) != 0) {
        Hooks.afterBlocking();
      }
    }
  }

  /** {@code int read(…)}: a count, or -1 at the end. */
  static final class ReadCountAdvice {
    private ReadCountAdvice() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static int enter(@Advice.This Object self) {
      int released = Hooks.beforeBlocking() ? RELEASED : 0;
      return released | (Hooks.pipeReadBegins(self) ? TIMED : 0);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(
        @Advice.Enter int flags, @Advice.Return int n, @Advice.Thrown Throwable thrown) {
      if ((flags & TIMED) != 0) {
        Hooks.pipeEnds(thrown == null ? Math.max(n, 0) : 0);
      }
      if ((flags & RELEASED) != 0) {
        Hooks.afterBlocking();
      }
    }
  }

  /** {@code long read(ByteBuffer[]…)}: a count, or -1 at the end. */
  static final class ReadLongAdvice {
    private ReadLongAdvice() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static int enter(@Advice.This Object self) {
      int released = Hooks.beforeBlocking() ? RELEASED : 0;
      return released | (Hooks.pipeReadBegins(self) ? TIMED : 0);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(
        @Advice.Enter int flags, @Advice.Return long n, @Advice.Thrown Throwable thrown) {
      if ((flags & TIMED) != 0) {
        Hooks.pipeEnds(thrown == null ? Math.max(n, 0) : 0);
      }
      if ((flags & RELEASED) != 0) {
        Hooks.afterBlocking();
      }
    }
  }

  /** {@code int write(ByteBuffer)}: a count. */
  static final class WriteCountAdvice {
    private WriteCountAdvice() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static int enter(@Advice.This Object self) {
      int released = Hooks.beforeBlocking() ? RELEASED : 0;
      return released | (Hooks.pipeWriteBegins(self) ? TIMED : 0);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(
        @Advice.Enter int flags, @Advice.Return int n, @Advice.Thrown Throwable thrown) {
      if ((flags & TIMED) != 0) {
        Hooks.pipeEnds(thrown == null ? Math.max(n, 0) : 0);
      }
      if ((flags & RELEASED) != 0) {
        Hooks.afterBlocking();
      }
    }
  }

  /** {@code long write(ByteBuffer[]…)}: a count. */
  static final class WriteLongAdvice {
    private WriteLongAdvice() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static int enter(@Advice.This Object self) {
      int released = Hooks.beforeBlocking() ? RELEASED : 0;
      return released | (Hooks.pipeWriteBegins(self) ? TIMED : 0);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(
        @Advice.Enter int flags, @Advice.Return long n, @Advice.Thrown Throwable thrown) {
      if ((flags & TIMED) != 0) {
        Hooks.pipeEnds(thrown == null ? Math.max(n, 0) : 0);
      }
      if ((flags & RELEASED) != 0) {
        Hooks.afterBlocking();
      }
    }
  }

  /** {@code void write(int)}: one byte. */
  static final class WriteByteAdvice {
    private WriteByteAdvice() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static int enter(@Advice.This Object self) {
      int released = Hooks.beforeBlocking() ? RELEASED : 0;
      return released | (Hooks.pipeWriteBegins(self) ? TIMED : 0);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@Advice.Enter int flags, @Advice.Thrown Throwable thrown) {
      if ((flags & TIMED) != 0) {
        Hooks.pipeEnds(thrown == null ? 1 : 0);
      }
      if ((flags & RELEASED) != 0) {
        Hooks.afterBlocking();
      }
    }
  }

  /** {@code void write(byte[])}: the whole array. */
  static final class WriteArrayAdvice {
    private WriteArrayAdvice() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static int enter(@Advice.This Object self) {
      int released = Hooks.beforeBlocking() ? RELEASED : 0;
      return released | (Hooks.pipeWriteBegins(self) ? TIMED : 0);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(
        @Advice.Enter int flags, @Advice.Argument(0) byte[] b, @Advice.Thrown Throwable thrown) {
      if ((flags & TIMED) != 0) {
        Hooks.pipeEnds(thrown == null && b != null ? b.length : 0);
      }
      if ((flags & RELEASED) != 0) {
        Hooks.afterBlocking();
      }
    }
  }

  /** {@code void write(byte[], int off, int len)}: {@code len} bytes. */
  static final class WriteRangeAdvice {
    private WriteRangeAdvice() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static int enter(@Advice.This Object self) {
      int released = Hooks.beforeBlocking() ? RELEASED : 0;
      return released | (Hooks.pipeWriteBegins(self) ? TIMED : 0);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(
        @Advice.Enter int flags, @Advice.Argument(2) int len, @Advice.Thrown Throwable thrown) {
      if ((flags & TIMED) != 0) {
        Hooks.pipeEnds(thrown == null ? len : 0);
      }
      if ((flags & RELEASED) != 0) {
        Hooks.afterBlocking();
      }
    }
  }

  /** {@code PipedInputStream.read()}: waits only while the buffer is empty ({@code in < 0}). */
  static final class PipedReadByteAdvice {
    private PipedReadByteAdvice() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static int enter(@Advice.This Object self, @Advice.FieldValue("in") int in) {
      int released = Hooks.beforeBlocking() ? RELEASED : 0;
      return released | (in < 0 && Hooks.pipeReadBegins(self) ? TIMED : 0);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(
        @Advice.Enter int flags, @Advice.Return int b, @Advice.Thrown Throwable thrown) {
      if ((flags & TIMED) != 0) {
        Hooks.pipeEnds(thrown == null && b >= 0 ? 1 : 0);
      }
      if ((flags & RELEASED) != 0) {
        Hooks.afterBlocking();
      }
    }
  }

  /** {@code PipedInputStream.read(byte[], int, int)}: waits only while the buffer is empty. */
  static final class PipedReadAdvice {
    private PipedReadAdvice() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static int enter(@Advice.This Object self, @Advice.FieldValue("in") int in) {
      int released = Hooks.beforeBlocking() ? RELEASED : 0;
      return released | (in < 0 && Hooks.pipeReadBegins(self) ? TIMED : 0);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(
        @Advice.Enter int flags, @Advice.Return int n, @Advice.Thrown Throwable thrown) {
      if ((flags & TIMED) != 0) {
        Hooks.pipeEnds(thrown == null ? Math.max(n, 0) : 0);
      }
      if ((flags & RELEASED) != 0) {
        Hooks.afterBlocking();
      }
    }
  }

  /**
   * {@code PipedInputStream.receive(int)}, a writer's byte: waits only while the buffer is full.
   */
  static final class PipedReceiveByteAdvice {
    private PipedReceiveByteAdvice() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static int enter(
        @Advice.This Object self,
        @Advice.FieldValue("in") int in,
        @Advice.FieldValue("out") int out,
        @Advice.FieldValue("buffer") byte[] buffer) {
      boolean full = Hooks.pipedFree(in, out, buffer.length) == 0;
      int released = Hooks.beforeBlocking() ? RELEASED : 0;
      return released | (full && Hooks.pipeWriteBegins(self) ? TIMED : 0);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@Advice.Enter int flags, @Advice.Thrown Throwable thrown) {
      if ((flags & TIMED) != 0) {
        Hooks.pipeEnds(thrown == null ? 1 : 0);
      }
      if ((flags & RELEASED) != 0) {
        Hooks.afterBlocking();
      }
    }
  }

  /**
   * {@code PipedInputStream.receive(byte[], int, int)}, a writer's array: waits only when it does
   * not fit in the free space. The method counts {@code len} down as it copies: the request is kept
   * from the start.
   */
  static final class PipedReceiveAdvice {
    private PipedReceiveAdvice() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static int enter(
        @Advice.This Object self,
        @Advice.Argument(2) int len,
        @Advice.Local("requested") int requested,
        @Advice.FieldValue("in") int in,
        @Advice.FieldValue("out") int out,
        @Advice.FieldValue("buffer") byte[] buffer) {
      requested = len;
      boolean tooBig = Hooks.pipedFree(in, out, buffer.length) < len;
      int released = Hooks.beforeBlocking() ? RELEASED : 0;
      return released | (tooBig && Hooks.pipeWriteBegins(self) ? TIMED : 0);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(
        @Advice.Enter int flags,
        @Advice.Local("requested") int requested,
        @Advice.Thrown Throwable thrown) {
      if ((flags & TIMED) != 0) {
        Hooks.pipeEnds(thrown == null ? requested : 0);
      }
      if ((flags & RELEASED) != 0) {
        Hooks.afterBlocking();
      }
    }
  }
}

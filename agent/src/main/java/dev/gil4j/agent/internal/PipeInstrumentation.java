package dev.gil4j.agent.internal;

import static dev.gil4j.agent.internal.JdkPoint.of;
import static dev.gil4j.agent.internal.JdkPoint.returning;
import static dev.gil4j.agent.internal.JdkPoint.taking;

import java.util.List;

/**
 * Advice in the JDK's pipe classes: records which objects are the application's pipe ends when a
 * {@code java.nio.channels.Pipe}, a {@code PipedInputStream} or a child process is made, and times
 * their reads and writes into {@code dev.gil4j.profiler.Pipes}, releasing the GIL around each as
 * {@link JdkAdvice#BLOCKING} does: every method advised here is also a blocking point.
 *
 * <p>Where the calls are caught: a NIO pipe at {@code sun.nio.ch.SourceChannelImpl}/{@code
 * SinkChannelImpl}; a piped stream at {@code PipedInputStream}, where the reader and the writer
 * both wait (only when the buffer is empty for a read, full or too small for a write: otherwise the
 * call cannot block and is not timed); a child's streams at the {@code FileInputStream}/{@code
 * FileOutputStream} inside the JDK's buffered process streams, whose leaf {@code read}/{@code
 * write} methods make the system call (they never call each other, so a call is timed once). The
 * advice is chosen by what the method returns or takes, which says how many bytes it moved.
 */
final class PipeInstrumentation {
  static final List<JdkPoint> POINTS =
      List.of(
          of("sun.nio.ch.PipeImpl", "<init>", JdkAdvice.NIO_PIPE_OPENED),
          returning("sun.nio.ch.SourceChannelImpl", "read", "I", JdkAdvice.READ_COUNT),
          returning("sun.nio.ch.SourceChannelImpl", "read", "J", JdkAdvice.READ_LONG),
          returning("sun.nio.ch.SinkChannelImpl", "write", "I", JdkAdvice.WRITE_COUNT),
          returning("sun.nio.ch.SinkChannelImpl", "write", "J", JdkAdvice.WRITE_LONG),
          of("java.io.PipedInputStream", "initPipe", JdkAdvice.PIPED_STREAM_CREATED),
          taking("java.io.PipedInputStream", "read", "()", JdkAdvice.PIPED_READ_BYTE),
          taking("java.io.PipedInputStream", "read", "([BII)", JdkAdvice.PIPED_READ),
          taking("java.io.PipedInputStream", "receive", "(I)", JdkAdvice.PIPED_RECEIVE_BYTE),
          taking("java.io.PipedInputStream", "receive", "([BII)", JdkAdvice.PIPED_RECEIVE),
          of("java.lang.ProcessImpl", "<init>", JdkAdvice.PROCESS_STARTED),
          taking("java.io.FileInputStream", "read", "()", JdkAdvice.READ_BYTE),
          taking("java.io.FileInputStream", "read", "([B)", JdkAdvice.READ_COUNT),
          taking("java.io.FileInputStream", "read", "([BII)", JdkAdvice.READ_COUNT),
          taking("java.io.FileOutputStream", "write", "(I)", JdkAdvice.WRITE_BYTE),
          taking("java.io.FileOutputStream", "write", "([B)", JdkAdvice.WRITE_ARRAY),
          taking("java.io.FileOutputStream", "write", "([BII)", JdkAdvice.WRITE_RANGE));

  private PipeInstrumentation() {}
}

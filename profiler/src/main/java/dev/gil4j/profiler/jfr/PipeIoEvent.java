package dev.gil4j.profiler.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;

/**
 * {@code gil4j.PipeIo}: one read from or write to a pipe the application uses ({@code
 * java.nio.channels.Pipe}, {@code PipedInputStream}/{@code PipedOutputStream}, a child process's
 * stdin/stdout/stderr). The duration is the call's, blocking included.
 *
 * <p>Written through {@link JfrEvents#pipeIoBegins} and {@link JfrEvents#pipeIoEnds}.
 */
@Name(PipeIoEvent.NAME)
@Category("gil4j")
@Label("Pipe I/O")
@Description("A read from or a write to a pipe (NIO pipe, piped stream, child process stream)")
@StackTrace(true)
@Threshold("10 ms")
public final class PipeIoEvent extends Event {
  public static final String NAME = "gil4j.PipeIo";
  public static final String READ = "read";
  public static final String WRITE = "write";

  private static final PipeIoEvent PROBE = new PipeIoEvent();

  /**
   * gil4j's frames above the JDK's pipe method at every commit: {@link #commitIfBegun}, {@link
   * JfrEvents#pipeIoEnds} and {@code Pipes.ends}, which the advice in that method calls.
   */
  static final int OWN_FRAMES = 3;

  /** The classes of those frames. */
  static final String[] OWN_CLASSES = {
    "dev.gil4j.profiler.jfr.PipeIoEvent",
    "dev.gil4j.profiler.jfr.JfrEvents",
    "dev.gil4j.profiler.Pipes"
  };

  @Label("Pipe")
  @Description("The pipe: its kind and creation site")
  public String pipe;

  @Label("Direction")
  @Description("read or write")
  public String direction;

  @Label("Bytes")
  @Description("Bytes read or written by the call (0 at end of stream)")
  @DataAmount(DataAmount.BYTES)
  public long bytes;

  /** Whether any running recording has this event enabled. Allocation-free. */
  static boolean enabled() {
    return PROBE.isEnabled();
  }

  /**
   * A begun event when a recording wants it, otherwise {@code null}; allocates only in the first
   * case.
   */
  static PipeIoEvent beginIfEnabled() {
    if (!PROBE.isEnabled()) {
      return null;
    }
    PipeIoEvent e = new PipeIoEvent();
    e.begin();
    return e;
  }

  /**
   * Ends {@code event} now and commits it, if it lasted at least the threshold; null is ignored.
   *
   * @param event from {@link #beginIfEnabled}, or null
   * @param pipe the pipe's kind and creation site
   * @param direction {@link #READ} or {@link #WRITE}
   * @param bytes bytes moved by the call
   */
  static void commitIfBegun(PipeIoEvent event, String pipe, String direction, long bytes) {
    if (event != null) {
      event.end();
      if (event.shouldCommit()) {
        event.pipe = pipe;
        event.direction = direction;
        event.bytes = Math.max(0, bytes);
        event.commit();
      }
    }
  }
}

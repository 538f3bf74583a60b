package dev.gil4j.profiler;

import dev.gil4j.profiler.jfr.JfrEvents;
import dev.gil4j.profiler.jfr.PipeIoEvent;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.SelectableChannel;
import java.util.Iterator;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The application's pipes, as gil4j records them: the ends of {@code java.nio.channels.Pipe}, of
 * {@code PipedInputStream}/{@code PipedOutputStream}, and a child process's stdin, stdout and
 * stderr. Each read and write that may block is timed into the {@link ContentionRecorder} site of
 * its pipe end — kind {@value #NIO_SOURCE}, {@value #NIO_SINK}, {@value #PIPED_INPUT}, {@value
 * #PIPED_OUTPUT}, {@value #PROCESS_STDIN}, {@value #PROCESS_STDOUT} or {@value #PROCESS_STDERR},
 * named by the pipe's creation site — and written as a {@code gil4j.PipeIo} event when a recording
 * wants it and the call reached its threshold.
 *
 * <p>The JDK's pipe classes call this class from advice woven into them by gil4j's agent: the
 * {@code …Created}/{@link #processStarted} methods when a pipe is made, {@link #readBegins} or
 * {@link #writeBegins} before a call and {@link #ends} after it.
 *
 * <p><b>Assumptions and guarantees.</b> A pipe is the application's when its creation has an
 * application frame on the stack (a class not loaded by the bootstrap or platform loader): the
 * first such frame names it, {@code com.acme.Shell.run(Shell.java:42)}, like a lock's creation
 * site; pipes the JDK makes for itself are ignored. Creating a pipe costs a stack walk. A read or
 * write on something that is not a registered pipe end costs a lookup, allocation-free, and only a
 * volatile read until the first pipe is made. A timed call costs two clock reads and a histogram
 * record, and allocates only the JFR event when a recording wants it. Calls are timed in blocking
 * mode only (a non-blocking channel never waits), and once: a pipe call made inside another on the
 * same thread (a read that reads its first byte with {@code read()}) is part of the outer one's
 * time. Ends are held weakly. Nothing here throws; a failure leaves the call untimed.
 */
public final class Pipes {
  /** Reads from the source channel of a {@code java.nio.channels.Pipe}. */
  public static final String NIO_SOURCE = "Pipe.SourceChannel";

  /** Writes to the sink channel of a {@code java.nio.channels.Pipe}. */
  public static final String NIO_SINK = "Pipe.SinkChannel";

  /** Reads from a {@code PipedInputStream}. */
  public static final String PIPED_INPUT = "PipedInputStream";

  /** Writes to a {@code PipedOutputStream}, timed where they wait: in its sink's buffer. */
  public static final String PIPED_OUTPUT = "PipedOutputStream";

  /** Writes to a child process's stdin ({@code Process.getOutputStream}). */
  public static final String PROCESS_STDIN = "Process.stdin";

  /** Reads from a child process's stdout ({@code Process.getInputStream}). */
  public static final String PROCESS_STDOUT = "Process.stdout";

  /** Reads from a child process's stderr ({@code Process.getErrorStream}). */
  public static final String PROCESS_STDERR = "Process.stderr";

  private static final WeakIdentityTable<End> ENDS = new WeakIdentityTable<>();
  private static final ThreadLocal<Call> CALLS = new ThreadLocal<>();
  private static final ClassLoader PLATFORM = ClassLoader.getPlatformClassLoader();
  private static final StackWalker WALKER =
      StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);

  private Pipes() {}

  /** One direction of one pipe end: its recorder site and how its events name it. */
  private static final class Way {
    final ContentionRecorder.Site site;
    final String pipe;
    final String direction;

    Way(String kind, String creationSite, String direction) {
      this.site = ContentionRecorder.site(kind, creationSite);
      this.pipe = kind + " " + creationSite;
      this.direction = direction;
    }
  }

  /** What a registered object is: an end that is read, written, or both (a piped stream's). */
  private static final class End {
    final Way read;
    final Way write;

    End(Way read, Way write) {
      this.read = read;
      this.write = write;
    }
  }

  /** The call a thread is timing; one per thread, reused. */
  private static final class Call {
    Way way;
    long start;
    Object event;
  }

  /**
   * A {@code java.nio.channels.Pipe} was opened: {@code source} and {@code sink} are its channels.
   */
  public static void nioPipeOpened(Object source, Object sink) {
    try {
      String site = creationSite();
      if (site != null) {
        ENDS.put(source, new End(new Way(NIO_SOURCE, site, PipeIoEvent.READ), null));
        ENDS.put(sink, new End(null, new Way(NIO_SINK, site, PipeIoEvent.WRITE)));
      }
    } catch (Throwable t) {
      // The pipe stays unrecorded; the application runs on.
    }
  }

  /**
   * A {@code PipedInputStream} was made: reads from it, and the writes of the {@code
   * PipedOutputStream} connected to it, are timed at it.
   */
  public static void pipedStreamCreated(Object pipedInputStream) {
    try {
      String site = creationSite();
      if (site != null) {
        ENDS.put(
            pipedInputStream,
            new End(
                new Way(PIPED_INPUT, site, PipeIoEvent.READ),
                new Way(PIPED_OUTPUT, site, PipeIoEvent.WRITE)));
      }
    } catch (Throwable t) {
      // The pipe stays unrecorded; the application runs on.
    }
  }

  /**
   * A child process was started, with these streams ({@code Process.getOutputStream}, {@code
   * getInputStream}, {@code getErrorStream}): the file streams inside them that are pipes to the
   * child are timed. A stream redirected elsewhere is not a pipe and is ignored.
   */
  public static void processStarted(OutputStream stdin, InputStream stdout, InputStream stderr) {
    try {
      String site = creationSite();
      if (site == null) {
        return;
      }
      // The file streams get their timing now, before the application holds the process.
      Deferred.PROCESS_STREAMS.run();
      Deferred.JDK_ACCESS.run();
      Object in = Unwrap.inner(stdin);
      if (in != null) {
        ENDS.put(in, new End(null, new Way(PROCESS_STDIN, site, PipeIoEvent.WRITE)));
      }
      Object out = Unwrap.inner(stdout);
      if (out != null) {
        ENDS.put(out, new End(new Way(PROCESS_STDOUT, site, PipeIoEvent.READ), null));
      }
      Object err = Unwrap.inner(stderr);
      if (err != null) {
        ENDS.put(err, new End(new Way(PROCESS_STDERR, site, PipeIoEvent.READ), null));
      }
    } catch (Throwable t) {
      // The process's pipes stay unrecorded; the application runs on.
    }
  }

  /**
   * The file stream inside a process stream's buffering wrapper: the JDK reads and writes a child's
   * pipes through {@code BufferedInputStream}/{@code BufferedOutputStream} subclasses around {@code
   * FileInputStream}/{@code FileOutputStream}, and only the inner call blocks. Reading the
   * protected field needs {@code java.io} open to gil4j, which the agent arranges ({@link
   * Deferred#JDK_ACCESS}, run before this class loads); otherwise nothing is unwrapped.
   */
  private static final class Unwrap {
    private static final VarHandle IN = field(FilterInputStream.class, "in", InputStream.class);
    private static final VarHandle OUT = field(FilterOutputStream.class, "out", OutputStream.class);

    private static VarHandle field(Class<?> owner, String name, Class<?> type) {
      try {
        return MethodHandles.privateLookupIn(owner, MethodHandles.lookup())
            .findVarHandle(owner, name, type);
      } catch (ReflectiveOperationException | RuntimeException e) {
        return null;
      }
    }

    static Object inner(Object stream) {
      if (stream instanceof FilterInputStream && IN != null) {
        return IN.get(stream);
      }
      if (stream instanceof FilterOutputStream && OUT != null) {
        return OUT.get(stream);
      }
      return null;
    }
  }

  /** Whether no pipe has been registered: then no call needs a lookup. One volatile read. */
  public static boolean none() {
    return ENDS.isEmpty();
  }

  /**
   * Before a read from {@code end}: starts timing it if it is a registered pipe end read in
   * blocking mode and no pipe call is being timed on this thread.
   *
   * @return whether timing began: then call {@link #ends} after the read, on this thread
   */
  public static boolean readBegins(Object end) {
    End e = ENDS.get(end);
    return e != null && e.read != null && begin(e.read, end);
  }

  /**
   * Before a write to {@code end}: as {@link #readBegins}.
   *
   * @return whether timing began: then call {@link #ends} after the write, on this thread
   */
  public static boolean writeBegins(Object end) {
    End e = ENDS.get(end);
    return e != null && e.write != null && begin(e.write, end);
  }

  private static boolean begin(Way way, Object end) {
    try {
      if (end instanceof SelectableChannel && !((SelectableChannel) end).isBlocking()) {
        return false;
      }
      Call c = CALLS.get();
      if (c == null) {
        c = new Call();
        CALLS.set(c);
      } else if (c.way != null) {
        return false;
      }
      c.event = JfrEvents.pipeIoBegins();
      c.start = System.nanoTime();
      c.way = way;
      return true;
    } catch (Throwable t) {
      return false;
    }
  }

  /**
   * After a call for which {@link #readBegins} or {@link #writeBegins} returned true: records its
   * time, and writes its event if it reached the threshold.
   *
   * @param bytes bytes the call moved (0 at end of stream or on an exception)
   */
  public static void ends(long bytes) {
    long now = System.nanoTime();
    Call c = CALLS.get();
    if (c == null || c.way == null) {
      return;
    }
    Way way = c.way;
    Object event = c.event;
    c.way = null;
    c.event = null;
    try {
      way.site.recordWait(now - c.start);
      JfrEvents.pipeIoEnds(event, way.pipe, way.direction, bytes);
    } catch (Throwable t) {
      // This call goes unrecorded; the application runs on.
    }
  }

  /** The first application frame of the caller's stack, as a stack trace prints it; or null. */
  public static String creationSite() {
    return WALKER.walk(FirstApplicationFrame.INSTANCE);
  }

  /** A class, not a lambda, to keep code that runs inside the JDK's pipe classes plain. */
  private static final class FirstApplicationFrame
      implements Function<Stream<StackWalker.StackFrame>, String> {
    static final FirstApplicationFrame INSTANCE = new FirstApplicationFrame();

    @Override
    public String apply(Stream<StackWalker.StackFrame> frames) {
      Iterator<StackWalker.StackFrame> it = frames.iterator();
      while (it.hasNext()) {
        StackWalker.StackFrame f = it.next();
        Class<?> c = f.getDeclaringClass();
        ClassLoader loader = c.getClassLoader();
        if (loader != null && loader != PLATFORM && c != Pipes.class) {
          return ContentionRecorder.siteName(
              f.getClassName(), f.getMethodName(), f.getFileName(), f.getLineNumber());
        }
      }
      return null;
    }
  }
}

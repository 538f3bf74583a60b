package dev.gil4j.benchmarks;

import dev.gil4j.benchmarks.internal.Args;
import dev.gil4j.benchmarks.internal.Figure;
import dev.gil4j.multiprocessing.Connection;
import dev.gil4j.multiprocessing.Pipe;
import dev.gil4j.multiprocessing.Process;
import dev.gil4j.testkit.ThreadDumps;
import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Latency and throughput of a {@link Pipe} between two JVMs: this one and a child {@link Process}
 * that echoes, as CPython's {@code multiprocessing.Pipe} between two processes ({@code
 * benchmarks/threading_bench.py} does the same there).
 *
 * <p>Per message size (64 B, 1 MiB and 16 MiB by default):
 *
 * <ul>
 *   <li><b>round trip</b>: send one message, receive the child's echo of it, in µs; and the CPU
 *       time both processes spent per round trip, in µs: on a busy machine the elapsed time is
 *       mostly waiting for a core, the CPU time is what the pipe costs;
 *   <li><b>streamed</b>: send a batch of messages one way, the child reading and dropping them,
 *       then one small message that the child answers; the batch's time per message, in µs (the
 *       throughput is the size over that).
 * </ul>
 *
 * <p>The first byte of a message tells the child what to do with it: {@code E} echo, {@code S}
 * drop, {@code A} answer with one byte. {@code --impl pipe} uses gil4j's {@link Connection} ends,
 * {@code sendBytes}/{@code recvBytes}, with CPython's framing; {@code --impl socket} is the floor
 * beneath it, what the JDK alone gives: a blocking Unix-domain {@link SocketChannel} with the same
 * 4-byte length prefix. First both JVMs warm up on small messages for {@code --warmup-ms} (2 s),
 * and on each size for half that before it is measured; then each figure is the median of {@code
 * --batches} batches of about {@code --batch-ms}, after a calibration and one more batch.
 *
 * <p>Prints {@code gil4j-metric pipe_<size>_round_trip_us}, {@code pipe_<size>_round_trip_cpu_us},
 * {@code pipe_<size>_stream_us} (per message) and {@code pipe_<size>_stream_mb_s}, size being
 * {@code 64b}, {@code 1mib} or {@code 16mib} (or the size in bytes). The child has a time limit:
 * alive 30 s after this JVM closed its end, it has its threads dumped and is killed. Run: {@code
 * bash benchmarks/run.sh threading}, or alone {@code java -cp
 * benchmarks/target/gil4j-benchmarks.jar dev.gil4j.benchmarks.PipeLatency [--impl pipe|socket]
 * [--sizes 64,1048576,16777216] [--batches N] [--batch-ms MS] [--warmup-ms MS]}.
 */
public final class PipeLatency {
  private static final byte ECHO = 'E';
  private static final byte SINK = 'S';
  private static final byte ANSWER = 'A';

  /** One end of a message channel to the child. */
  interface Link extends AutoCloseable {
    void send(byte[] message) throws IOException;

    byte[] receive() throws IOException;

    @Override
    void close() throws IOException;
  }

  /** gil4j's pipe end. */
  private record PipeLink(Connection connection) implements Link {
    @Override
    public void send(byte[] message) throws IOException {
      connection.sendBytes(message);
    }

    @Override
    public byte[] receive() throws IOException {
      return connection.recvBytes();
    }

    @Override
    public void close() {
      connection.close();
    }
  }

  /**
   * A blocking Unix-domain socket with a 4-byte big-endian length before each message, through one
   * direct buffer as large as the largest message: the JDK copies a heap buffer into a temporary
   * direct one at every call, which a floor should not pay.
   */
  private static final class SocketLink implements Link {
    private final SocketChannel channel;
    private ByteBuffer buffer = ByteBuffer.allocateDirect(4);

    SocketLink(SocketChannel channel) {
      this.channel = channel;
    }

    @Override
    public void send(byte[] message) throws IOException {
      ByteBuffer b = buffer(4 + message.length);
      b.putInt(message.length).put(message).flip();
      while (b.hasRemaining()) {
        channel.write(b);
      }
    }

    @Override
    public byte[] receive() throws IOException {
      ByteBuffer b = readFully(4);
      byte[] message = new byte[b.getInt()];
      readFully(message.length).get(message);
      return message;
    }

    /** The buffer, cleared, with room for {@code size} bytes and its limit there. */
    private ByteBuffer buffer(int size) {
      if (buffer.capacity() < size) {
        buffer = ByteBuffer.allocateDirect(size);
      }
      return buffer.clear().limit(size);
    }

    private ByteBuffer readFully(int size) throws IOException {
      ByteBuffer b = buffer(size);
      while (b.hasRemaining()) {
        if (channel.read(b) < 0) {
          throw new EOFException();
        }
      }
      return b.flip();
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }
  }

  private PipeLatency() {}

  public static void main(String[] args) throws Exception {
    String impl = "pipe";
    List<Integer> sizes = List.of(64, 1 << 20, 16 << 20);
    int batches = 7;
    int batchMs = 100;
    int warmupMs = 2_000;
    Args a =
        new Args(
            "PipeLatency",
            "[--impl pipe|socket] [--sizes BYTES,...] [--batches N] [--batch-ms MS] [--warmup-ms"
                + " MS]",
            args);
    while (a.hasNext()) {
      String flag = a.next();
      switch (flag) {
        case "--impl" -> impl = a.value(flag);
        case "--sizes" -> sizes = sizes(a, a.value(flag));
        case "--batches" -> batches = a.intValue(flag, 1);
        case "--batch-ms" -> batchMs = a.intValue(flag, 1);
        case "--warmup-ms" -> warmupMs = a.intValue(flag, 0);
        default -> a.fail("unknown argument " + flag);
      }
    }
    a.checkAll("--impl", List.of(impl), List.of("pipe", "socket"));
    Process child;
    Link link;
    if (impl.equals("pipe")) {
      Pipe pipe = Pipe.open();
      Connection there = pipe.second();
      child = new Process(() -> serve(new PipeLink(there)));
      link = new PipeLink(pipe.first());
      child.setJvmOptions(List.of("-Xms256m", "-Xmx256m"));
      child.start();
    } else {
      Path dir = Files.createTempDirectory("gil4j-bench-");
      String address = dir.resolve("s").toString();
      try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
        server.bind(UnixDomainSocketAddress.of(address));
        child = new Process(() -> serve(new SocketLink(connect(address))));
        child.setJvmOptions(List.of("-Xms256m", "-Xmx256m"));
        child.start();
        link = new SocketLink(server.accept());
      } finally {
        Files.deleteIfExists(Path.of(address));
        Files.deleteIfExists(dir);
      }
    }
    try {
      warmUp(link, 64, warmupMs);
      ProcessHandle other = ProcessHandle.of(child.pid()).orElseThrow();
      for (int size : sizes) {
        warmUp(link, size, warmupMs / 2);
        measure(link, other, size, batches, batchMs);
      }
    } finally {
      link.close();
      if (!child.join(30)) {
        ProcessHandle.of(child.pid())
            .ifPresent(
                p ->
                    ThreadDumps.dumpAndKill(
                        p,
                        Path.of(
                            System.getProperty("java.io.tmpdir"),
                            "pipe-child-" + p.pid() + ".dump"),
                        Duration.ofSeconds(30)));
      }
    }
  }

  private static List<Integer> sizes(Args a, String list) {
    List<Integer> sizes = new ArrayList<>();
    for (String s : list.split(",")) {
      try {
        sizes.add(Integer.parseInt(s));
      } catch (NumberFormatException e) {
        a.fail("--sizes must be sizes in bytes separated by commas; got " + list);
      }
      if (sizes.get(sizes.size() - 1) < 1) {
        a.fail("--sizes must be at least 1 byte each; got " + list);
      }
    }
    return sizes;
  }

  private static SocketChannel connect(String address) throws IOException {
    SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
    channel.connect(UnixDomainSocketAddress.of(address));
    return channel;
  }

  /** The child: answers messages until this JVM closes its end. */
  private static void serve(Link link) throws IOException {
    try (link) {
      while (true) {
        byte[] m;
        try {
          m = link.receive();
        } catch (EOFException e) {
          return;
        }
        if (m[0] == ECHO) {
          link.send(m);
        } else if (m[0] == ANSWER) {
          link.send(new byte[] {ANSWER});
        }
      }
    }
  }

  /**
   * Plays round trips and streams of {@code size} for {@code ms}, so that both JVMs run compiled
   * code, with heaps sized for the traffic, before anything is timed: measured without it, on a
   * busy two-core machine, gil4j's 64-byte round trip took 130–270 µs for its first few thousand
   * round trips and 15–30 µs after some ten thousand; its 1 MiB round trip took 23 ms (8 ms of CPU)
   * in its first second at that size and 0.7 ms (0.8 ms of CPU) by its fourth.
   */
  private static void warmUp(Link link, int size, int ms) throws IOException {
    byte[] echo = new byte[size];
    echo[0] = ECHO;
    byte[] sink = new byte[size];
    sink[0] = SINK;
    int n = size <= 4096 ? 100 : 1;
    long end = System.nanoTime() + ms * 1_000_000L;
    while (System.nanoTime() - end < 0) {
      roundTrips(link, echo, n);
      stream(link, sink, n);
    }
  }

  private static void measure(Link link, ProcessHandle child, int size, int batches, int batchMs)
      throws IOException {
    String name =
        size == 64
            ? "64b"
            : size == 1 << 20 ? "1mib" : size == 16 << 20 ? "16mib" : Integer.toString(size);
    byte[] echo = new byte[size];
    echo[0] = ECHO;
    byte[] sink = new byte[size];
    sink[0] = SINK;
    int rounds = calibrate(() -> roundTrips(link, echo, 1), batchMs);
    long cpu = cpuNanos(child);
    double roundTrip = medianMicros(() -> roundTrips(link, echo, rounds), rounds, batches);
    double roundTripCpu = (cpuNanos(child) - cpu) / 1e3 / ((long) rounds * (batches + 1));
    int messages = calibrate(() -> stream(link, sink, 1), batchMs);
    double stream = medianMicros(() -> stream(link, sink, messages), messages, batches);
    System.out.printf("gil4j-metric pipe_%s_round_trip_us %.3f us%n", name, roundTrip);
    System.out.printf("gil4j-metric pipe_%s_round_trip_cpu_us %.3f us%n", name, roundTripCpu);
    System.out.printf("gil4j-metric pipe_%s_stream_us %.3f us%n", name, stream);
    System.out.printf("gil4j-metric pipe_%s_stream_mb_s %.1f MB/s%n", name, size / stream);
  }

  /**
   * CPU time of this process and the child together (the kernel's clock ticks, 10 ms; the round
   * trips' batches run for about a second).
   */
  private static long cpuNanos(ProcessHandle child) {
    return ProcessHandle.current().info().totalCpuDuration().orElseThrow().toNanos()
        + child.info().totalCpuDuration().orElseThrow().toNanos();
  }

  /** A timed batch of some operations; returns its elapsed nanoseconds. */
  private interface Batch {
    long run() throws IOException;
  }

  /** How many operations fill about {@code batchMs}, from as many single ones as fill 50 ms. */
  private static int calibrate(Batch one, int batchMs) throws IOException {
    long spent = 0;
    int n = 0;
    while (spent < 50_000_000L || n < 3) {
      spent += one.run();
      n++;
    }
    return (int) Math.max(3, (long) n * batchMs * 1_000_000L / spent);
  }

  /** The median over {@code batches} batches, after one warm-up, of µs per operation. */
  private static double medianMicros(Batch batch, int ops, int batches) throws IOException {
    batch.run();
    List<Double> micros = new ArrayList<>();
    for (int i = 0; i < batches; i++) {
      micros.add(batch.run() / 1e3 / ops);
    }
    return Figure.median(micros);
  }

  private static long roundTrips(Link link, byte[] message, int n) throws IOException {
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      link.send(message);
      byte[] back = link.receive();
      if (back.length != message.length) {
        throw new IOException("echo of " + message.length + " bytes came back as " + back.length);
      }
    }
    return System.nanoTime() - start;
  }

  private static long stream(Link link, byte[] message, int n) throws IOException {
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      link.send(message);
    }
    link.send(new byte[] {ANSWER});
    if (!Arrays.equals(link.receive(), new byte[] {ANSWER})) {
      throw new IOException("the child's answer to a stream was not " + (char) ANSWER);
    }
    return System.nanoTime() - start;
  }
}

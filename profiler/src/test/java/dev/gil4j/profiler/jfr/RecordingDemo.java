package dev.gil4j.profiler.jfr;

import dev.gil4j.profiler.ContentionRecorder;
import dev.gil4j.profiler.GilUsage;
import java.nio.file.Path;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * A program that records a known amount of gil4j data and then ends the way its first argument
 * says, to show that a recording survives every orderly exit: it installs gil4j's JFR events (with
 * a synthetic GIL usage), starts {@link AgentRecording} when given a FILE, records 1000 waits and
 * 1000 holds at one site plus 100 {@code gil4j.GilDrop} events and one {@code gil4j.GilRevoke},
 * prints {@code gil4j-demo ready}, and then:
 *
 * <ul>
 *   <li>{@code return}: returns from {@code main};
 *   <li>{@code exit}: calls {@code System.exit(0)};
 *   <li>{@code wait}: sleeps until a signal (SIGTERM, SIGINT) ends it; it exits by itself after 60
 *       s, status 3, so a stray run never lingers;
 *   <li>{@code emit}: like {@code wait}, but keeps emitting {@code gil4j.GilDrop} events, one per
 *       10 ms, for recordings started later ({@code jcmd <pid> JFR.start}).
 * </ul>
 *
 * <p>Without FILE, and without JFR started some other way, JFR never starts, and no gil4j event
 * class may load ({@code -verbose:class} shows).
 *
 * <p>The recording must then hold all 1000 waits in its {@code gil4j.ContentionHistogram} events,
 * the last partial period included. Run with gil4j's classes on the boot class path, as the agent
 * puts them: {@code java -Xbootclasspath/a:<profiler classes>:<HdrHistogram.jar> -cp <test classes>
 * dev.gil4j.profiler.jfr.RecordingDemo wait app.jfr}.
 */
public final class RecordingDemo {
  static final String SITE = "RecordingDemo.<init>(RecordingDemo.java:1)";
  static final int VALUES = 1000;
  static final int DROPS = 100;

  private RecordingDemo() {}

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    long started = System.nanoTime();
    JfrEvents.install(() -> usage(System.nanoTime() - started));
    AgentRecording recording =
        args.length > 1 ? AgentRecording.start(Path.of(args[1]), null) : null;
    ContentionRecorder.Site site = ContentionRecorder.site("ReentrantLock", SITE);
    for (int i = 1; i <= VALUES; i++) {
      site.recordWait(i * 1_000L);
      site.recordHold(50_000L);
    }
    for (int i = 0; i < DROPS; i++) {
      // Over GilDrop's default heldThreshold (10 ms): a recording without gil4j.jfc keeps them.
      JfrEvents.gilDrop(i % 2 == 0, 20_000_000L);
    }
    // Every facade method once; waits and I/O this short stay under their thresholds.
    JfrEvents.gilWaitEnds(JfrEvents.gilWaitBegins());
    JfrEvents.pipeIoEnds(JfrEvents.pipeIoBegins(), "demo pipe", PipeIoEvent.READ, 1);
    JfrEvents.gilRevoke(Thread.currentThread(), "STALLED", List.of("RecordingDemo.main"));
    System.out.println("gil4j-demo ready" + (recording == null ? "" : " " + recording.file()));
    System.out.flush();
    switch (mode) {
      case "return":
        return;
      case "exit":
        System.exit(0);
        break;
      case "wait":
      case "emit":
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
          Thread.sleep(10);
          if (mode.equals("emit")) {
            JfrEvents.gilDrop(true, 1_000_000L);
          }
        }
        System.exit(3);
        break;
      default:
        throw new IllegalArgumentException("mode: return, exit, wait or emit, not " + mode);
    }
  }

  /** Two threads that hold the GIL 40% and 50% of the time and wait 50% and 40%. */
  static GilUsage usage(long elapsed) {
    long handOffs = elapsed / 5_000_000L;
    return new GilUsage(
        elapsed,
        "cpython",
        5_000_000L,
        1,
        handOffs,
        handOffs / 2,
        handOffs / 2,
        0,
        0,
        new Histogram(2),
        List.of(
            row(0, "main", elapsed, 4, 5, handOffs / 2),
            row(1, "worker", elapsed, 5, 4, handOffs / 2)),
        List.of());
  }

  private static GilUsage.ThreadRow row(
      long id, String name, long elapsed, int held, int wait, long takes) {
    return new GilUsage.ThreadRow(
        id,
        name,
        elapsed,
        elapsed * held / 10,
        elapsed * wait / 10,
        takes,
        takes,
        takes / 2,
        0,
        new Histogram(2),
        true);
  }
}

package dev.gil4j.profiler.jfr;

import dev.gil4j.profiler.ContentionRecorder;
import dev.gil4j.profiler.GilUsage;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import jdk.jfr.FlightRecorder;
import jdk.jfr.FlightRecorderListener;
import jdk.jfr.Recording;
import jdk.jfr.RecordingState;
import org.HdrHistogram.Histogram;

/**
 * gil4j's JFR events, as the instrumented code and the GIL write them, and their registration with
 * the Flight Recorder, so that they appear in every recording: gil4j's own ({@link
 * AgentRecording}), {@code -XX:StartFlightRecording}, or {@code jcmd <pid> JFR.start} later. The
 * periodic ones ({@code gil4j.GilStatistics} from the GIL's usage, {@code
 * gil4j.ContentionHistogram} from {@link ContentionRecorder}) are written here.
 *
 * <p><b>Assumptions and guarantees.</b> Until JFR starts in this JVM, every method here returns at
 * once and touches no event class: the JVM's first load of a {@code jdk.jfr.Event} subclass costs
 * 0.2–0.6 s of JFR machinery. After that, a method allocates only when a running recording has its
 * event enabled, and writes it only when it passes that recording's threshold. {@link #install}
 * costs a few milliseconds. Periodic events are written on JFR's periodic thread, and once more for
 * the partial period when a chunk ends or a recording stops ({@link FlushEvent}); each value
 * reaches exactly one {@code gil4j.ContentionHistogram} event, whichever recordings run. Nothing
 * here throws: a failure in a periodic event is reported once on stderr, and the application runs
 * on. Code that writes other {@code gil4j} events must check {@link #started} first, for the same
 * reason.
 *
 * <p>Example use: once at agent start, {@code JfrEvents.install(gilOn ? core::usage : null);} (or
 * {@link #use} now and {@link #listen} where JFR starts), then
 *
 * <pre>{@code
 * Object jfr = JfrEvents.gilWaitBegins(); // null unless a recording wants gil4j.GilWait
 * ... wait for the GIL ...
 * JfrEvents.gilWaitEnds(jfr);
 * }</pre>
 */
public final class JfrEvents {
  // Flags as AtomicIntegers, which every JVM has loaded at start: AtomicBoolean would be loaded and
  // initialized for this class alone (JDK 25 gil=off start: 1 ms).
  private static final AtomicInteger INSTALLED = new AtomicInteger();
  private static final AtomicInteger FAILED = new AtomicInteger();

  private static volatile boolean started;
  private static volatile Supplier<GilUsage> usage;

  // Guarded by JfrEvents.class: the usage the previous gil4j.GilStatistics events were cut from.
  private static GilUsage previous;

  /**
   * Whether no recording runs, as the listener last heard: what is recorded meanwhile belongs to no
   * recording, and the next periodic events must not cover it. (Not at start: a recording may
   * already run when gil4j installs.)
   */
  private static volatile boolean idle;

  /**
   * When a periodic hook last forgot the idle time ({@link System#currentTimeMillis}): if that was
   * after a starting recording's start, its listener need not forget again.
   */
  private static volatile long forgotIdleAt = Long.MIN_VALUE;

  /** {@link #listen} as a {@code Runnable}, for the hook where JFR starts. */
  public static final Runnable LISTEN =
      new Runnable() {
        @Override
        public void run() {
          listen();
        }
      };

  private JfrEvents() {}

  /**
   * Makes gil4j's events part of every recording from now on: {@link #use} and {@link #listen}.
   * Safe to call more than once; the last supplier wins.
   *
   * @param gilUsage as {@link #use} takes it
   */
  public static void install(Supplier<GilUsage> gilUsage) {
    use(gilUsage);
    listen();
  }

  /**
   * Where the GIL's usage comes from, for {@code gil4j.GilStatistics}; the last call wins.
   *
   * @param gilUsage the GIL's usage so far (called once per period, from JFR's thread), with rows
   *     for at least the threads alive now or ended since its previous call, matched across calls
   *     by {@code id} (their wait histograms are not read); or {@code null} when the GIL is off:
   *     then no {@code gil4j.GilStatistics} events are written
   */
  public static void use(Supplier<GilUsage> gilUsage) {
    synchronized (JfrEvents.class) {
      usage = gilUsage;
      previous = null;
    }
  }

  /**
   * Makes gil4j's events part of every recording, from now on if JFR has started in this JVM, else
   * from its start: call it before JFR starts or after, any number of times. Until the first call,
   * nothing here touches JFR, whose classes (JDK 17: 30 of them, and the security properties) a run
   * without JFR need not load.
   */
  public static void listen() {
    if (INSTALLED.compareAndSet(0, 1)) {
      try {
        FlightRecorder.addListener(
            new FlightRecorderListener() {
              @Override
              public void recorderInitialized(FlightRecorder recorder) {
                register();
              }

              @Override
              public void recordingStateChanged(Recording recording) {
                if (recording.getState() == RecordingState.RUNNING) {
                  idle = false;
                  recordingStarted(recording);
                } else if (running() == 0) {
                  idle = true;
                }
              }
            });
      } catch (Throwable t) {
        fail(t);
      }
    }
  }

  /**
   * Whether JFR has started in this JVM and gil4j's events are registered: until then, no code may
   * touch a {@code gil4j} event class (the first load costs 0.2–0.6 s). A plain volatile read.
   */
  public static boolean started() {
    return started;
  }

  /**
   * Call where a thread starts to wait for the GIL.
   *
   * @return a token for {@link #gilWaitEnds}, or {@code null} (no allocation) when no recording has
   *     {@code gil4j.GilWait} enabled
   */
  public static Object gilWaitBegins() {
    return started ? GilWaitEvent.beginIfEnabled() : null;
  }

  /**
   * Call where the wait ends (the GIL taken); writes {@code gil4j.GilWait} if the wait reached the
   * threshold.
   *
   * @param token from {@link #gilWaitBegins} on this thread, or {@code null}
   */
  public static void gilWaitEnds(Object token) {
    if (token != null) {
      GilWaitEvent.commitIfBegun((GilWaitEvent) token);
    }
  }

  /**
   * Call on the holder's thread when it lets go of the GIL: writes {@code gil4j.GilDrop}.
   *
   * @param forced whether a waiter asked for the drop
   * @param heldNanos how long the thread had held the GIL
   */
  public static void gilDrop(boolean forced, long heldNanos) {
    if (started) {
      GilDropEvent.emit(forced, heldNanos);
    }
  }

  /**
   * Call when the safety net revokes a holder's GIL: writes {@code gil4j.GilRevoke}.
   *
   * @param holder the thread that lost the GIL
   * @param reason why it counted as not running ({@code BLOCKED}, {@code WAITING}, {@code
   *     STALLED}…)
   * @param frames its top frames, innermost first
   */
  public static void gilRevoke(Thread holder, String reason, List<String> frames) {
    if (started) {
      GilRevokeEvent.emit(holder, reason, frames);
    }
  }

  /**
   * Call before a read from or write to a pipe.
   *
   * @return a token for {@link #pipeIoEnds}, or {@code null} (no allocation) when no recording has
   *     {@code gil4j.PipeIo} enabled
   */
  public static Object pipeIoBegins() {
    return started ? PipeIoEvent.beginIfEnabled() : null;
  }

  /**
   * Call after the read or write: writes {@code gil4j.PipeIo} if it lasted the threshold.
   *
   * @param token from {@link #pipeIoBegins} on this thread, or {@code null}
   * @param pipe the pipe's kind and creation site
   * @param direction {@link PipeIoEvent#READ} or {@link PipeIoEvent#WRITE}
   * @param bytes bytes the call moved
   */
  public static void pipeIoEnds(Object token, String pipe, String direction, long bytes) {
    if (token != null) {
      PipeIoEvent.commitIfBegun((PipeIoEvent) token, pipe, direction, bytes);
    }
  }

  private static void register() {
    try {
      FlightRecorder.register(GilWaitEvent.class);
      FlightRecorder.register(GilDropEvent.class);
      FlightRecorder.register(GilRevokeEvent.class);
      FlightRecorder.register(PipeIoEvent.class);
      FlightRecorder.register(LockWaitEvent.class);
      OwnFrames.hide(GilWaitEvent.class, GilWaitEvent.OWN_FRAMES, GilWaitEvent.OWN_CLASSES);
      OwnFrames.hide(PipeIoEvent.class, PipeIoEvent.OWN_FRAMES, PipeIoEvent.OWN_CLASSES);
      OwnFrames.hide(LockWaitEvent.class, LockWaitEvent.OWN_FRAMES, LockWaitEvent.OWN_CLASSES);
      FlightRecorder.addPeriodicEvent(GilStatisticsEvent.class, JfrEvents::gilStatistics);
      FlightRecorder.addPeriodicEvent(ContentionHistogramEvent.class, JfrEvents::histograms);
      FlightRecorder.addPeriodicEvent(FlushEvent.class, JfrEvents::flush);
      started = true;
    } catch (Throwable t) {
      fail(t);
    }
  }

  /**
   * A recording started. If it is the only one running, what was recorded while none ran belongs to
   * no recording: the first periodic events of this one must cover its own time only, not the time
   * since an earlier recording (a {@code profile} of the same JVM some minutes before) ended.
   */
  private static void recordingStarted(Recording recording) {
    try {
      // A periodic hook that ran after the start forgot the idle time already, and its events
      // belong to this recording: forgetting again would lose what came since.
      if (running() == 1 && forgotIdleAt < recording.getStartTime().toEpochMilli()) {
        forgetTheIdleTime();
      }
    } catch (Throwable t) {
      fail(t);
    }
  }

  private static int running() {
    int running = 0;
    for (Recording r : FlightRecorder.getFlightRecorder().getRecordings()) {
      if (r.getState() == RecordingState.RUNNING) {
        running++;
      }
    }
    return running;
  }

  private static void forgetTheIdleTime() {
    ContentionRecorder.interval();
    synchronized (JfrEvents.class) {
      Supplier<GilUsage> source = usage;
      previous = source == null ? null : source.get();
    }
  }

  /**
   * A periodic hook may run while no recording runs: JFR emits a starting recording's first
   * periodic events before it tells its listeners that the recording runs, and a hook already under
   * way when the last recording stops ends after that. Either way the time no recording ran is
   * forgotten here; only the listener ends the idle time, since after a late hook none may start
   * for a while.
   */
  private static void forgetIfIdle() {
    if (idle) {
      try {
        forgetTheIdleTime();
        forgotIdleAt = System.currentTimeMillis();
      } catch (Throwable t) {
        fail(t);
      }
    }
  }

  private static void flush() {
    if (GilStatisticsEvent.enabled()) {
      gilStatistics();
    }
    if (ContentionHistogramEvent.enabled()) {
      histograms();
    }
  }

  private static void histograms() {
    forgetIfIdle();
    try {
      ContentionRecorder.Interval interval = ContentionRecorder.interval();
      long span = interval.endNanos() - interval.startNanos();
      for (ContentionRecorder.SiteSnapshot s : interval.sites()) {
        histogram(s, ContentionHistogramEvent.WAIT, s.waits(), span);
        histogram(s, ContentionHistogramEvent.HOLD, s.holds(), span);
      }
    } catch (Throwable t) {
      fail(t);
    }
  }

  private static void histogram(
      ContentionRecorder.SiteSnapshot s, String kind, Histogram h, long span) {
    if (h.getTotalCount() == 0) {
      return;
    }
    ContentionHistogramEvent e = new ContentionHistogramEvent();
    e.lockClass = s.kind();
    e.site = s.name();
    e.kind = kind;
    e.count = h.getTotalCount();
    e.total = Math.round(h.getMean() * h.getTotalCount());
    e.p50 = h.getValueAtPercentile(50);
    e.p90 = h.getValueAtPercentile(90);
    e.p99 = h.getValueAtPercentile(99);
    e.p999 = h.getValueAtPercentile(99.9);
    e.max = h.getMaxValue();
    e.histogram = encode(h);
    e.interval = span;
    e.commit();
  }

  /** HdrHistogram's compressed encoding of {@code h}, Base64. */
  static String encode(Histogram h) {
    ByteBuffer buf = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
    int n = h.encodeIntoCompressedByteBuffer(buf);
    return Base64.getEncoder().encodeToString(Arrays.copyOf(buf.array(), n));
  }

  private static synchronized void gilStatistics() {
    forgetIfIdle();
    Supplier<GilUsage> source = usage;
    if (source == null) {
      return;
    }
    try {
      GilUsage now = source.get();
      GilUsage before = previous;
      previous = now;
      long span = now.elapsedNanos() - (before == null ? 0 : before.elapsedNanos());
      if (span <= 0) {
        return;
      }
      double handOffs = (now.handOffs() - (before == null ? 0 : before.handOffs())) * 1e9 / span;
      Map<Long, GilUsage.ThreadRow> was = new HashMap<>();
      if (before != null) {
        for (GilUsage.ThreadRow t : before.threads()) {
          was.put(t.id(), t);
        }
      }
      GilStatisticsEvent all = new GilStatisticsEvent();
      all.thread = "all threads";
      all.overall = true;
      long lifetime = 0;
      for (GilUsage.ThreadRow t : now.threads()) {
        GilUsage.ThreadRow p = was.get(t.id());
        long life = t.lifetimeNanos() - (p == null ? 0 : p.lifetimeNanos());
        if (life <= 0) {
          continue;
        }
        GilStatisticsEvent e = new GilStatisticsEvent();
        e.thread = t.name();
        e.heldTime = Math.max(0, t.heldNanos() - (p == null ? 0 : p.heldNanos()));
        e.waitingTime = Math.max(0, t.waitNanos() - (p == null ? 0 : p.waitNanos()));
        e.takes = t.takes() - (p == null ? 0 : p.takes());
        e.contendedTakes = t.contendedTakes() - (p == null ? 0 : p.contendedTakes());
        e.forcedDrops = t.forcedDrops() - (p == null ? 0 : p.forcedDrops());
        e.revocations = t.revocations() - (p == null ? 0 : p.revocations());
        finish(e, life, handOffs, span);
        e.commit();
        lifetime += life;
        all.heldTime += e.heldTime;
        all.waitingTime += e.waitingTime;
        all.takes += e.takes;
        all.contendedTakes += e.contendedTakes;
      }
      all.forcedDrops = now.forcedDrops() - (before == null ? 0 : before.forcedDrops());
      all.revocations = now.revocations() - (before == null ? 0 : before.revocations());
      finish(all, lifetime, handOffs, span);
      all.commit();
    } catch (Throwable t) {
      fail(t);
    }
  }

  private static void finish(GilStatisticsEvent e, long registered, double handOffs, long span) {
    // A wait is counted when it ends, so held + waiting can exceed a period's registered time.
    long busy = e.heldTime + e.waitingTime;
    long whole = Math.max(registered, busy);
    e.releasedTime = whole - busy;
    e.held = whole == 0 ? 0 : share(e.heldTime, whole);
    e.waiting = whole == 0 ? 0 : share(e.waitingTime, whole);
    e.released = whole == 0 ? 0 : share(e.releasedTime, whole);
    e.handOffsPerSecond = significant(handOffs);
    e.interval = span;
  }

  /** {@code part / whole} to a hundredth of a percent: JMC and {@code jfr print} show it as is. */
  static double share(long part, long whole) {
    return Math.round(part * 10_000.0 / whole) / 10_000.0;
  }

  /**
   * {@code v} to three significant digits ({@code 0.376}, {@code 102}): a rate measured over one
   * period says no more, and JMC and {@code jfr print} show a double with all its digits.
   */
  static double significant(double v) {
    if (v == 0 || Double.isNaN(v) || Double.isInfinite(v)) {
      return v;
    }
    double scale = Math.pow(10, 2 - (int) Math.floor(Math.log10(Math.abs(v))));
    return Math.round(v * scale) / scale;
  }

  private static void fail(Throwable t) {
    if (FAILED.compareAndSet(0, 1)) {
      System.err.println("gil4j: JFR events failed, continuing without them: " + t);
    }
  }
}

package dev.gil4j.analysis;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;
import org.HdrHistogram.Histogram;

/**
 * What a JFR recording says about contention: locks ranked by total wait, the GIL's load per thread
 * and over time, revocations and pipes — read once from the file, then only queried.
 *
 * <p>Sources, per lock (its class and creation site): {@code gil4j.ContentionHistogram} gives every
 * wait and hold, to the histogram's 1% precision; {@code gil4j.LockWait} gives the waits over its
 * threshold with the owner thread; {@code jdk.JavaMonitorEnter} gives contended {@code
 * synchronized} entries over its threshold, named by monitor class and the frame that entered, and
 * lends its owners to gil4j's histogram of the same monitor and line when there is one. For the
 * GIL: {@code gil4j.GilStatistics} (per period), {@code gil4j.GilWait} and {@code gil4j.GilDrop}
 * (per wait and per hold), {@code gil4j.GilRevoke}.
 */
public final class RecordingSummary {
  /** JFR's file magic: every chunk starts with it. */
  private static final byte[] MAGIC = {'F', 'L', 'R', 0};

  /** The {@code lockClass} of gil4j's monitor entry histograms. */
  private static final String MONITOR_KIND = "synchronized";

  private final Path file;
  private Instant start;
  private Instant end;
  private String jvm = "";
  private long events;
  private final Map<String, Lock> locks = new LinkedHashMap<>();
  private final Map<String, GilThread> gilThreads = new LinkedHashMap<>();
  private final GilThread gilOverall = new GilThread("all threads");
  private final Histogram gilWaits = new Histogram(2);
  private final Histogram gilHolds = new Histogram(2);
  private long forcedDrops;
  private long voluntaryDrops;
  private final Map<String, Long> revocationsByReason = new LinkedHashMap<>();
  private final Map<String, Revoked> revokedStacks = new HashMap<>();
  private final Map<String, Pipe> pipes = new LinkedHashMap<>();
  private final Map<String, Timeline> timelines = new LinkedHashMap<>();

  private RecordingSummary(Path file) {
    this.file = file;
  }

  /** Why a file could not be read: the message says what is wrong, for one line on stderr. */
  public static final class UnreadableRecordingException extends Exception {
    private static final long serialVersionUID = 1L;

    UnreadableRecordingException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * Reads {@code file}.
   *
   * @throws UnreadableRecordingException if it is missing, not a JFR recording, or corrupt or
   *     truncated
   */
  public static RecordingSummary read(Path file) throws UnreadableRecordingException {
    if (!Files.isRegularFile(file)) {
      throw new UnreadableRecordingException("no such file: " + file, null);
    }
    try (InputStream in = Files.newInputStream(file)) {
      byte[] head = in.readNBytes(MAGIC.length);
      if (!java.util.Arrays.equals(head, MAGIC)) {
        throw new UnreadableRecordingException(
            file + " is not a JFR recording (it does not start with JFR's magic bytes)", null);
      }
    } catch (IOException e) {
      throw new UnreadableRecordingException("cannot read " + file + ": " + e.getMessage(), e);
    }
    RecordingSummary s = new RecordingSummary(file);
    try (RecordingFile rf = new RecordingFile(file)) {
      while (rf.hasMoreEvents()) {
        s.add(rf.readEvent());
      }
    } catch (IOException | RuntimeException | InternalError e) {
      throw new UnreadableRecordingException(
          file + " is a corrupt or truncated JFR recording: " + e.getMessage(), e);
    }
    if (s.start == null) {
      throw new UnreadableRecordingException(file + " is a JFR recording with no events", null);
    }
    s.finish();
    return s;
  }

  private void add(RecordedEvent e) {
    events++;
    String type = e.getEventType().getName();
    // jdk.ActiveRecording spans from each recording's start, possibly long before this file's.
    if (!type.equals("jdk.ActiveRecording")) {
      Instant t0 = e.getStartTime();
      Instant t1 = e.getEndTime();
      if (start == null || t0.isBefore(start)) {
        start = t0;
      }
      if (end == null || t1.isAfter(end)) {
        end = t1;
      }
    }
    switch (type) {
      case "gil4j.ContentionHistogram":
        contentionHistogram(e);
        break;
      case "gil4j.LockWait":
        lockWait(e);
        break;
      case "jdk.JavaMonitorEnter":
        monitorEnter(e);
        break;
      case "gil4j.GilStatistics":
        gilStatistics(e);
        break;
      case "gil4j.GilWait":
        gilWait(e);
        break;
      case "gil4j.GilDrop":
        gilDrop(e);
        break;
      case "gil4j.GilRevoke":
        gilRevoke(e);
        break;
      case "gil4j.PipeIo":
        pipeIo(e);
        break;
      case "jdk.JVMInformation":
        String v = string(e, "jvmVersion");
        // "OpenJDK 64-Bit Server VM (17.0.15+6-Debian-1deb12u1) for linux-amd64 JRE (…), built on
        // …"
        jvm = v.contains(" for ") ? v.substring(0, v.indexOf(" for ")) : v;
        break;
      default:
        break;
    }
  }

  private void contentionHistogram(RecordedEvent e) {
    Lock lock = lock(string(e, "lockClass"), string(e, "site"), "gil4j");
    Histogram h = decode(string(e, "histogram"));
    boolean wait = "wait".equals(string(e, "kind"));
    if (h != null) {
      (wait ? lock.waits : lock.holds).add(h);
    }
    if (wait) {
      lock.complete = true;
      lock.histogramTotalNanos += e.getDuration("total").toNanos();
    }
  }

  private void lockWait(RecordedEvent e) {
    Lock lock = lock(string(e, "lockClass"), string(e, "site"), "gil4j");
    long nanos = e.getDuration().toNanos();
    lock.events++;
    lock.eventTotalNanos += nanos;
    lock.eventWaits.recordValue(clamp(nanos));
    RecordedThread owner = e.hasField("owner") ? e.getThread("owner") : null;
    lock.owners.merge(owner == null ? "(unknown)" : name(owner), nanos, Long::sum);
  }

  private void monitorEnter(RecordedEvent e) {
    String monitor =
        e.hasField("monitorClass") && e.getClass("monitorClass") != null
            ? e.getClass("monitorClass").getName()
            : "?";
    Lock lock = lock("synchronized " + monitor, topFrame(e.getStackTrace()), "jdk");
    RecordedStackTrace stack = e.getStackTrace();
    if (stack != null && !stack.getFrames().isEmpty()) {
      RecordedFrame f = stack.getFrames().get(0);
      lock.monitorKey =
          monitor + " " + f.getMethod().getType().getName() + "." + f.getMethod().getName();
      lock.monitorLine = f.getLineNumber();
    }
    long nanos = e.getDuration().toNanos();
    lock.events++;
    lock.eventTotalNanos += nanos;
    lock.eventWaits.recordValue(clamp(nanos));
    RecordedThread owner = e.hasField("previousOwner") ? e.getThread("previousOwner") : null;
    lock.owners.merge(owner == null ? "(unknown)" : name(owner), nanos, Long::sum);
  }

  private void gilStatistics(RecordedEvent e) {
    boolean overall = e.getBoolean("overall");
    String name = string(e, "thread");
    GilThread t = overall ? gilOverall : gilThreads.computeIfAbsent(name, GilThread::new);
    long held = e.getDuration("heldTime").toNanos();
    long waiting = e.getDuration("waitingTime").toNanos();
    long released = e.getDuration("releasedTime").toNanos();
    t.heldNanos += held;
    t.waitNanos += waiting;
    t.releasedNanos += released;
    t.takes += e.getLong("takes");
    t.contendedTakes += e.getLong("contendedTakes");
    t.forcedDrops += e.getLong("forcedDrops");
    t.revocations += e.getLong("revocations");
    if (overall) {
      t.handOffs +=
          Math.round(e.getDouble("handOffsPerSecond") * e.getDuration("interval").toNanos() / 1e9);
    } else {
      long periodEnd = micros(e.getStartTime());
      long periodStart = periodEnd - e.getDuration("interval").toNanos() / 1000;
      timeline(name).periods.add(new double[] {periodStart, periodEnd, held, waiting, released});
    }
  }

  private void gilWait(RecordedEvent e) {
    gilWaits.recordValue(clamp(e.getDuration().toNanos()));
    timeline(name(e.getThread()))
        .waits
        .add(new long[] {micros(e.getStartTime()), e.getDuration().toNanos() / 1000});
  }

  private void gilDrop(RecordedEvent e) {
    long held = e.getDuration("heldTime").toNanos();
    gilHolds.recordValue(clamp(held));
    if (e.getBoolean("forced")) {
      forcedDrops++;
    } else {
      voluntaryDrops++;
    }
    long endMicros = micros(e.getStartTime());
    timeline(name(e.getThread())).holds.add(new long[] {endMicros - held / 1000, held / 1000});
  }

  private void gilRevoke(RecordedEvent e) {
    String reason = string(e, "reason");
    revocationsByReason.merge(reason, 1L, Long::sum);
    String stack = string(e, "holderStack");
    RecordedThread holder = e.getThread("holder");
    Revoked r =
        revokedStacks.computeIfAbsent(reason + "\n" + stack, k -> new Revoked(reason, stack));
    r.count++;
    if (holder != null) {
      r.holders.merge(name(holder), 1L, Long::sum);
    }
  }

  private void pipeIo(RecordedEvent e) {
    String key = string(e, "pipe") + "\n" + string(e, "direction");
    Pipe p = pipes.computeIfAbsent(key, k -> new Pipe(string(e, "pipe"), string(e, "direction")));
    p.count++;
    p.bytes += e.getLong("bytes");
    long nanos = e.getDuration().toNanos();
    p.totalNanos += nanos;
    p.times.recordValue(clamp(nanos));
  }

  private void finish() {
    mergeMonitors();
    long origin = micros(start);
    for (Timeline t : timelines.values()) {
      t.waits.sort(Comparator.comparingLong(a -> a[0]));
      t.holds.sort(Comparator.comparingLong(a -> a[0]));
      for (long[] span : t.waits) {
        span[0] -= origin;
      }
      for (long[] span : t.holds) {
        span[0] -= origin;
      }
      for (double[] p : t.periods) {
        p[0] -= origin;
        p[1] -= origin;
      }
      t.periods.sort(Comparator.comparingDouble(a -> a[0]));
    }
  }

  /**
   * gil4j's histogram of a monitor entered at a line ({@code synchronized}, site {@code <monitor
   * class> <class>.<method>(<file>:<line>)}) and the JDK's events for the same monitor class and
   * line are one lock: the row keeps every wait from the histogram and takes the owners from the
   * events. The JDK's frame may stand on the line after the {@code synchronized} statement (the
   * first one inside), so that line matches too when no site is on the JDK's own.
   */
  private void mergeMonitors() {
    Map<String, Lock> timed = new HashMap<>();
    for (Lock l : locks.values()) {
      if (l.source.equals("gil4j") && l.lockClass.equals(MONITOR_KIND)) {
        String key = monitorKey(l.site);
        if (key != null) {
          timed.put(key, l);
        }
      }
    }
    locks
        .values()
        .removeIf(
            l -> {
              if (l.monitorKey == null) {
                return false;
              }
              Lock into = timed.get(l.monitorKey + ":" + l.monitorLine);
              if (into == null) {
                into = timed.get(l.monitorKey + ":" + (l.monitorLine - 1));
              }
              if (into == null) {
                return false;
              }
              into.events += l.events;
              into.eventTotalNanos += l.eventTotalNanos;
              into.eventWaits.add(l.eventWaits);
              for (Map.Entry<String, Long> o : l.owners.entrySet()) {
                into.owners.merge(o.getKey(), o.getValue(), Long::sum);
              }
              return true;
            });
  }

  /** {@code <monitor class> <class>.<method>:<line>} from gil4j's site name, or null. */
  private static String monitorKey(String site) {
    int space = site.indexOf(' ');
    int open = site.lastIndexOf('(');
    int colon = site.lastIndexOf(':');
    if (space < 0 || open < space || colon < open || !site.endsWith(")")) {
      return null;
    }
    return site.substring(0, space)
        + " "
        + site.substring(space + 1, open)
        + ":"
        + site.substring(colon + 1, site.length() - 1);
  }

  private Lock lock(String lockClass, String site, String source) {
    return locks.computeIfAbsent(
        source + "\n" + lockClass + "\n" + site, k -> new Lock(lockClass, site, source));
  }

  private Timeline timeline(String thread) {
    return timelines.computeIfAbsent(thread, Timeline::new);
  }

  private static long micros(Instant t) {
    return t.getEpochSecond() * 1_000_000 + t.getNano() / 1000;
  }

  private static Histogram decode(String base64) {
    if (base64 == null || base64.isEmpty()) {
      return null;
    }
    try {
      return Histogram.decodeFromCompressedByteBuffer(
          ByteBuffer.wrap(Base64.getDecoder().decode(base64)), 0);
    } catch (DataFormatException | IllegalArgumentException e) {
      return null;
    }
  }

  private static String string(RecordedEvent e, String field) {
    if (!e.hasField(field)) {
      return "";
    }
    String s = e.getString(field);
    return s == null ? "" : s;
  }

  private static String name(RecordedThread t) {
    if (t == null) {
      return "(unknown)";
    }
    String n = t.getJavaName();
    return n != null ? n : t.getOSName() != null ? t.getOSName() : "(unnamed)";
  }

  private static String topFrame(RecordedStackTrace stack) {
    if (stack == null || stack.getFrames().isEmpty()) {
      return "(no stack trace)";
    }
    RecordedFrame f = stack.getFrames().get(0);
    String type = f.getMethod().getType().getName();
    return type + "." + f.getMethod().getName() + "(line " + f.getLineNumber() + ")";
  }

  private static long clamp(long nanos) {
    return Math.max(0, Math.min(nanos, 3_600_000_000_000L));
  }

  /** The recording file. */
  public Path file() {
    return file;
  }

  /** The first event's start. */
  public Instant start() {
    return start;
  }

  /** The last event's end minus the first event's start. */
  public Duration duration() {
    return Duration.between(start, end);
  }

  /** The JVM's name and version, if the recording says ({@code jdk.JVMInformation}). */
  public String jvm() {
    return jvm;
  }

  /** How many events the file holds. */
  public long events() {
    return events;
  }

  /** Locks, most total wait first. */
  public List<Lock> locks() {
    List<Lock> ranked = new ArrayList<>(locks.values());
    ranked.sort(Comparator.comparingLong(Lock::totalWaitNanos).reversed());
    return ranked;
  }

  /** Per registered thread, most GIL time (held + waiting) first. */
  public List<GilThread> gilThreads() {
    List<GilThread> ranked = new ArrayList<>(gilThreads.values());
    ranked.sort(Comparator.comparingLong((GilThread t) -> t.heldNanos + t.waitNanos).reversed());
    return ranked;
  }

  /** All registered threads together; zero everywhere without {@code gil4j.GilStatistics}. */
  public GilThread gilOverall() {
    return gilOverall;
  }

  /** {@code gil4j.GilWait} durations (waits over the threshold), ns. */
  public Histogram gilWaits() {
    return gilWaits;
  }

  /** Hold times from {@code gil4j.GilDrop}, ns. */
  public Histogram gilHolds() {
    return gilHolds;
  }

  public long forcedDrops() {
    return forcedDrops;
  }

  public long voluntaryDrops() {
    return voluntaryDrops;
  }

  /** {@code gil4j.GilRevoke} counts per reason. */
  public Map<String, Long> revocationsByReason() {
    return revocationsByReason;
  }

  /** Revoked holders' stacks, most frequent first. */
  public List<Revoked> revokedStacks() {
    List<Revoked> ranked = new ArrayList<>(revokedStacks.values());
    ranked.sort(Comparator.comparingLong((Revoked r) -> r.count).reversed());
    return ranked;
  }

  /** Pipes and directions, most total time first. */
  public List<Pipe> pipes() {
    List<Pipe> ranked = new ArrayList<>(pipes.values());
    ranked.sort(Comparator.comparingLong((Pipe p) -> p.totalNanos).reversed());
    return ranked;
  }

  /** Per thread: GIL periods, holds and waits, in microseconds since the recording's start. */
  public Map<String, Timeline> timelines() {
    return timelines;
  }

  /** One lock, its waits and holds. */
  public static final class Lock {
    final String lockClass;
    final String site;
    final String source;
    final Histogram waits = new Histogram(2);
    final Histogram holds = new Histogram(2);
    final Histogram eventWaits = new Histogram(2);
    final Map<String, Long> owners = new HashMap<>();
    // For a monitor from jdk.JavaMonitorEnter: "<monitor class> <class>.<method>", and the line.
    String monitorKey;
    int monitorLine;
    boolean complete;
    long histogramTotalNanos;
    long events;
    long eventTotalNanos;

    Lock(String lockClass, String site, String source) {
      this.lockClass = lockClass;
      this.site = site;
      this.source = source;
    }

    /** The lock's class ({@code ReentrantLock}, …, or {@code synchronized <monitor class>}). */
    public String lockClass() {
      return lockClass;
    }

    /** Its creation site (for a monitor: the frame that entered it). */
    public String site() {
      return site;
    }

    /** {@code gil4j} or {@code jdk} ({@code jdk.JavaMonitorEnter}). */
    public String source() {
      return source;
    }

    /**
     * Whether {@link #waits} holds every wait ({@code gil4j.ContentionHistogram}) rather than only
     * those over an event threshold.
     */
    public boolean complete() {
      return complete;
    }

    /** Wait times, ns: every wait when {@link #complete}, else the events' (over threshold). */
    public Histogram waits() {
      return complete ? waits : eventWaits;
    }

    /** Hold times, ns (empty without {@code gil4j.ContentionHistogram}). */
    public Histogram holds() {
      return holds;
    }

    /** Total time threads waited. */
    public long totalWaitNanos() {
      return complete ? histogramTotalNanos : eventTotalNanos;
    }

    /** Threads that owned the lock while others waited, with the wait they caused, most first. */
    public List<Map.Entry<String, Long>> owners() {
      List<Map.Entry<String, Long>> ranked = new ArrayList<>(owners.entrySet());
      ranked.sort(Map.Entry.<String, Long>comparingByValue().reversed());
      return ranked;
    }

    /** How many wait events ({@code gil4j.LockWait} or {@code jdk.JavaMonitorEnter}) it had. */
    public long events() {
      return events;
    }
  }

  /** One thread's GIL use over the recording, from {@code gil4j.GilStatistics}. */
  public static final class GilThread {
    final String name;
    long heldNanos;
    long waitNanos;
    long releasedNanos;
    long takes;
    long contendedTakes;
    long forcedDrops;
    long revocations;
    long handOffs;

    GilThread(String name) {
      this.name = name;
    }

    public String name() {
      return name;
    }

    public long heldNanos() {
      return heldNanos;
    }

    public long waitNanos() {
      return waitNanos;
    }

    public long releasedNanos() {
      return releasedNanos;
    }

    /** Registered time: held + waiting + released. */
    public long registeredNanos() {
      return heldNanos + waitNanos + releasedNanos;
    }

    public long takes() {
      return takes;
    }

    public long contendedTakes() {
      return contendedTakes;
    }

    public long forcedDrops() {
      return forcedDrops;
    }

    public long revocations() {
      return revocations;
    }

    /** GIL hand-offs (overall row only). */
    public long handOffs() {
      return handOffs;
    }
  }

  /** Revocations that saw one holder stack. */
  public static final class Revoked {
    final String reason;
    final String stack;
    final Map<String, Long> holders = new HashMap<>();
    long count;

    Revoked(String reason, String stack) {
      this.reason = reason;
      this.stack = stack;
    }

    public String reason() {
      return reason;
    }

    /** The holder's frames, one per line, innermost first. */
    public String stack() {
      return stack;
    }

    public long count() {
      return count;
    }

    public Map<String, Long> holders() {
      return holders;
    }
  }

  /** One pipe in one direction. */
  public static final class Pipe {
    final String pipe;
    final String direction;
    final Histogram times = new Histogram(2);
    long count;
    long bytes;
    long totalNanos;

    Pipe(String pipe, String direction) {
      this.pipe = pipe;
      this.direction = direction;
    }

    public String pipe() {
      return pipe;
    }

    public String direction() {
      return direction;
    }

    public long count() {
      return count;
    }

    public long bytes() {
      return bytes;
    }

    public long totalNanos() {
      return totalNanos;
    }

    /** Call durations, ns (calls over the event threshold). */
    public Histogram times() {
      return times;
    }
  }

  /**
   * One thread's GIL over time, in microseconds since the recording's start: periods {@code [start,
   * end, heldNs, waitingNs, releasedNs]} from {@code gil4j.GilStatistics}, holds and waits {@code
   * [start, length]} from {@code gil4j.GilDrop} and {@code gil4j.GilWait}.
   */
  public static final class Timeline {
    final String thread;
    final List<double[]> periods = new ArrayList<>();
    final List<long[]> holds = new ArrayList<>();
    final List<long[]> waits = new ArrayList<>();

    Timeline(String thread) {
      this.thread = thread;
    }

    public String thread() {
      return thread;
    }

    public List<double[]> periods() {
      return periods;
    }

    public List<long[]> holds() {
      return holds;
    }

    public List<long[]> waits() {
      return waits;
    }
  }
}

package dev.gil4j.threading;

import dev.gil4j.profiler.ContentionRecorder;
import java.util.Set;

/**
 * One primitive's link to the contention recorder: its kind and creation site, found once at
 * construction, and its recorder site, looked up at the first value recorded.
 *
 * <p>Design: the creation site is the first stack frame outside this package's own classes, so a
 * {@code Condition} that creates its {@code RLock} names the application line that created the
 * condition. Test classes that live in this package are not "own" classes, which is why the check
 * is by class name rather than by package. Internal primitives (a barrier's lock, a timer's event)
 * use {@link #NONE}: their waits are the owner's, not a separate site.
 */
final class Probe {
  /** Records nothing. */
  static final Probe NONE = new Probe(null, null);

  private static final String PACKAGE = "dev.gil4j.threading.";
  private static final Set<String> OWN =
      Set.of(
          "Acquirable",
          "Barrier",
          "Blocking",
          "BoundedSemaphore",
          "BrokenBarrierError",
          "Condition",
          "Event",
          "Held",
          "Lock",
          "Probe",
          "RLock",
          "Semaphore",
          "Timeouts",
          "Timer",
          "Waiter");

  /**
   * The cross-process primitives of {@code dev.gil4j.multiprocessing}, which keep their state in
   * one of these: their creation site is the application's line too.
   */
  private static final String MULTIPROCESSING = "dev.gil4j.multiprocessing.";

  private static final Set<String> MULTIPROCESSING_OWN =
      Set.of(
          "Array",
          "Barrier",
          "BoundedSemaphore",
          "Condition",
          "Event",
          "Lock",
          "RLock",
          "Semaphore",
          "Shared",
          "SharedCData",
          "SharedPrimitive",
          "Value");

  private static final StackWalker WALKER = StackWalker.getInstance();

  private final String kind;
  private final String name;

  /** Racy but benign: every thread that looks it up gets the same site. */
  private ContentionRecorder.Site site;

  private Probe(String kind, String name) {
    this.kind = kind;
    this.name = name;
  }

  /** A probe of kind {@code kind} named for the application frame that is creating it. */
  static Probe create(String kind) {
    return new Probe(kind, creationSite());
  }

  String name() {
    return name;
  }

  void waited(long nanos) {
    if (kind != null) {
      site().recordWait(nanos);
    }
  }

  void held(long nanos) {
    if (kind != null) {
      site().recordHold(nanos);
    }
  }

  private ContentionRecorder.Site site() {
    ContentionRecorder.Site s = site;
    if (s == null) {
      s = ContentionRecorder.site(kind, name);
      site = s;
    }
    return s;
  }

  private static String creationSite() {
    return WALKER.walk(
        frames ->
            frames
                .filter(f -> !isOwn(f.getClassName()))
                .findFirst()
                .map(
                    f ->
                        ContentionRecorder.siteName(
                            f.getClassName(),
                            f.getMethodName(),
                            f.getFileName(),
                            f.getLineNumber()))
                .orElse("unknown"));
  }

  private static boolean isOwn(String className) {
    if (className.startsWith(PACKAGE)) {
      return OWN.contains(simpleName(className, PACKAGE));
    }
    if (className.startsWith(MULTIPROCESSING)) {
      return MULTIPROCESSING_OWN.contains(simpleName(className, MULTIPROCESSING));
    }
    return false;
  }

  private static String simpleName(String className, String pkg) {
    String simple = className.substring(pkg.length());
    int nested = simple.indexOf('$');
    return nested < 0 ? simple : simple.substring(0, nested);
  }
}

package dev.gil4j.gil.internal;

import dev.gil4j.gil.GilConfig;
import dev.gil4j.gil.Policy;
import dev.gil4j.profiler.GilUsage;
import dev.gil4j.profiler.Monitors;
import dev.gil4j.profiler.jfr.JfrEvents;
import dev.gil4j.runtime.Hooks;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.HdrHistogram.Histogram;

/**
 * CPython's "new GIL" ({@code Python/ceval_gil.c}, 3.2+), generalised to K tokens, with a revocable
 * safety net.
 *
 * <p><b>Assumptions and guarantees.</b> At most {@code tokens} registered threads hold the GIL at
 * once. {@link #take} blocks until a token is free; it is not interruptible, but an interrupt that
 * arrives while it waits is kept and re-asserted on return. No fairness: the JVM picks which waiter
 * wakes, as the OS does for CPython. A holder is asked to drop only by a waiter that saw no
 * hand-off during a whole switch interval; the holder honours the request at its next checkpoint,
 * handing the GIL to the longest waiter, and waits until a successor runs (forced switching). A
 * holder that is not running (blocked, waiting, or runnable with no CPU progress across a deadline)
 * loses its token to the watchdog, and re-takes it at its next checkpoint or blocking point. No
 * method throws.
 *
 * <p>Design: waiting is built on {@code java.util.concurrent} (never monitors), so that a virtual
 * thread waiting for the GIL unmounts. That waiting itself passes through {@code LockSupport.park},
 * a blocking point with a hook; so every {@code mutex.lock()} by a thread that may be registered
 * runs with its {@link ThreadState#guard} raised, which keeps the hooks out. Without it, a
 * contended lock parks, and the park hook re-enters the GIL from inside the mutex's own acquire.
 */
public final class GilCore implements Hooks.Gil {
  private static final int STACK_DEPTH = 12;

  /** Most revocations first. A class, not a lambda: the exit report's snapshot spins none. */
  private static final Comparator<GilUsage.RevokedStack> MOST_REVOKED =
      new Comparator<>() {
        @Override
        public int compare(GilUsage.RevokedStack a, GilUsage.RevokedStack b) {
          return Long.compare(b.count(), a.count());
        }
      };

  private static final int ASLEEP_POLLS = 5;

  private static final long ASLEEP_NANOS = 10_000_000L;

  /** How long a waiter that asked for a drop spins for the hand-off ({@link #spinForHandOff}). */
  private static final long HAND_OFF_SPIN_NANOS = 20_000L;

  private final GilConfig config;
  private final boolean cpython;
  private final long interval;
  private final long stallWindow;
  private final long pollNanos;
  private final long startedAt = System.nanoTime();

  /** Unfair on purpose: CPython promises no order among waiters, and fairness changes timings. */
  private final ReentrantLock mutex = new ReentrantLock();

  private final ThreadTable table = new ThreadTable();
  private final NativeMethods natives = new NativeMethods();

  /**
   * {@link #enterNative}'s answers besides {@link Hooks#NATIVE_NOTHING} (nothing to do after the
   * call): a lazy mark, a release.
   */
  public static final int NATIVE_MARKED = 1;

  public static final int NATIVE_RELEASED = 2;
  private final Watchdog watchdog;
  private final Breaker breaker;
  private final AtomicBoolean reported = new AtomicBoolean();

  /** The safety net failed: no thread waits for the GIL any more, for the rest of the run. */
  private volatile boolean open;

  // All below: guarded by mutex.
  private final ThreadState[] holders;
  private int held;
  private long switchNumber;
  private ThreadState lastHolder;

  /**
   * The switch number of the latest holder known to run: a thread granted the GIL while it waited
   * sets it when it resumes ({@link #resumed}), one that takes the GIL running sets it at once.
   * Written under the mutex; read without it by a dropper parked in {@link #awaitSwitch}.
   */
  private volatile long runningSwitch;

  /** Droppers parked in {@link #awaitSwitch}, whom a resuming holder must signal. */
  private ThreadState droppers;

  /** The threads waiting for the GIL, oldest first ({@link #waitForToken}). */
  private ThreadState oldestWaiting;

  private ThreadState newestWaiting;

  /**
   * The monitors owned by threads waiting for the GIL after blocking at their entry or in their
   * {@code Object.wait} ({@link #afterBlockingOwning}), one slot each, so that a holder arriving at
   * an inflated monitor can tell whether it will block ({@link #beforeMonitorEntry}). A thread that
   * finds no free slot is not listed. Written under the mutex, read without it.
   */
  private final AtomicReferenceArray<Object> ownedByWaiters = new AtomicReferenceArray<>(16);

  private int pendingRequests;
  private int pendingRetakes;

  /** Of {@link #pendingRetakes}, those of dormant debtors, which leave the breaker alone. */
  private int dormantRetakes;

  private long dropRequests;
  private long forcedDrops;
  private long revocations;
  private long monitorReleases;
  private long nativeReleases;
  private final Histogram waits = new Histogram(2);
  // The exit report's threads: alive, or ended and kept as themselves (ended).
  private final Set<ThreadState> threads = new LinkedHashSet<>();
  private final EndedThreads ended = new EndedThreads();
  private long nextId;

  /** Threads the safety net released that owe a re-take; {@link #coverOwing} watches them. */
  private final List<ThreadState> owing = new ArrayList<>();

  /** One of them, running without the GIL: it gets the GIL at the next release. */
  private ThreadState proxy;

  private volatile boolean anyOwing;
  // The periodic reader's threads: alive, or ended since its last snapshot (recentUsage).
  private final Set<ThreadState> unreported = new LinkedHashSet<>();

  /**
   * Whether a periodic reader ever asked: until then, an ending thread leaves {@code unreported}.
   */
  private boolean periodicReader;

  /**
   * Ended threads the periodic reader has not seen: dropped every {@value #UNREPORTED_ENDED}, so
   * that they do not pile up while no recording runs.
   */
  private int unreportedEnded;

  private static final int UNREPORTED_ENDED = 10_000;
  private final Map<String, GilUsage.RevokedStack> revokedStacks = new HashMap<>();
  private ThreadMXBean cpuClock;

  /** Visible to the checkpoint fast path of the ticks policy. */
  private volatile Thread soleHolder;

  private int ticksLeft;
  private volatile int waiters;

  /** Where the checkpoint fast path reads whether to call {@link #checkpoint}. */
  public interface Breaker {
    void set(boolean pending);
  }

  public GilCore(GilConfig config, Breaker breaker) {
    this.config = config;
    this.breaker = breaker;
    this.cpython = config.policy() == Policy.CPYTHON;
    this.interval = config.switchIntervalNanos();
    this.stallWindow = Math.max(4 * interval, 50_000_000L);
    this.holders = new ThreadState[config.tokens()];
    this.ticksLeft = config.ticks();
    this.pollNanos = Math.min(1_000_000L, Math.max(100_000L, interval / 2));
    this.watchdog = new Watchdog(this, pollNanos);
    updateBreaker();
  }

  public GilConfig config() {
    return config;
  }

  /** Locks the GIL's mutex; returns whether the calling thread may have parked doing so. */
  private boolean lockMutex() {
    if (mutex.tryLock()) {
      return false;
    }
    mutex.lock();
    return true;
  }

  /**
   * Gives back a permit that a park inside gil4j may have used up. The hooks run inside {@code
   * LockSupport.park} and other blocking calls: an {@code unpark} the application sent just before
   * its park would otherwise be consumed by the GIL's own waiting, and the application's park would
   * then wait forever (a lost wake-up: AQS clears a waiter's status before it unparks it). An extra
   * permit is a spurious wake-up, which park's contract allows; a lost one is a hang.
   */
  private static void restorePermit(boolean parked) {
    if (parked) {
      LockSupport.unpark(Thread.currentThread());
    }
  }

  /** Starts the safety net's thread. Call before any thread can register. */
  public void startWatchdog() {
    watchdog.start();
  }

  /** The calling thread takes part in the GIL from now on, and takes it. */
  public void registerCurrentThread() {
    ThreadState st = current();
    if (st == null) {
      st = register(Thread.currentThread());
    }
    take(st);
  }

  /**
   * Called by a thread about to start {@code child}: a registered parent registers its child, which
   * then owes the GIL until it takes it at the start of its {@code run} ({@link #threadBegins}).
   * Returns whether {@code child} was registered by this call.
   */
  @Override
  public boolean threadStarting(Thread child) {
    ThreadState parent = mine();
    if (parent == null || parent.guard > 0 || !inherits(child)) {
      return false;
    }
    parent.guard++;
    boolean parked = lockMutex();
    try {
      if (table.get(child) != null) {
        return false;
      }
      ThreadState st = new ThreadState(child, System.nanoTime());
      st.id = nextId++;
      threads.add(st);
      unreported.add(st);
      table.put(st);
      st.retake = true;
      pendingRetakes++;
      updateBreaker();
      return true;
    } finally {
      mutex.unlock();
      parent.guard--;
      restorePermit(parked);
    }
  }

  /** {@code Thread.start} threw after {@link #threadStarting} registered {@code child}. */
  public void threadStartFailed(Thread child) {
    ThreadState parent = mine();
    if (parent != null) {
      parent.guard++;
    }
    boolean parked = lockMutex();
    try {
      ThreadState st = table.get(child);
      if (st != null && st.tid == ThreadState.NOT_RUN) {
        settle(st);
        st.alive = false;
        st.endedAt = System.nanoTime();
        table.remove(st);
      }
    } finally {
      mutex.unlock();
      if (parent != null) {
        parent.guard--;
      }
      restorePermit(parked);
    }
  }

  /**
   * The calling thread enters its {@code run}: a registered thread takes the GIL before the first
   * instruction of its body, whatever that body contains (a body without checkpoints would
   * otherwise run beside the holder until it ends).
   */
  public void threadBegins() {
    ThreadState st = current();
    if (st != null && st.guard == 0 && !st.holding && st.alive) {
      take(st);
    }
  }

  /** JVM-internal threads never take the GIL, even when a registered thread starts them. */
  private static boolean inherits(Thread child) {
    String cls = child.getClass().getName();
    if (cls.startsWith("jdk.") || cls.startsWith("sun.") || cls.startsWith("com.sun.")) {
      return false;
    }
    String name = child.getName();
    // JDK 17 starts its process reaper as a plain Thread; it waits in a native call and, holding
    // the GIL from its first instruction, was revoked at every child process.
    return !name.startsWith("gil4j-") && !name.startsWith("JFR ") && !name.equals("process reaper");
  }

  /** The state of the calling thread, or null; no side effects. */
  private ThreadState mine() {
    return table.get(Thread.currentThread());
  }

  /** The state of the calling thread, or null; the first call on a new thread learns its tid. */
  private ThreadState current() {
    ThreadState st = table.get(Thread.currentThread());
    if (st != null && st.tid == ThreadState.NOT_RUN) {
      st.guard++;
      try {
        st.tid = ownTid(st.thread);
      } finally {
        st.guard--;
      }
    }
    return st;
  }

  /** A virtual thread's kernel thread is its carrier of the moment: not its own. */
  private static int ownTid(Thread t) {
    return t.getClass().getName().equals("java.lang.VirtualThread")
        ? 0
        : KernelThreads.currentTid();
  }

  private ThreadState register(Thread t) {
    ThreadState st = new ThreadState(t, System.nanoTime());
    st.guard++;
    st.tid = ownTid(t);
    boolean parked = lockMutex();
    try {
      st.id = nextId++;
      threads.add(st);
      unreported.add(st);
      table.put(st);
      st.retake = true;
      pendingRetakes++;
      updateBreaker();
    } finally {
      mutex.unlock();
      st.guard--;
      restorePermit(parked);
    }
    return st;
  }

  /**
   * Mutex held: {@code st} no longer owes the GIL, and the breaker no longer serves it. A new
   * thread settles when it starts to wait for its first take: the breaker left on until the next
   * grant sent every checkpoint of the holder through the slow path for a whole interval.
   */
  private void settle(ThreadState st) {
    if (st.retake) {
      st.retake = false;
      pendingRetakes--;
      if (st.dormant) {
        st.dormant = false;
        dormantRetakes--;
      }
      updateBreaker();
    }
  }

  /**
   * Checkpoint slow path: honour a drop request, take a GIL owed (new thread, revoked), or tick.
   */
  @Override
  public void checkpoint() {
    if (open) {
      return;
    }
    // policy=ticks, one token: a plain counter, written only by the holder while it holds.
    if (!cpython && Thread.currentThread() == soleHolder) {
      if (--ticksLeft <= 0) {
        ticksLeft = config.ticks();
        ThreadState st = mine();
        if (tick(st)) {
          take(st);
        }
      }
      return;
    }
    ThreadState st = current();
    if (st == null || st.guard > 0) {
      return;
    }
    if (!st.holding) {
      take(st);
    } else if (!cpython) {
      if (--st.ticks <= 0) {
        st.ticks = config.ticks();
        if (tick(st)) {
          take(st);
        }
      }
    } else if (st.dropRequested && st.noSwitch == 0) {
      drop(st, true);
      take(st);
    }
  }

  /**
   * Python 2's check interval: release, and at once compete to re-take. Whether it released: the
   * caller then re-takes, so that every wait for the GIL is as many frames below the checkpoint
   * (see {@link JfrEvents#gilWaitEnds}).
   */
  private boolean tick(ThreadState st) {
    if (st.guard == 0 && st.noSwitch == 0) {
      drop(st, false);
      return true;
    }
    return false;
  }

  /**
   * Before a blocking call: drop the GIL if held. Returns whether to take it after the call. While
   * loading a class the GIL is kept: its file reads are short, and handing the GIL over at each
   * would convoy class loading behind CPU-bound threads (the safety net covers a long wait there).
   */
  @Override
  public boolean beforeBlocking() {
    ThreadState st = current();
    if (st == null || st.guard > 0 || st.loading > 0) {
      return false;
    }
    // Parked in a lock acquisition from here on, for a holder's unpark (unparked): marked before
    // the GIL is dropped, so that the next holder never finds it otherwise.
    if (st.acquiring > 0) {
      st.parkedInAcquire = true;
    }
    boolean retake = false;
    if (st.holding) {
      drop(st, false);
      retake = retakeAfter(st);
    } else if (st.retake) {
      settleRetake(st);
      retake = retakeAfter(st);
    }
    // Otherwise released already by an outer blocking point: re-taking after this inner one would
    // hold the GIL inside the outer wait.
    return retake;
  }

  /**
   * Whether a thread that released the GIL for a blocking call re-takes it right after the call,
   * or, blocking inside a lock acquisition, only once it has the lock (see {@link #acquireBegins}).
   */
  private static boolean retakeAfter(ThreadState st) {
    if (st.acquiring > 0) {
      st.releasedInAcquire = true;
      return false;
    }
    return true;
  }

  /**
   * Entering a lock acquisition that may block (AQS's queued acquire, after its first try failed).
   * It runs as CPython's {@code acquire_timed}: non-blocking tries keep the GIL; at the first
   * blocking wait the GIL is released, and it stays released until {@link #acquireEnds}, when the
   * thread owns the lock. So a waiter woken by a lock's release takes the lock without the GIL and
   * then waits for the GIL holding it — while the GIL holder runs on, every other thread needing
   * that lock blocks: CPython's lock convoy. Re-taking the GIL after each wake-up instead, before
   * trying for the lock, let the GIL holder barge into the lock again and again: no convoy at all.
   * Returns whether to call {@link #acquireEnds}.
   */
  @Override
  public boolean acquireBegins() {
    ThreadState st = current();
    if (st == null || st.guard > 0 || st.loading > 0) {
      return false;
    }
    st.acquiring++;
    return true;
  }

  /** Leaving a lock acquisition: takes the GIL if a wait inside released it. */
  @Override
  public void acquireEnds() {
    ThreadState st = mine();
    if (st == null || st.acquiring == 0 || --st.acquiring > 0) {
      return;
    }
    st.parkedInAcquire = false;
    if (!st.releasedInAcquire) {
      return;
    }
    st.releasedInAcquire = false;
    if (st.guard == 0 && st.alive) {
      take(st);
    }
  }

  /**
   * After {@code LockSupport.unpark(thread)}. A lock's release wakes its next waiter, and in
   * CPython that waiter takes the lock in C the moment it runs, while the releaser, still
   * interpreting its way back to its next acquire, often arrives second: the waiter then owns the
   * lock and waits for the GIL, every thread needing the lock queues behind it, and 4 threads
   * sharing one lock run 5–7x slower than one (CPython 3.11 on 2 idle cores here: 0.11–0.23x). Java
   * code reaches its next acquire within nanoseconds and barged back in before the woken thread
   * ran: no convoy (0.6–0.8x). So a GIL holder that woke a thread parked in a lock acquisition
   * yields its CPU once, as the slower releaser does: where the woken thread is ready to run, it
   * gets its try first; where it is not (a busy machine), the releaser goes on, as in CPython. A
   * virtual thread does not yield: its carrier would run others that then wait for the GIL it
   * holds.
   */
  @Override
  public void unparked(Thread thread) {
    ThreadState me = mayYield();
    if (me == null || thread == me.thread) {
      return;
    }
    ThreadState woken = table.get(thread);
    if (woken != null && woken.parkedInAcquire) {
      Thread.yield();
    }
  }

  /**
   * The calling thread's state if it may yield its CPU to a thread it woke: a GIL holder on a
   * platform thread, outside gil4j's own code; else {@code null}.
   */
  private ThreadState mayYield() {
    if (open) {
      return null;
    }
    ThreadState me = mine();
    return me != null && me.holding && me.guard == 0 && me.tid > 0 ? me : null;
  }

  @Override
  public boolean monitorHeld(Object monitor) {
    return Monitors.mayBlock(monitor);
  }

  /** The thread will take the GIL after its blocking call: it no longer needs the breaker. */
  private void settleRetake(ThreadState st) {
    st.guard++;
    boolean parked = lockMutex();
    try {
      settle(st);
    } finally {
      mutex.unlock();
      st.guard--;
      restorePermit(parked);
    }
  }

  @Override
  public boolean inside() {
    ThreadState st = mine();
    return st != null && st.guard > 0;
  }

  /** After a blocking call for which {@link #beforeBlocking} returned true. */
  @Override
  public void afterBlocking() {
    ThreadState st = mine();
    if (st != null && st.guard == 0 && st.alive) {
      take(st);
    }
  }

  /**
   * Before entering a monitor that another thread may own: CPython tries a lock without blocking,
   * holding the GIL, and releases the GIL only where the try fails; Java has no such try. A thin
   * lock's header names an owner, and the GIL is released as before any blocking call. An inflated
   * monitor's header does not: it stays inflated while in use, owned or free, and releasing the GIL
   * at every entry handed the GIL over at each {@code synchronized} block of a CPU-bound thread
   * while another waited (two threads entering one monitor every 64 steps: 22,000 hand-offs a
   * second, 20x slower than the same program on a {@code ReentrantLock}). So the GIL is released at
   * an inflated monitor only where a thread waiting for the GIL owns it ({@link
   * #afterBlockingOwning}): the holder's entry would block for certain. Elsewhere the holder enters
   * keeping the GIL; if the entry blocks after all (the owner is blocked in a call inside the
   * monitor, or runs without the GIL), the safety net releases the holder within a poll, as at any
   * blocked entry in code without hooks ({@link #releaseAtMonitor}). With several tokens the other
   * holders run beside this one and may own the monitor, and a virtual thread blocked at a monitor
   * unmounts from its carrier (JDK 24+), which the safety net does not see as a blocked holder (a
   * catalogue scenario of 10,000 virtual threads stalled for a minute): there the GIL is released
   * as before. Platform threads only, where the kernel's thread id is known ({@code tid > 0}).
   */
  @Override
  public boolean beforeMonitorEntry(Object monitor) {
    ThreadState st = mine();
    if (st != null
        && st.holding
        && st.guard == 0
        && holders.length == 1
        && st.tid > 0
        && Monitors.inflated(monitor)
        && !ownedByWaiter(monitor)) {
      return false;
    }
    return beforeBlocking();
  }

  private boolean ownedByWaiter(Object monitor) {
    for (int i = 0; i < ownedByWaiters.length(); i++) {
      if (ownedByWaiters.get(i) == monitor) {
        return true;
      }
    }
    return false;
  }

  /**
   * After an entry for which {@link #beforeMonitorEntry} kept the GIL: if it blocked and the safety
   * net released the thread meanwhile, the thread re-takes the GIL now, listed as owning the
   * monitor (otherwise it would at its next checkpoint, unlisted, and the next holder arriving at
   * the monitor would block there in turn until the safety net saw it).
   */
  @Override
  public void enteredKeeping(Object monitor) {
    ThreadState st = mine();
    if (st != null && st.retake && !st.holding && st.guard == 0 && st.alive) {
      st.owning = monitor;
      take(st);
    }
  }

  /**
   * As {@link #afterBlocking}, owning {@code monitor}: while the thread waits for the GIL, holders
   * arriving at the monitor release the GIL before blocking there ({@link #beforeMonitorEntry}).
   */
  @Override
  public void afterBlockingOwning(Object monitor) {
    ThreadState st = mine();
    if (st != null && st.guard == 0 && st.alive) {
      st.owning = monitor;
      take(st);
    }
  }

  /**
   * Entering native method {@code method} of a library. CPython's extension modules release the GIL
   * around their blocking C calls; gil4j cannot read a library's C code, so it learns which natives
   * block. A call keeps the GIL (marked, at the cost of a volatile write) and the watchdog releases
   * it only if another thread waits for the GIL while the kernel has the caller asleep in the call;
   * from then on that method is known to block, and a call to it while a thread waits releases the
   * GIL at once. A native that computes is never seen asleep and keeps the GIL, as a C extension
   * that does not release it does; one that returns at once costs no hand-over. Returns what to
   * pass to {@link #exitNative}.
   */
  public int enterNative(int method) {
    ThreadState st = mine();
    if (st == null
        || !st.holding
        || st.guard > 0
        || st.noSwitch > 0
        || st.nativeCall != ThreadState.OUTSIDE) {
      return Hooks.NATIVE_NOTHING;
    }
    if (waiters > 0 && natives.blocks(method)) {
      // A method seen asleep before, and a thread waits: release at once, as CPython's
      // Py_BEGIN_ALLOW_THREADS does, instead of making the waiter wait for the watchdog.
      st.nativeCall = ThreadState.RELEASED;
      dropForNative(st);
      return NATIVE_RELEASED;
    }
    st.nativeCalls++;
    st.nativeMethod = method;
    st.nativeCall = ThreadState.IN_NATIVE;
    return NATIVE_MARKED;
  }

  /** Leaving the native call {@link #enterNative} saw: re-takes the GIL if it was released. */
  public void exitNative(int entered) {
    ThreadState st = mine();
    if (st == null
        || entered == Hooks.NATIVE_NOTHING
        || (entered == NATIVE_MARKED
            && st.casNativeCall(ThreadState.IN_NATIVE, ThreadState.OUTSIDE))) {
      return;
    }
    st.nativeCall = ThreadState.OUTSIDE;
    if (st.alive) {
      take(st);
    }
  }

  private void dropForNative(ThreadState st) {
    st.guard++;
    boolean parked = lockMutex();
    try {
      if (st.holding) {
        long now = System.nanoTime();
        JfrEvents.gilDrop(false, now - st.heldSince);
        release(st, now);
        nativeReleases++;
        handOff(st, now);
        signalOldest();
        updateBreaker();
      }
    } finally {
      mutex.unlock();
      st.guard--;
      restorePermit(parked);
    }
  }

  /** Numbers a native method that gil4j wraps, for {@link #enterNative}. */
  public int nativeMethod(String name) {
    return natives.register(name);
  }

  /** Entering a static initializer: checkpoints do not drop the GIL until the matching exit. */
  @Override
  public void enterNoSwitch() {
    ThreadState st = mine();
    if (st != null) {
      st.noSwitch++;
    }
  }

  @Override
  public void exitNoSwitch() {
    ThreadState st = mine();
    if (st != null && st.noSwitch > 0) {
      st.noSwitch--;
    }
  }

  /** Entering class loading: neither checkpoints nor blocking points hand the GIL over. */
  @Override
  public void enterClassLoading() {
    ThreadState st = mine();
    if (st != null) {
      st.noSwitch++;
      st.loading++;
    }
  }

  @Override
  public void exitClassLoading() {
    ThreadState st = mine();
    if (st != null && st.loading > 0) {
      st.noSwitch--;
      st.loading--;
    }
  }

  /** The calling thread is ending: it releases the GIL for good. */
  @Override
  public void threadEnded() {
    ThreadState st = mine();
    if (st == null || !st.alive) {
      return;
    }
    st.guard++;
    boolean parked = lockMutex();
    try {
      long now = System.nanoTime();
      if (st.holding) {
        JfrEvents.gilDrop(false, now - st.heldSince);
        release(st, now);
        signalOldest();
      }
      settle(st);
      st.alive = false;
      st.endedAt = now;
      table.remove(st);
      threads.remove(ended.retire(st));
      if (!periodicReader) {
        unreported.remove(st);
      } else if (++unreportedEnded >= UNREPORTED_ENDED) {
        forgetEndedUnreported();
      }
      updateBreaker();
    } finally {
      mutex.unlock();
      st.guard--;
      restorePermit(parked);
    }
  }

  /** Takes a token, waiting as CPython's {@code take_gil} does. */
  public void take(ThreadState st) {
    if (open) {
      return;
    }
    st.guard++;
    boolean parked = lockMutex();
    try {
      if (st.holding) {
        return;
      }
      settle(st);
      long start = System.nanoTime();
      boolean contended = held == holders.length;
      if (contended) {
        Object jfr = JfrEvents.gilWaitBegins();
        listOwning(st);
        waitForToken(st);
        parked = true;
        JfrEvents.gilWaitEnds(jfr);
        long waited = System.nanoTime() - start;
        st.waitNanos += waited;
        st.contendedTakes++;
        waits.recordValue(waited);
        if (st.waits == null) {
          st.waits = new Histogram(2);
        }
        st.waits.recordValue(waited);
      }
      if (!st.holding) {
        grant(st, System.nanoTime(), true);
      } else {
        resumed();
      }
    } finally {
      if (st.owningSlot >= 0) {
        ownedByWaiters.set(st.owningSlot, null);
        st.owningSlot = -1;
      }
      st.owning = null;
      mutex.unlock();
      st.guard--;
      restorePermit(parked);
    }
  }

  /** Lists the monitor the waiting thread owns, if any, in a free slot; under the mutex. */
  private void listOwning(ThreadState st) {
    if (st.owning == null) {
      return;
    }
    for (int i = 0; i < ownedByWaiters.length(); i++) {
      if (ownedByWaiters.get(i) == null) {
        ownedByWaiters.set(i, st.owning);
        st.owningSlot = i;
        return;
      }
    }
  }

  private void waitForToken(ThreadState st) {
    boolean interrupted = Thread.interrupted();
    if (waiters++ == 0) {
      watchdog.wake();
    }
    // After a forced drop the interval counts from the drop, not from this thread's wake-up in
    // awaitSwitch: the new holder that woke it keeps running, and on Linux the woken thread is
    // often queued behind it on the same CPU for a few milliseconds, which otherwise lengthened
    // every time slice by that much (4 ms slices at switch=1ms).
    long wait = st.droppedAt == 0 ? interval : interval - (System.nanoTime() - st.droppedAt);
    st.droppedAt = 0;
    enqueue(st);
    try {
      // A holder releasing around a blocking call may grant the GIL to this thread (handOff).
      while (!st.holding && held == holders.length && !open) {
        long saved = switchNumber;
        long left;
        try {
          left = st.turn.awaitNanos(Math.max(wait, 1_000L));
          wait = interval;
        } catch (InterruptedException e) {
          interrupted = true;
          continue;
        } finally {
          st.signalled = false;
        }
        // A whole interval passed with no hand-off: ask a holder to drop (take_gil's loop).
        if (cpython
            && left <= 0
            && !st.holding
            && held == holders.length
            && switchNumber == saved) {
          requestDrop();
          if (st == oldestWaiting && st.tid > 0) {
            spinForHandOff(st);
          }
        }
      }
    } finally {
      dequeue(st);
      waiters--;
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * The oldest waiter asked the holder to drop, and the drop hands it the GIL ({@link #handOff}):
   * it waits for that spinning, outside the mutex, up to {@value #HAND_OFF_SPIN_NANOS} ns. The
   * holder sees a request at its next checkpoint, about a microsecond later (0.8 µs median), when
   * CPython's waiter, just back in its condition wait, is seldom asleep yet. A parked JVM thread
   * took 28–48 µs median to run again on the 2-core VM: from the old holder's last instruction to
   * the new holder's first, a hand-off took 38–83 µs median where CPython's took 10–35 µs (two
   * threads at switch=1ms). Spinning, 2–9 µs. Mutex held on entry and on return; a waker that came
   * in the meantime is seen by the caller's loop, so the flag it left is cleared.
   */
  private void spinForHandOff(ThreadState st) {
    mutex.unlock();
    long start = System.nanoTime();
    while (!st.holding && System.nanoTime() - start < HAND_OFF_SPIN_NANOS) {
      Thread.onSpinWait();
    }
    // The dropper still holds the mutex for a moment after its grant: wait for it the same way.
    relockAfterSpin(start);
    st.signalled = false;
  }

  /** Locks the mutex after a spin begun at {@code start}: spinning as long again, then parking. */
  private void relockAfterSpin(long start) {
    while (!mutex.tryLock()) {
      if (System.nanoTime() - start >= 2 * HAND_OFF_SPIN_NANOS) {
        mutex.lock();
        return;
      }
      Thread.onSpinWait();
    }
  }

  /**
   * Wakes the thread that has waited longest for the GIL and is not woken yet, as a release signals
   * CPython's {@code gil->cond}; each waiter waits on a condition of its own, so that the one woken
   * is the one {@link #handOff} grants, and two releases in a row (several tokens) wake two. None
   * when no token is free: the release was handed to a waiter already (or to the safety net's
   * proxy), and a waiter woken for nothing would start its switch interval over.
   */
  private void signalOldest() {
    if (held == holders.length) {
      return;
    }
    for (ThreadState w = oldestWaiting; w != null; w = w.queuedAfter) {
      if (!w.signalled) {
        wake(w);
        return;
      }
    }
  }

  private void signalEveryone() {
    for (ThreadState w = oldestWaiting; w != null; w = w.queuedAfter) {
      wake(w);
    }
  }

  private static void wake(ThreadState w) {
    w.signalled = true;
    w.turn.signal();
  }

  private void enqueue(ThreadState st) {
    if (st.turn == null) {
      st.turn = mutex.newCondition();
    }
    st.queued = true;
    st.queuedBefore = newestWaiting;
    st.queuedAfter = null;
    if (newestWaiting == null) {
      oldestWaiting = st;
    } else {
      newestWaiting.queuedAfter = st;
    }
    newestWaiting = st;
  }

  private void dequeue(ThreadState st) {
    if (!st.queued) {
      return;
    }
    if (st.queuedBefore == null) {
      oldestWaiting = st.queuedAfter;
    } else {
      st.queuedBefore.queuedAfter = st.queuedAfter;
    }
    if (st.queuedAfter == null) {
      newestWaiting = st.queuedBefore;
    } else {
      st.queuedAfter.queuedBefore = st.queuedBefore;
    }
    st.queued = false;
    st.queuedBefore = null;
    st.queuedAfter = null;
  }

  /**
   * A holder released the GIL around a blocking call, or dropped it on request: the thread that has
   * waited longest gets it now, as CPython's waiter gets it. After a forced drop, the old holder
   * sleeps in {@link #awaitSwitch} until the new one runs and wakes it. CPython's {@code drop_gil}
   * signals a waiter, which takes the GIL while the releaser is in its system call; the releaser,
   * back from it, then waits a switch interval for a drop it requests — the I/O convoy (bpo-7946;
   * CPython's I/O thread waited at 99.6% of its sends beside a CPU-bound thread here). gil4j's
   * waiter, woken through the mutex's queue, lost that race to a Java system call more often than
   * not (19–31% of sends), and on a loaded machine, slow to get a CPU, nearly always: the convoy
   * fell to 9–40x where CPython's stayed at 80–240x. Granted at the release, the waiter has the GIL
   * whenever it runs; a releaser that did not block long finds it taken, as in CPython. A virtual
   * thread is not handed the GIL: it runs only once its scheduler mounts it, behind the other
   * virtual threads in the queue, and the GIL stayed idle meanwhile (10,000 virtual threads taking
   * turns, JDK 25: 9 s became 27–102 s). Platform threads only, where the kernel's thread id is
   * known ({@code tid > 0}). Nor is it handed over from a wait inside a lock acquisition, whose
   * timing {@link #acquireBegins} and {@link #unparked} model on CPython's lock already: handed
   * over there too, nested locks convoyed twice as hard as CPython's (4 threads vs 1: 0.17–0.25x
   * against 0.30–0.44x, three idle runs). Mutex held; the releaser released already.
   */
  private void handOff(ThreadState releaser, long now) {
    ThreadState w = oldestWaiting;
    if (!cpython
        || releaser.acquiring > 0
        || w == null
        || w.tid <= 0
        || held == holders.length
        || open) {
      return;
    }
    dequeue(w);
    grant(w, now, false);
    wake(w);
  }

  /**
   * Gives {@code st} a token; {@code running} unless it is a waiter that has yet to wake up to it
   * ({@link #handOff}), which tells {@link #resumed} itself when it does.
   */
  private void grant(ThreadState st, long now, boolean running) {
    for (int i = 0; i < holders.length; i++) {
      if (holders[i] == null) {
        holders[i] = st;
        break;
      }
    }
    held++;
    st.holding = true;
    st.heldSince = now;
    st.takes++;
    if (lastHolder != st) {
      lastHolder = st;
      switchNumber++;
    }
    if (holders.length == 1) {
      soleHolder = st.thread;
    }
    if (running) {
      resumed();
    }
    updateBreaker();
  }

  /**
   * Mutex held: the latest holder runs; the droppers waiting for that may go on. Read before it is
   * written: an uncontended take, the same holder again, leaves the volatile field as it was.
   */
  private void resumed() {
    if (runningSwitch != switchNumber) {
      runningSwitch = switchNumber;
    }
    wakeDroppers();
  }

  private void release(ThreadState st, long now) {
    for (int i = 0; i < holders.length; i++) {
      if (holders[i] == st) {
        holders[i] = null;
        break;
      }
    }
    held--;
    st.holding = false;
    st.heldNanos += now - st.heldSince;
    if (st.dropRequested) {
      st.dropRequested = false;
      pendingRequests--;
    }
    if (holders.length == 1) {
      soleHolder = null;
    }
    // A thread released by the safety net that runs without the GIL gets it next (coverOwing).
    ThreadState p = proxy;
    if (p != null && !open) {
      proxy = null;
      if (p.alive && p.retake && !p.holding) {
        settle(p);
        grant(p, now, true);
      }
    }
  }

  /**
   * Drops the token; a forced drop hands it over and waits until a successor runs
   * (FORCE_SWITCHING).
   */
  public void drop(ThreadState st, boolean forced) {
    st.guard++;
    boolean parked = lockMutex();
    try {
      if (!st.holding) {
        return;
      }
      long now = System.nanoTime();
      long before = switchNumber;
      JfrEvents.gilDrop(forced, now - st.heldSince);
      release(st, now);
      handOff(st, now);
      signalOldest();
      if (forced) {
        forcedDrops++;
        st.forcedDrops++;
        st.droppedAt = now;
        awaitSwitch(st, before);
        parked = true;
      }
      updateBreaker();
    } finally {
      mutex.unlock();
      st.guard--;
      restorePermit(parked);
    }
  }

  /**
   * Waits until a thread that took the GIL after switch {@code before} runs, as CPython's dropper
   * waits on {@code switch_cond} until {@code last_holder} changes. Without this wait the dropping
   * thread re-takes the GIL at once on a multi-core machine, before the woken waiter runs, and time
   * slices grow far beyond the interval. A thread handed the GIL counts once it has woken up to it:
   * until then the dropper is no waiter, and a holder releasing around a blocking call meanwhile
   * hands it nothing, as CPython's holder finds its dropper still in {@code switch_cond}. On a
   * loaded machine, where a woken thread waits for a CPU, that is what lets CPython's I/O thread
   * re-take the GIL after its send (its convoy 3–4x there, against 180–290x idle); counted at the
   * grant, gil4j's convoy stayed at 6–45x.
   *
   * <p>It parks at once, and on a wake-up of its own, as CPython's dropper sleeps on {@code
   * switch_cond} under a mutex of its own: the time it takes to wake and queue for the GIL again is
   * the window in which the new holder's next blocking call finds no waiter. Beside a CPU-bound
   * thread, CPython's I/O thread then keeps the GIL through most receives (its reply is there) and
   * loses it at most sends (waits at 21–31% of receives and 72–91% of sends, 2-core VM). Spinning
   * for the successor instead, gil4j's dropper was back within microseconds or, its spin run out,
   * slept on the mutex's condition, whose wake-up needs the mutex again: the I/O thread waited at
   * 35–96% of receives and 36–99% of sends, 99–268 round trips/s against CPython's 173–188 in the
   * same minutes; parked this way, at 36–44% and 62–77%, 157–195/s. Bounded by "someone still
   * waits", so it cannot outlive the waiter it serves.
   */
  private void awaitSwitch(ThreadState st, long before) {
    if (!switchAwaited(before)) {
      return;
    }
    long start = System.nanoTime();
    boolean interrupted = false;
    st.nextDropper = droppers;
    droppers = st;
    mutex.unlock();
    try {
      while (switchAwaited(before)) {
        LockSupport.parkNanos(this, interval);
        // an interrupted thread's park returns at once: kept for the application, after the wait
        interrupted |= Thread.interrupted();
      }
    } finally {
      mutex.lock();
      unlinkDropper(st);
    }
    st.waitNanos += System.nanoTime() - start;
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Mutex held: takes {@code st} out of the droppers' list. */
  private void unlinkDropper(ThreadState st) {
    if (droppers == st) {
      droppers = st.nextDropper;
    } else {
      ThreadState d = droppers;
      while (d.nextDropper != st) {
        d = d.nextDropper;
      }
      d.nextDropper = st.nextDropper;
    }
    st.nextDropper = null;
  }

  /** Mutex held: wakes every dropper waiting in {@link #awaitSwitch}, to look again. */
  private void wakeDroppers() {
    for (ThreadState d = droppers; d != null; d = d.nextDropper) {
      LockSupport.unpark(d.thread);
    }
  }

  /** Whether a dropper that dropped after switch {@code before} must still wait for a successor. */
  private boolean switchAwaited(long before) {
    return runningSwitch <= before && waiters > 0 && !open;
  }

  private void requestDrop() {
    ThreadState target = null;
    for (ThreadState h : holders) {
      if (h != null && !h.dropRequested && (target == null || h.heldSince < target.heldSince)) {
        target = h;
      }
    }
    if (target != null) {
      target.dropRequested = true;
      target.windowStart = 0;
      pendingRequests++;
      dropRequests++;
      updateBreaker();
    }
  }

  private void updateBreaker() {
    breaker.set(!open && (!cpython || pendingRequests > 0 || pendingRetakes > dormantRetakes));
  }

  /**
   * The safety net failed: without it a holder blocked where gil4j has no hook would hang the
   * application, so the GIL is turned off for the rest of the run — every holder released, every
   * waiter woken, and {@link #take} a no-op — and that is said in one line.
   */
  void failOpen(String what, Throwable t) {
    System.err.println("gil4j: internal error (" + what + "), the GIL is off from now on: " + t);
    reported.set(true);
    mutex.lock();
    try {
      open = true;
      long now = System.nanoTime();
      for (ThreadState h : holders) {
        if (h != null) {
          release(h, now);
        }
      }
      signalEveryone();
      wakeDroppers();
      updateBreaker();
    } finally {
      mutex.unlock();
    }
  }

  boolean hasWaiters() {
    return waiters > 0;
  }

  /** Whether a thread released by the safety net has not re-taken the GIL yet. */
  boolean hasOwing() {
    return anyOwing;
  }

  /** The safety net: revoke holders that are not running while others wait. Watchdog only. */
  void inspectHolders() {
    if (cpuClock == null) {
      cpuClock = ManagementFactory.getThreadMXBean();
    }
    // Most polls find every holder running: tell so without the mutex, which the hand-off path
    // needs (a poll every millisecond while anyone waits). The racy look only decides whether to
    // look again under the mutex; a holder it misses is seen at the next poll.
    if (!anyHolderSuspect()) {
      return;
    }
    mutex.lock();
    try {
      long now = System.nanoTime();
      coverOwing(now);
      if (waiters == 0) {
        return;
      }
      for (ThreadState h : holders) {
        if (h == null || h.guard > 0) {
          continue;
        }
        Thread.State s = h.thread.getState();
        // Read again: a holder that raised its guard and parked on the mutex after the first read
        // is waiting inside gil4j, not blocked. (It cannot lower the guard again: we hold the
        // mutex.)
        if (h.guard > 0) {
          continue;
        }
        switch (s) {
          case BLOCKED -> releaseAtMonitor(h, now);
          case WAITING, TIMED_WAITING, TERMINATED -> revoke(h, s.name(), now);
          default -> {
            if (h.nativeCall == ThreadState.IN_NATIVE && asleepInNative(h, now)) {
              if (h.casNativeCall(ThreadState.IN_NATIVE, ThreadState.RELEASED)) {
                releaseInNative(h, now);
              }
            } else if (h.dropRequested && stalled(h, now)) {
              revoke(h, "STALLED", now);
            }
          }
        }
      }
    } finally {
      mutex.unlock();
    }
  }

  /** Whether some holder is blocked, or has a drop request pending: read without the mutex. */
  private boolean anyHolderSuspect() {
    if (anyOwing) {
      return true;
    }
    for (ThreadState h : holders) {
      if (h != null
          && (h.dropRequested
              || h.nativeCall == ThreadState.IN_NATIVE
              || h.thread.getState() != Thread.State.RUNNABLE)) {
        return true;
      }
    }
    return false;
  }

  /**
   * A thread the safety net released resumes where it blocked, often in code without checkpoints
   * (JDK code, a pure loop), and would run there beside the new holder until its next checkpoint.
   * One whose CPU time advanced since then is running: it gets the GIL on its behalf — at once if a
   * token is free, else at the next release, with a drop requested from the holder — so that it
   * holds the GIL as it runs, as CPython's thread would. Mutex held.
   *
   * <p>Its debt sets the breaker, so that its own next checkpoint re-takes the GIL; but the breaker
   * is every thread's, and while it is set every checkpoint of every thread takes the slow path (a
   * lone loop beside a thread revoked in a class-init wait ran 3–8x slower for as long as that wait
   * lasted). So a debtor that showed no CPU progress for a whole stall window becomes dormant: its
   * debt no longer sets the breaker, until its CPU time advances again — then it sets the breaker
   * once more, and, running on, gets the GIL on its behalf. A dormant debtor that wakes may run up
   * to a poll without the GIL before this sees it.
   */
  private void coverOwing(long now) {
    for (Iterator<ThreadState> it = owing.iterator(); it.hasNext(); ) {
      ThreadState h = it.next();
      if (!h.retake || !h.alive || h.holding) {
        it.remove();
        continue;
      }
      long cpu = cpuTime(h);
      if (cpu < 0) {
        continue;
      }
      if (h.dormant && cpu != h.dormantCpu) {
        h.dormant = false;
        dormantRetakes--;
        h.owedSince = now;
        updateBreaker();
      }
      if (cpu - h.releasedCpu < pollNanos / 2) {
        if (!h.dormant && now - h.owedSince >= stallWindow) {
          h.dormant = true;
          h.dormantCpu = cpu;
          dormantRetakes++;
          updateBreaker();
        }
        continue;
      }
      if (held < holders.length) {
        it.remove();
        settle(h);
        grant(h, now, true);
      } else if (proxy == null) {
        proxy = h;
        requestDrop();
      }
    }
    anyOwing = !owing.isEmpty();
  }

  /** Mutex held: {@code h} lost the GIL to the safety net and owes a re-take. */
  private void owe(ThreadState h) {
    h.retake = true;
    pendingRetakes++;
    h.releasedCpu = cpuTime(h);
    h.owedSince = System.nanoTime();
    owing.add(h);
    anyOwing = true;
  }

  /**
   * A runnable holder is stalled when it is not running but blocked where gil4j has no hook: in
   * native code, or waiting for another thread's static initializer. A computing holder keeps the
   * GIL, as a long C call keeps CPython's, and so does one that waits for a CPU on a loaded
   * machine.
   *
   * <p>On Linux the kernel says which: stalled after {@value #ASLEEP_POLLS} consecutive polls that
   * found the thread asleep, spanning at least {@value #ASLEEP_NANOS} ns, with under 10% of that
   * span in CPU time. A thread asleep locking a mutex gets the longer window below: the JVM's own
   * mutexes (seen: the compile queue, method data, class definition and linking) never wait for the
   * GIL while held, so their holder is only behind in the queue for a CPU, which on a loaded
   * machine was seen to take over 10 ms; a native library's mutex held by a thread that waits for
   * the GIL is still revoked, later. Elsewhere, by CPU time alone: a whole window (at least 50 ms)
   * with progress under 2% of it, counted only if the watchdog itself polled through it, so that a
   * GC pause or an overloaded machine, which stop the watchdog too, never look like a stall.
   */
  private boolean stalled(ThreadState h, long now) {
    Boolean asleep = KernelThreads.asleep(h.tid);
    if (asleep == null) {
      return stalledByCpuTime(h, now);
    }
    if (!asleep) {
      h.windowStart = 0;
      return false;
    }
    long cpu = cpuTime(h);
    if (h.windowStart == 0) {
      h.windowStart = now;
      h.windowCpu = cpu;
      h.windowPolls = 0;
    }
    h.windowPolls++;
    long wall = now - h.windowStart;
    // Asleep at every poll and no CPU progress in between: both, since a thread that spins in
    // JDK code (AQS's "awoke while enqueuing" loop) was seen asleep at each poll.
    return h.windowPolls >= ASLEEP_POLLS
        && wall >= ASLEEP_NANOS
        && (cpu < 0 || (cpu - h.windowCpu) * 10 <= wall)
        && (wall >= stallWindow || !KernelThreads.lockingMutex(h.tid));
  }

  /**
   * Whether a holder inside a library's native call sleeps there: the kernel says so at this poll
   * (Linux); elsewhere, its CPU time advanced by under 10% of the wall time across at least one
   * poll of the same call.
   */
  private boolean asleepInNative(ThreadState h, long now) {
    Boolean asleep = KernelThreads.asleep(h.tid);
    if (asleep != null) {
      return asleep;
    }
    long cpu = cpuTime(h);
    int call = h.nativeCalls;
    if (cpu < 0) {
      return false;
    }
    if (h.sampledCall != call || h.sampledAt == 0) {
      h.sampledCall = call;
      h.sampledAt = now;
      h.sampledCpu = cpu;
      return false;
    }
    long wall = now - h.sampledAt;
    return wall >= pollNanos && (cpu - h.sampledCpu) * 10 <= wall;
  }

  /**
   * A designed release point, not a missed one: no stack is taken and no revocation counted. The
   * holder re-takes the GIL itself when the native call returns ({@link #exitNative}).
   */
  private void releaseInNative(ThreadState h, long now) {
    JfrEvents.gilDrop(false, now - h.heldSince);
    release(h, now);
    h.sampledAt = 0;
    natives.sawAsleep(h.nativeMethod);
    nativeReleases++;
    signalOldest();
    updateBreaker();
  }

  private long cpuTime(ThreadState h) {
    try {
      return cpuClock.getThreadCpuTime(h.thread.getId());
    } catch (RuntimeException | LinkageError e) {
      return -1;
    }
  }

  private boolean stalledByCpuTime(ThreadState h, long now) {
    long cpu = cpuTime(h);
    if (cpu < 0) {
      return false;
    }
    if (h.windowStart == 0) {
      h.windowStart = now;
      h.windowCpu = cpu;
      h.windowPolls = 0;
      return false;
    }
    h.windowPolls++;
    long wall = now - h.windowStart;
    if (wall < stallWindow) {
      return false;
    }
    boolean stalled = (cpu - h.windowCpu) * 50 <= wall && h.windowPolls * pollNanos * 2 >= wall;
    h.windowStart = now;
    h.windowCpu = cpu;
    h.windowPolls = 0;
    return stalled;
  }

  /**
   * A holder blocked entering a contended monitor counts as released (DESIGN.md: Java has no
   * try-monitorenter to release the GIL before blocking, as CPython's lock acquire does). A
   * designed blocking point, not a missed one: counted apart from revocations. The holder re-takes
   * the GIL at the checkpoint that follows every {@code monitorenter} in application code.
   */
  private void releaseAtMonitor(ThreadState h, long now) {
    release(h, now);
    owe(h);
    monitorReleases++;
    signalOldest();
    updateBreaker();
  }

  private void revoke(ThreadState h, String reason, long now) {
    // First, while the holder is still where it blocked: that is the place a hook is missing.
    StackTraceElement[] stack = h.thread.getStackTrace();
    release(h, now);
    h.revocations++;
    revocations++;
    if (h.thread.isAlive()) {
      owe(h);
    } else {
      // Ended without its exit hook: nobody would settle a re-take owed by a dead thread.
      h.alive = false;
      h.endedAt = now;
      table.remove(h);
    }
    List<String> frames = new ArrayList<>();
    for (int i = 0; i < stack.length && frames.size() < STACK_DEPTH; i++) {
      frames.add(stack[i].toString());
    }
    JfrEvents.gilRevoke(h.thread, reason, frames);
    String key = reason + "|" + frames;
    GilUsage.RevokedStack old = revokedStacks.get(key);
    revokedStacks.put(
        key, new GilUsage.RevokedStack(reason, frames, old == null ? 1 : old.count() + 1));
    signalOldest();
    updateBreaker();
  }

  /** Mutex held: the periodic reader has seen the ended threads, or nobody reads them. */
  private void forgetEndedUnreported() {
    for (Iterator<ThreadState> it = unreported.iterator(); it.hasNext(); ) {
      if (!it.next().alive) {
        it.remove();
      }
    }
    unreportedEnded = 0;
  }

  /** How the GIL has been used so far. Safe to call from any thread, any time. */
  public GilUsage usage() {
    return snapshot(threads, true);
  }

  /**
   * How the GIL has been used so far, for a periodic reader (gil4j's JFR events, every second):
   * rows only for the threads alive now or ended since the previous call, and no wait histograms
   * (the rows' and the overall {@code waits} are empty). Its cost, paid under the GIL's mutex,
   * grows with the threads alive, not with every thread the application ever ran: copying every
   * registered thread's histogram each second, as {@link #usage} does, stalled the GIL and the
   * periods of an application that starts threads all the time.
   */
  public GilUsage recentUsage() {
    return snapshot(unreported, false);
  }

  private GilUsage snapshot(Collection<ThreadState> of, boolean histograms) {
    ThreadState caller = mine();
    if (caller != null) {
      caller.guard++;
    }
    boolean parked = lockMutex();
    try {
      long now = System.nanoTime();
      Histogram none = histograms ? null : new Histogram(2);
      List<GilUsage.ThreadRow> rows = new ArrayList<>(of.size());
      for (ThreadState t : of) {
        long end = t.alive ? now : t.endedAt;
        long heldNanos = t.heldNanos + (t.holding ? now - t.heldSince : 0);
        rows.add(
            new GilUsage.ThreadRow(
                t.id,
                t.name,
                end - t.registeredAt,
                heldNanos,
                t.waitNanos,
                t.takes,
                t.contendedTakes,
                t.forcedDrops,
                t.revocations,
                !histograms ? none : t.waits == null ? new Histogram(2) : t.waits.copy(),
                t.alive));
      }
      if (histograms) {
        GilUsage.ThreadRow rest = ended.row();
        if (rest != null) {
          rows.add(rest);
        }
      } else {
        periodicReader = true;
        forgetEndedUnreported();
      }
      List<GilUsage.RevokedStack> stacks = new ArrayList<>(revokedStacks.values());
      stacks.sort(MOST_REVOKED);
      return new GilUsage(
          now - startedAt,
          config.policy().optionName(),
          interval,
          holders.length,
          switchNumber,
          forcedDrops,
          dropRequests,
          monitorReleases,
          nativeReleases,
          revocations,
          histograms ? waits.copy() : none,
          rows,
          stacks);
    } finally {
      mutex.unlock();
      if (caller != null) {
        caller.guard--;
      }
      restorePermit(parked);
    }
  }

  /** Reports an internal failure once on stderr; the application runs on. */
  @Override
  public void reportOnce(String what, Throwable t) {
    if (reported.compareAndSet(false, true)) {
      System.err.println("gil4j: internal error (" + what + "), continuing: " + t);
    }
  }
}

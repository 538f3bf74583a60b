package dev.gil4j.benchmarks;

import com.sun.management.OperatingSystemMXBean;
import dev.gil4j.benchmarks.internal.Args;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A lock-heavy application, to measure what profiling its locks costs: {@code --threads} threads (4
 * by default) each run {@code --ops} critical sections of {@code --hold-steps} dependent multiplies
 * (16 by default, some 50 ns; 6 is some 20 ns, 330 some 1 µs, 16,500 some 50 µs on the development
 * VM), each on one of {@code --locks} {@link ReentrantLock}s (4 by default) picked at random; every
 * 8th also enters one of two monitors ({@code synchronized}), every 32nd also takes one of the two
 * permits of a {@link Semaphore}. On two cores many acquires find their lock held: some spin or
 * barge their way in, a steady share park, which is what lock profilers record.
 *
 * <p>The work is fixed, and checked: each critical section increments its lock's counter, and at
 * the end the counters must add up to what the threads did, else the program exits with status 1.
 * Warm-up passes of a fifth of the work each run first, for at least {@value #WARM_UP_MILLIS} ms,
 * so that the timed pass runs the code C2 settles on: each lock's contended path is first taken
 * well after the start, deoptimizes {@code work} and is compiled anew, for some 1.5 s. Prints
 * {@code gil4j-metric workload_ms} (the timed pass, from the first thread's start to the last one's
 * end), {@code workload_cpu_ms} (the CPU time the whole process spent meanwhile, a profiler's own
 * threads included), {@code workload_worker_cpu_ms} (the CPU time of the threads running the
 * critical sections) and {@code ops_per_s}. The process's CPU time is counted in the kernel's 10 ms
 * ticks on Linux and includes the JIT compiler's threads, which were seen to spend 5–60 ms of a 0.4
 * s pass compiling, differently from run to run; the workers' is read from each worker's own thread
 * clock, to the nanosecond, when it finishes, and leaves both out.
 *
 * <p>The locks are created with {@code new}, in this class, so that gil4j's agent swaps in its
 * profiled drop-ins ({@code profile=on}, the default). Run: {@code bash benchmarks/run.sh
 * overhead}, or alone {@code java [profiler options] -cp benchmarks/target/gil4j-benchmarks.jar
 * dev.gil4j.benchmarks.LockHeavy [--threads N] [--ops N]}.
 */
public final class LockHeavy {
  private static final int MONITOR_EVERY = 8;

  private static final long WARM_UP_MILLIS = 2_000;

  /**
   * The critical section's multiplier, read from a field: with a literal, JDK 25's C2 folds the
   * dependent steps into a few multiplies, and 330 steps took 0.1 µs instead of 1 µs.
   */
  private static long multiplier = 6364136223846793005L;

  private static final int PERMIT_EVERY = 32;

  private final int holdSteps;
  private final ReentrantLock[] locks;
  private final long[] counters;
  private final long[] mixes;
  private final Object[] monitors = {new Object(), new Object()};
  private final long[] monitorCounters = new long[2];
  private final Semaphore permits = new Semaphore(2);
  private final AtomicLong permitted = new AtomicLong();
  private final AtomicLong workerCpuNanos = new AtomicLong();

  private LockHeavy(int lockCount, int holdSteps) {
    this.holdSteps = holdSteps;
    locks = new ReentrantLock[lockCount];
    counters = new long[lockCount];
    mixes = new long[lockCount];
    for (int i = 0; i < lockCount; i++) {
      locks[i] = new ReentrantLock();
    }
  }

  public static void main(String[] args) throws InterruptedException {
    int threads = 4;
    int ops = 4_000_000;
    int lockCount = 4;
    int holdSteps = 16;
    Args a = new Args("LockHeavy", "[--threads N] [--ops N] [--locks N] [--hold-steps N]", args);
    while (a.hasNext()) {
      String flag = a.next();
      switch (flag) {
        case "--threads" -> threads = a.intValue(flag, 1);
        case "--ops" -> ops = a.intValue(flag, 1);
        case "--locks" -> lockCount = a.intValue(flag, 1);
        case "--hold-steps" -> holdSteps = a.intValue(flag, 1);
        default -> a.fail("unknown argument " + flag);
      }
    }
    long warm = System.nanoTime() + WARM_UP_MILLIS * 1_000_000;
    do {
      new LockHeavy(lockCount, holdSteps).run(threads, Math.max(1, ops / 5));
    } while (System.nanoTime() < warm);
    LockHeavy timed = new LockHeavy(lockCount, holdSteps);
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long cpuStart = os.getProcessCpuTime();
    long start = System.nanoTime();
    timed.run(threads, ops);
    long nanos = System.nanoTime() - start;
    long cpuNanos = os.getProcessCpuTime() - cpuStart;
    ThreadMXBean clocks = ManagementFactory.getThreadMXBean();
    boolean threadClocks =
        clocks.isCurrentThreadCpuTimeSupported() && clocks.isThreadCpuTimeEnabled();
    String wrong = timed.check(threads, ops);
    if (wrong != null) {
      System.err.println("LockHeavy: wrong result: " + wrong);
      System.exit(1);
    }
    System.out.printf("gil4j-metric workload_ms %.1f ms%n", nanos / 1e6);
    System.out.printf("gil4j-metric workload_cpu_ms %.1f ms%n", cpuNanos / 1e6);
    if (threadClocks) {
      System.out.printf(
          "gil4j-metric workload_worker_cpu_ms %.1f ms%n", timed.workerCpuNanos.get() / 1e6);
    }
    System.out.printf("gil4j-metric ops_per_s %.0f 1/s%n", (double) threads * ops / (nanos / 1e9));
  }

  private void run(int threads, int ops) throws InterruptedException {
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      long seed = 0x9E3779B97F4A7C15L * (t + 1);
      workers.add(
          new Thread(
              () -> {
                work(seed, ops);
                workerCpuNanos.addAndGet(
                    ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime());
              },
              "lock-heavy-" + t));
    }
    for (Thread w : workers) {
      w.start();
    }
    for (Thread w : workers) {
      w.join();
    }
  }

  private void work(long seed, int ops) {
    long x = seed;
    for (int i = 0; i < ops; i++) {
      x = x * 6364136223846793005L + 1442695040888963407L;
      int k = (int) ((x >>> 33) % locks.length);
      ReentrantLock lock = locks[k];
      lock.lock();
      try {
        counters[k]++;
        // A few dependent multiplies under the lock, so that holds last long enough to collide.
        long y = x;
        long m = multiplier;
        for (int j = 0; j < holdSteps; j++) {
          y = y * m + 1442695040888963407L;
        }
        mixes[k] ^= y;
      } finally {
        lock.unlock();
      }
      if (i % MONITOR_EVERY == 0) {
        synchronized (monitors[k & 1]) {
          monitorCounters[k & 1]++;
        }
      }
      if (i % PERMIT_EVERY == 0) {
        permits.acquireUninterruptibly();
        try {
          permitted.incrementAndGet();
        } finally {
          permits.release();
        }
      }
    }
  }

  /**
   * What is wrong with the counters after {@code threads} ran {@code ops} each; null if nothing.
   */
  private String check(int threads, int ops) {
    long expected = (long) threads * ops;
    long total = 0;
    for (long c : counters) {
      total += c;
    }
    long monitored = monitorCounters[0] + monitorCounters[1];
    long expectedMonitored = (long) threads * ((ops + MONITOR_EVERY - 1) / MONITOR_EVERY);
    long expectedPermitted = (long) threads * ((ops + PERMIT_EVERY - 1) / PERMIT_EVERY);
    if (total != expected) {
      return "locked counters add up to " + total + ", not " + expected;
    }
    if (monitored != expectedMonitored) {
      return "monitor counters add up to " + monitored + ", not " + expectedMonitored;
    }
    if (permitted.get() != expectedPermitted) {
      return "permits taken " + permitted.get() + ", not " + expectedPermitted;
    }
    return null;
  }
}

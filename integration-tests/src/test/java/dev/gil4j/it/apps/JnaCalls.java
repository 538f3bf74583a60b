package dev.gil4j.it.apps;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * C functions of libc called through JNA while a registered thread computes beside {@code main}:
 * {@code JnaCalls MODE}, MODE {@code sleep} (20 calls of {@code usleep(100 ms)} through an
 * interface mapping, which JNA dispatches through its own JNI methods such as {@code
 * Native.invokeInt}), {@code direct} (the same through a direct mapping, {@code Native.register},
 * which binds a class's own native methods to the C functions) or {@code compute} (40 calls of
 * {@code memset} over 128 MiB, a C function that computes).
 *
 * <p>A call that sleeps should release the GIL, as a blocking JNI call of a library does and as
 * CPython's {@code ctypes} does: the exit report counts releases in native calls, not revocations,
 * and the computing thread runs while {@code main} sleeps. A call that computes should keep it, as
 * a C extension that does not release the GIL: the two threads then use about one core.
 *
 * <p>Prints {@code gil4j-metric cores} over the calls: the CPU time of {@code main} and the
 * computing thread over wall time. Not the process's: JNA's code, woven as it loads, keeps the JIT
 * compiler busy beside the calls (seen: 1.2–2.0 process cores in a 0.6 s window on JDK 25).
 */
public final class JnaCalls {
  /** libc, by interface mapping. */
  public interface C extends Library {
    int usleep(int micros);

    Pointer memset(Pointer to, int value, long bytes);
  }

  /** libc's {@code usleep}, by direct mapping. */
  public static final class Direct {
    static {
      Native.register("c");
    }

    private Direct() {}

    public static native int usleep(int micros);
  }

  private static volatile boolean stop;
  private static volatile long sink;

  private JnaCalls() {}

  static long step(long x) {
    return x * 31 + 7;
  }

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    C c = Native.load("c", C.class);
    Memory buffer = null;
    if (mode.equals("compute")) {
      // Touched once before the calls, so that they compute rather than fault pages in.
      buffer = new Memory(128L << 20);
      buffer.clear();
    }
    if (mode.equals("direct")) {
      Direct.usleep(1);
    }
    Thread spinner =
        new Thread(
            () -> {
              long x = 0;
              while (!stop) {
                x = step(x);
              }
              sink = x;
            },
            "spinner");
    spinner.start();
    // main sleeps in Java, releasing the GIL, while the spinner compiles; then it waits for main.
    Thread.sleep(500);
    ThreadMXBean cpuClock = ManagementFactory.getThreadMXBean();
    long cpu0 = cpuClock.getCurrentThreadCpuTime() + cpuClock.getThreadCpuTime(spinner.getId());
    long t0 = System.nanoTime();
    int calls = mode.equals("compute") ? 40 : 20;
    for (int i = 0; i < calls; i++) {
      switch (mode) {
        case "sleep" -> c.usleep(100_000);
        case "direct" -> Direct.usleep(100_000);
        case "compute" -> c.memset(buffer, i, buffer.size());
        default ->
            throw new IllegalArgumentException("MODE: sleep, direct or compute, not " + mode);
      }
    }
    long wall = System.nanoTime() - t0;
    long cpu =
        cpuClock.getCurrentThreadCpuTime() + cpuClock.getThreadCpuTime(spinner.getId()) - cpu0;
    stop = true;
    spinner.join();
    System.out.printf("gil4j-metric cores %.3f%n", (double) cpu / wall);
    System.out.printf("gil4j-metric calls_ms %.1f ms%n", wall / 1e6);
  }
}

package dev.gil4j.gil.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What Linux says a thread is doing, for the safety net. A Java thread blocked in native code (a
 * socket read, a wait for another thread's class initializer) and one computing in a long loop both
 * show {@code RUNNABLE} to Java; the kernel tells them apart: the first sleeps ({@code S} or {@code
 * D}), the second runs or waits for a CPU ({@code R}). Elsewhere than on Linux, every method
 * answers "unknown" and the caller falls back to CPU time.
 */
final class KernelThreads {
  private static final boolean LINUX = Files.isDirectory(Path.of("/proc/thread-self"));

  /** The futex system call's number on this architecture, or -1 if not known here. */
  private static final int FUTEX =
      switch (System.getProperty("os.arch", "")) {
        case "amd64", "x86_64" -> 202;
        case "aarch64" -> 98;
        default -> -1;
      };

  /** FUTEX_PRIVATE_FLAG and FUTEX_CLOCK_REALTIME: what remains of the op is the command. */
  private static final long FUTEX_FLAGS = 128 | 256;

  private KernelThreads() {}

  /** The calling thread's kernel id, or 0 if unknown. Reads the file system: call rarely. */
  static int currentTid() {
    if (!LINUX) {
      return 0;
    }
    try {
      Path link = Files.readSymbolicLink(Path.of("/proc/thread-self"));
      return Integer.parseInt(link.getFileName().toString());
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /**
   * Whether the kernel has thread {@code tid} of this process asleep: {@code Boolean.TRUE} when
   * sleeping (S, D), {@code FALSE} when running or runnable, null when unknown.
   */
  static Boolean asleep(int tid) {
    if (tid <= 0) {
      return null;
    }
    try {
      String stat =
          new String(
              Files.readAllBytes(Path.of("/proc/self/task/" + tid + "/stat")),
              StandardCharsets.US_ASCII);
      // "tid (comm) S ...": comm may hold spaces and parentheses, so read after the last ')'.
      int end = stat.lastIndexOf(')');
      if (end < 0 || end + 2 >= stat.length()) {
        return null;
      }
      char state = stat.charAt(end + 2);
      return state == 'S' || state == 'D';
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * Whether thread {@code tid} of this process sleeps waiting to lock a mutex: glibc's low-level
   * lock, {@code futex(addr, FUTEX_WAIT, 2)}, under every {@code pthread_mutex_lock} (so every
   * HotSpot-internal mutex) and malloc's arenas. A wait for a condition ({@code FUTEX_WAIT_BITSET}:
   * a parked thread, or one waiting for another thread's class initializer) or in any other system
   * call answers false, and so does every failure to tell.
   */
  static boolean lockingMutex(int tid) {
    if (FUTEX < 0 || tid <= 0) {
      return false;
    }
    try {
      // "nr arg1 arg2 arg3 arg4 arg5 arg6 sp pc" while in a system call; futex(uaddr, op, val,
      // ...).
      String[] call =
          new String(
                  Files.readAllBytes(Path.of("/proc/self/task/" + tid + "/syscall")),
                  StandardCharsets.US_ASCII)
              .trim()
              .split(" ");
      return call.length >= 4
          && Integer.parseInt(call[0]) == FUTEX
          && (Long.decode(call[2]) & ~FUTEX_FLAGS) == 0
          && Long.decode(call[3]) == 2;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }
}

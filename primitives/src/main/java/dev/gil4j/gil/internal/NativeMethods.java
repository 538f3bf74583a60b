package dev.gil4j.gil.internal;

import java.util.Arrays;

/**
 * The libraries' native methods that gil4j wrapped, numbered as their classes load, and what the
 * GIL learned about each: whether it was ever seen asleep while another thread waited for the GIL.
 * Such a method is a blocking call, and from then on its calls release the GIL at once whenever a
 * thread waits for it, as CPython's extension modules release it around their blocking calls. A
 * method never seen asleep is taken to compute, and keeps the GIL.
 *
 * <p>Design: ids are handed out under this object's monitor, at class-load time only. The flags are
 * plain bytes, set by the watchdog and read by the calling threads without ordering: a flag read
 * late costs one more lazy release, never a wrong hold.
 */
final class NativeMethods {
  private String[] names = new String[64];
  private volatile byte[] blocks = new byte[64];
  private int count;

  /** A new id for {@code name} ({@code pkg.Class.method}). */
  synchronized int register(String name) {
    if (count == names.length) {
      names = Arrays.copyOf(names, count * 2);
      blocks = Arrays.copyOf(blocks, count * 2);
    }
    names[count] = name;
    return count++;
  }

  /** Whether method {@code id} has been seen asleep. */
  boolean blocks(int id) {
    byte[] b = blocks;
    return id >= 0 && id < b.length && b[id] != 0;
  }

  /** Method {@code id} was seen asleep while another thread waited for the GIL. */
  void sawAsleep(int id) {
    byte[] b = blocks;
    if (id >= 0 && id < b.length) {
      b[id] = 1;
    }
  }

  synchronized String name(int id) {
    return id >= 0 && id < count ? names[id] : "?";
  }
}

package dev.gil4j.multiprocessing;

import java.io.IOException;

/**
 * A fixed-size array of C values in memory shared by a process and its children: Python's {@code
 * multiprocessing.Array(typecode, size, lock=...)}. Memory, types, the lock and what happens when a
 * holder dies are as for {@link Value}: each element access holds the lock (if any) for that access
 * alone; elements start at zero.
 *
 * <p><b>Errors</b>: as {@link Value}'s, and an index outside {@code 0 .. length() - 1} — {@link
 * IndexOutOfBoundsException} "invalid index" (Python's {@code IndexError}; negative indices do not
 * count from the end); a negative size — {@link IllegalArgumentException}.
 */
public final class Array extends SharedCData {
  private static final long serialVersionUID = 1L;

  /** {@code size} zeroes of {@code typecode}, with a new {@link RLock}. */
  public Array(char typecode, int size) {
    this(typecode, size, true);
  }

  /** {@code size} zeroes of {@code typecode}, with a new {@link RLock} or ({@code false}) none. */
  public Array(char typecode, int size, boolean lock) {
    this(typecode, size, lockFor(lock));
  }

  /** {@code size} zeroes of {@code typecode}, guarded by {@code lock}. */
  public Array(char typecode, int size, SharedLock lock) {
    super(typecode, size, lock);
  }

  Array(SharedMemory memory, SharedLock lock) {
    super(memory, lock);
  }

  /** The number of elements; Python: {@code len(a)}. */
  public int length() {
    return memory.length();
  }

  /** Element {@code i} as a long. */
  public long getLong(int i) throws IOException {
    return loadLong(check(i));
  }

  /** Element {@code i} as a double. */
  public double getDouble(int i) throws IOException {
    return loadDouble(check(i));
  }

  /** Stores {@code v} in element {@code i}, truncated to the typecode's width. */
  public void set(int i, long v) throws IOException {
    storeLong(check(i), v);
  }

  /**
   * Stores {@code v} in element {@code i} of a float typecode.
   *
   * @throws IllegalArgumentException for an integer typecode ("int expected instead of float")
   */
  public void set(int i, double v) throws IOException {
    storeDouble(check(i), v);
  }

  private int check(int i) {
    if (i < 0 || i >= memory.length()) {
      throw new IndexOutOfBoundsException("invalid index");
    }
    return i;
  }

  /**
   * Read without the lock: {@code <SynchronizedArray wrapper for c_int_Array_3[1, 2, 3]>}, or the
   * bracketed part alone for a raw array.
   */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    b.append(memory.ctypeName()).append("_Array_").append(length()).append('[');
    for (int i = 0; i < length(); i++) {
      b.append(i == 0 ? "" : ", ").append(memory.format(i));
    }
    b.append(']');
    return lock == null ? b.toString() : "<SynchronizedArray wrapper for " + b + ">";
  }
}

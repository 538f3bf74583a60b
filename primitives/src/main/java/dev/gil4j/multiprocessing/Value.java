package dev.gil4j.multiprocessing;

import java.io.IOException;

/**
 * One C value in memory shared by a process and its children: Python's {@code
 * multiprocessing.Value(typecode, value, lock=...)}.
 *
 * <p><b>Guarantees.</b>
 *
 * <ul>
 *   <li><i>Memory:</i> the value lives in a memory-mapped file that the creating process and each
 *       child that receives the object map (see {@link SharedMemory}): a store is seen by the next
 *       load in any process, without a system call. The memory stays valid in every process that
 *       has the object, also after the creating process ended; a child that receives the object
 *       after its creator dropped it or ended cannot map it and fails to deserialize.
 *   <li><i>Types:</i> CPython's typecodes {@code c b B h H i I l L q Q f d} with their C sizes on a
 *       64-bit Unix (1, 1, 1, 2, 2, 4, 4, 8, 8, 8, 8, 4, 8 bytes). Stores are truncated to that
 *       width, as ctypes truncates ({@code 'B'} given 256 holds 0); unsigned codes read
 *       zero-extended. A float stored into an integer code is refused.
 *   <li><i>Lock:</i> by default a new {@link RLock} ({@code lock=True}); {@code false} gives a raw
 *       value with no lock; or any {@link Lock}/{@link RLock} given. With a lock, each {@link
 *       #getLong}, {@link #getDouble}, {@link #set(long)}, {@link #set(double)} holds it for the
 *       access, as CPython's synchronized wrapper does; a read-modify-write is atomic only inside
 *       {@code getLock().acquire() … release()}. With a plain {@link Lock}, accessing the value
 *       while holding {@code getLock()} deadlocks, as in CPython.
 *   <li><i>A holder that dies:</i> the value keeps whatever was last stored (a read-modify-write
 *       may be half done only in the sense that the store did or did not happen; a single store is
 *       never torn). The default {@link RLock} is released by its creating process when the holder
 *       dies; a plain {@link Lock} stays locked, as CPython's does.
 *   <li><i>Blocking:</i> only on the lock, as the lock's Javadoc says (the GIL released while
 *       waiting); loads and stores never block.
 * </ul>
 *
 * <p><b>Errors</b>: a bad typecode — {@link IllegalArgumentException} naming the accepted ones; the
 * shared memory cannot be created — {@link IllegalStateException}; a lock call fails (the lock's
 * creator gone) — {@link IOException}.
 *
 * <p>Example use:
 *
 * <pre>{@code
 * Value counter = new Value('i', 0);
 * // in each child:
 * counter.getLock().acquire();
 * try {
 *   counter.set(counter.getLong() + 1);
 * } finally {
 *   counter.getLock().release();
 * }
 * }</pre>
 */
public final class Value extends SharedCData {
  private static final long serialVersionUID = 1L;

  /** A value of {@code typecode}, zero, with a new {@link RLock}. */
  public Value(char typecode) {
    this(typecode, 0, true);
  }

  /**
   * A value of a float {@code typecode}, {@code value}, with a new {@link RLock}.
   *
   * @throws IllegalArgumentException for an integer typecode ("int expected instead of float")
   */
  public Value(char typecode, double value) {
    this(typecode, value, true);
  }

  /**
   * A value of {@code typecode}, {@code value}, with a new {@link RLock} or ({@code false}) none.
   */
  public Value(char typecode, double value, boolean lock) {
    this(typecode, value, lockFor(lock));
  }

  /** A value of {@code typecode}, {@code value}, guarded by {@code lock}. */
  public Value(char typecode, double value, SharedLock lock) {
    super(typecode, 1, lock);
    memory.setDouble(0, value);
  }

  /** A value of {@code typecode}, {@code value}, with a new {@link RLock}. */
  public Value(char typecode, long value) {
    this(typecode, value, true);
  }

  /**
   * A value of {@code typecode}, {@code value}, with a new {@link RLock} or ({@code false}) none.
   */
  public Value(char typecode, long value, boolean lock) {
    this(typecode, value, lockFor(lock));
  }

  /** A value of {@code typecode}, {@code value}, guarded by {@code lock}. */
  public Value(char typecode, long value, SharedLock lock) {
    super(typecode, 1, lock);
    memory.setLong(0, value);
  }

  Value(SharedMemory memory, SharedLock lock) {
    super(memory, lock);
  }

  /** The value, as a long (see the class's note on types); Python: {@code .value}. */
  public long getLong() throws IOException {
    return loadLong(0);
  }

  /** The value, as a double. */
  public double getDouble() throws IOException {
    return loadDouble(0);
  }

  /** Stores {@code v}, truncated to the typecode's width. */
  public void set(long v) throws IOException {
    storeLong(0, v);
  }

  /**
   * Stores {@code v} in a float typecode.
   *
   * @throws IllegalArgumentException for an integer typecode ("int expected instead of float")
   */
  public void set(double v) throws IOException {
    storeDouble(0, v);
  }

  /**
   * Python's repr, read without the lock: {@code <Synchronized wrapper for c_int(5)>}, or {@code
   * c_int(5)} for a raw value.
   */
  @Override
  public String toString() {
    String raw = memory.ctypeName() + "(" + memory.format(0) + ")";
    return lock == null ? raw : "<Synchronized wrapper for " + raw + ">";
  }
}

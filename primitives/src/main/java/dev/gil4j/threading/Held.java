package dev.gil4j.threading;

/**
 * What {@link Acquirable#enter()} returns: closing it releases what was entered, once. It is
 * Python's {@code with} statement written as try-with-resources:
 *
 * <pre>{@code
 * try (Held held = lock.enter()) {   // with lock:
 *   ...                              //     ...
 * }
 * }</pre>
 *
 * <p><b>Guarantees.</b> {@link #close()} is exactly the primitive's {@code release()}: it throws
 * what {@code release()} throws (releasing twice, say, when the block released the lock itself),
 * and never a checked exception. A primitive hands out the same {@code Held} every time, so
 * entering allocates nothing.
 */
public interface Held extends AutoCloseable {
  /** Releases what was entered: Python's {@code __exit__}. */
  @Override
  void close();
}

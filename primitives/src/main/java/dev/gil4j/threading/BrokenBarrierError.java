package dev.gil4j.threading;

/**
 * Python's {@code threading.BrokenBarrierError}: thrown by {@link Barrier#await} when the barrier
 * is broken ({@link Barrier#abort()}, a timed-out wait, a failed action) or is reset while the
 * thread waits. Unchecked, like Python's (a {@code RuntimeError} subclass there); unrelated to the
 * JDK's checked {@link java.util.concurrent.BrokenBarrierException}.
 */
public class BrokenBarrierError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** A broken-barrier error; Python's carries no message either. */
  public BrokenBarrierError() {
    super();
  }
}

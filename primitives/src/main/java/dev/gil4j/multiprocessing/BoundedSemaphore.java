package dev.gil4j.multiprocessing;

import java.io.IOException;

/**
 * A {@link Semaphore} whose value may not rise above its initial value: Python's {@code
 * multiprocessing.BoundedSemaphore}. A release that would is refused, changing nothing: {@link
 * IllegalArgumentException} "semaphore or lock released too many times" (Python's {@code
 * ValueError}).
 */
public final class BoundedSemaphore extends Semaphore {
  private static final long serialVersionUID = 1L;

  /** A bounded semaphore of value 1, owned by this process. */
  public BoundedSemaphore() {
    this(1);
  }

  /** A bounded semaphore of value {@code value}, owned by this process. */
  public BoundedSemaphore(int value) {
    super("BoundedSemaphore", new dev.gil4j.threading.BoundedSemaphore(value));
  }

  BoundedSemaphore(Handle h) {
    super(h);
  }

  /**
   * Gives a unit back.
   *
   * @throws IllegalArgumentException "semaphore or lock released too many times"
   */
  @Override
  public void release() throws IOException {
    super.release();
  }
}

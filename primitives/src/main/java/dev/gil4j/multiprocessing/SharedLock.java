package dev.gil4j.multiprocessing;

import java.io.IOException;

/**
 * A cross-process lock: a {@link Lock} or an {@link RLock}. What a {@link Condition}, a {@link
 * Value} or an {@link Array} may be given as their lock, and what {@link Value#getLock()} returns.
 */
public sealed interface SharedLock permits Lock, RLock {
  /** Waits until acquired; returns {@code true}. */
  boolean acquire() throws IOException;

  /** Acquires; if {@code blocking} is false, only if that needs no wait. */
  boolean acquire(boolean blocking) throws IOException;

  /**
   * Acquires, waiting at most {@code timeout} seconds ({@code -1}: no limit; other negatives: not
   * at all) when {@code blocking}; returns whether it acquired.
   */
  boolean acquire(boolean blocking, double timeout) throws IOException;

  /** Releases (one level of an {@link RLock}). */
  void release() throws IOException;
}

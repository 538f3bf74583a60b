package dev.gil4j.multiprocessing;

import java.io.IOException;
import java.io.Serializable;

/**
 * A queue with only {@code put}, {@code get}, {@code empty} and {@code close}: Python's {@code
 * multiprocessing.SimpleQueue}. It is a {@link Queue} without a size limit, behind a smaller
 * interface: shared with children the same way (capture it in a {@link Task}), with the same
 * guarantees, serialization and errors. {@code put} never blocks; {@code get} blocks, with gil4j's
 * GIL released, until an item arrives.
 *
 * @param <E> the type of the items
 */
public final class SimpleQueue<E> implements Serializable {
  private static final long serialVersionUID = 1L;

  private final Queue<E> queue;

  /** An empty queue. */
  public SimpleQueue() {
    this.queue = new Queue<>(0, false);
  }

  /** Puts {@code item} ({@code null} is Python's {@code None}). */
  public void put(E item) throws IOException {
    queue.put(item);
  }

  /** Takes the next item, waiting as long as it takes. */
  public E get() throws IOException {
    return queue.get();
  }

  /** Whether the queue is empty at this moment. */
  public boolean empty() throws IOException {
    return queue.empty();
  }

  /** Declares that this process will not use the queue any more; see {@link Queue#close}. */
  public void close() {
    queue.close();
  }
}

package dev.gil4j.multiprocessing;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;

/**
 * A {@link Queue} that counts its items until a consumer says each is done: Python's {@code
 * multiprocessing.JoinableQueue}.
 *
 * <p><b>Guarantees.</b> Every successful {@code put}, in any process, adds one unfinished task;
 * {@link #taskDone} removes one; {@link #join} blocks until none is left. The count lives in the
 * process that made the queue, beside the items, so it is exact across processes: it is raised
 * before the item can be taken, so a {@code taskDone} for an item just taken never finds it short.
 * As in Python, a consumer killed between {@code get} and {@code taskDone} leaves its task
 * unfinished forever, and {@code join} then waits forever.
 *
 * <p><b>Blocking.</b> {@code join} waits with gil4j's GIL released; an interrupt ends it with
 * {@link InterruptedIOException}, interrupt status set. In a child, the owner's serving thread
 * waits for it; the owner gone is an {@link IOException}.
 *
 * <p><b>Errors.</b> More {@code taskDone} calls than items put: {@link IllegalArgumentException}
 * "task_done() called too many times" (Python's {@code ValueError}), the count unchanged.
 *
 * @param <E> the type of the items
 */
public final class JoinableQueue<E> extends Queue<E> {
  private static final long serialVersionUID = 1L;

  /** A joinable queue without a size limit. */
  public JoinableQueue() {
    this(0);
  }

  /** A joinable queue that holds at most {@code maxsize} items; 0 or negative means no limit. */
  public JoinableQueue(int maxsize) {
    super(maxsize, true);
  }

  JoinableQueue(Path ownerAddress, int maxsize) {
    super(ownerAddress, maxsize, true);
  }

  /**
   * Marks one item taken from the queue as processed (Python's {@code task_done()}).
   *
   * @throws IllegalArgumentException "task_done() called too many times"
   */
  public void taskDone() throws IOException {
    markTaskDone();
  }

  /** Waits until every item put so far has been marked done (Python's {@code join()}). */
  public void join() throws IOException {
    joinTasks();
  }
}

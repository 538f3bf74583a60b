package dev.gil4j.threading;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * CPython's {@code lock_tests.Bunch}: {@code nthread} threads running the same function, used as
 * {@code try (Bunch bunch = new Bunch(f, n)) { ... }} for Python's {@code with Bunch(f, n) as
 * bunch:}. The constructor returns once every thread has started; {@link #close()} waits until
 * every thread has finished and exited, then throws what the threads threw (Python's {@code
 * ExceptionGroup}), so that assertions inside the threads fail the test.
 */
final class Bunch implements AutoCloseable {
  /** A thread's function; may throw, like a Python function. */
  interface Task {
    void run() throws Exception;
  }

  final List<Long> started = new CopyOnWriteArrayList<>();
  final List<Long> finished = new CopyOnWriteArrayList<>();
  private final List<Throwable> exceptions = new CopyOnWriteArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private final int nthread;
  private volatile boolean canExit;

  Bunch(Task func, int nthread) {
    this(func, nthread, false);
  }

  /** With {@code waitBeforeExit}, the threads do not exit until {@link #doFinish()}. */
  Bunch(Task func, int nthread, boolean waitBeforeExit) {
    this.nthread = nthread;
    this.canExit = !waitBeforeExit;
    for (int i = 0; i < nthread; i++) {
      threads.add(BaseTestCase.startNewThread(() -> task(func)));
    }
    BaseTestCase.sleepingRetry(() -> started.size() >= nthread);
  }

  private void task(Task func) {
    long tid = Thread.currentThread().getId();
    started.add(tid);
    try {
      func.run();
    } catch (Throwable t) {
      exceptions.add(t);
    } finally {
      finished.add(tid);
      BaseTestCase.sleepingRetry(() -> canExit);
    }
  }

  void doFinish() {
    canExit = true;
  }

  @Override
  public void close() {
    BaseTestCase.sleepingRetry(() -> finished.size() >= nthread);
    for (Thread t : threads) {
      BaseTestCase.waitThreadExit(t);
    }
    if (!exceptions.isEmpty()) {
      AssertionError group =
          new AssertionError(
              exceptions.size() + " threads raised exceptions: " + exceptions.get(0),
              exceptions.get(0));
      exceptions.stream().skip(1).forEach(group::addSuppressed);
      throw group;
    }
  }
}

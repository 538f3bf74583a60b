package dev.gil4j.threading;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * On JDK 21+, a virtual thread waiting in a primitive unmounts from its carrier: far more virtual
 * threads than carriers can wait at once. Had the primitives waited on monitors, the carriers
 * (about one per core) would be pinned and the other virtual threads could not even start. Skipped
 * on JDK 17, which has no virtual threads (reached by reflection, as the code is compiled for 17).
 */
class VirtualThreadsTest extends BaseTestCase {
  private static final int THREADS = 1000;

  @Test
  void waitingVirtualThreadsUnmount() throws Exception {
    assumeTrue(Runtime.version().feature() >= 21, "no virtual threads before JDK 21");
    Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
    Method start = Class.forName("java.lang.Thread$Builder").getMethod("start", Runnable.class);

    Lock lock = new Lock();
    Semaphore sem = new Semaphore(0);
    Event event = new Event();
    AtomicInteger waiting = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    lock.acquire();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < THREADS; i++) {
      int kind = i % 3;
      Runnable task =
          () -> {
            waiting.incrementAndGet();
            if (kind == 0) {
              lock.acquire();
              lock.release();
            } else if (kind == 1) {
              sem.acquire();
            } else {
              event.await();
            }
            done.incrementAndGet();
          };
      threads.add((Thread) start.invoke(builder, task));
    }
    sleepingRetry(() -> waiting.get() == THREADS);
    lock.release();
    sem.release(THREADS);
    event.set();
    for (Thread t : threads) {
      waitThreadExit(t);
    }
    assertEquals(THREADS, done.get());
  }
}

package dev.gil4j.gil.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What the kernel tells the safety net about a thread, on Linux. */
@Timeout(30)
class KernelThreadsTest {

  @Test
  void aParkedThreadIsAsleepButNotLockingAMutex() throws Exception {
    assumeTrue(KernelThreads.currentTid() > 0, "Linux only");
    AtomicInteger tid = new AtomicInteger();
    CountDownLatch started = new CountDownLatch(1);
    Thread parked =
        new Thread(
            () -> {
              tid.set(KernelThreads.currentTid());
              started.countDown();
              LockSupport.park();
            });
    parked.start();
    started.await();
    while (parked.getState() != Thread.State.WAITING) {
      Thread.sleep(1);
    }
    Thread.sleep(20);
    try {
      assertEquals(Boolean.TRUE, KernelThreads.asleep(tid.get()));
      assertFalse(KernelThreads.lockingMutex(tid.get()), "a park waits on a condition");
    } finally {
      LockSupport.unpark(parked);
      parked.join();
    }
  }

  @Test
  void aThreadThatIsGoneIsNeitherAsleepNorLocking() {
    assertEquals(null, KernelThreads.asleep(Integer.MAX_VALUE));
    assertFalse(KernelThreads.lockingMutex(Integer.MAX_VALUE));
    assertFalse(KernelThreads.lockingMutex(0));
  }
}

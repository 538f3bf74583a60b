package dev.gil4j.it.recording;

import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One wait of each kind that profiling must see with the GIL off, each about 100 ms: a thread
 * waiting for {@link OwnLock}, an application subclass of {@code ReentrantLock} that gil4j does not
 * swap; an {@code Object.wait(long)} that times out; a read from a {@code java.nio.channels.Pipe}
 * whose writer is late; and a thread blocked entering a monitor another holds. Prints {@code ok}.
 */
public final class GilOffWaits {
  private static final long MILLIS = 100;

  private GilOffWaits() {}

  /** An application's own lock class: constructed with {@code super()}, never swapped. */
  static final class OwnLock extends ReentrantLock {
    private static final long serialVersionUID = 1L;
  }

  public static void main(String[] args) throws Exception {
    subclassWait();
    objectWait();
    pipeRead();
    monitorEntry();
    System.out.println("ok");
  }

  private static void subclassWait() throws Exception {
    OwnLock lock = new OwnLock();
    lock.lock();
    Thread waiter = new Thread(takeOwn(lock), "own-lock-waiter");
    waiter.start();
    while (!lock.hasQueuedThread(waiter)) {
      Thread.sleep(1);
    }
    Thread.sleep(MILLIS);
    lock.unlock();
    waiter.join();
  }

  private static Runnable takeOwn(OwnLock lock) {
    return () -> {
      lock.lock();
      lock.unlock();
    };
  }

  private static void objectWait() throws InterruptedException {
    Object o = new Object();
    synchronized (o) {
      o.wait(MILLIS);
    }
  }

  private static void pipeRead() throws Exception {
    Pipe pipe = Pipe.open();
    Thread writer =
        new Thread(
            () -> {
              try {
                Thread.sleep(MILLIS);
                pipe.sink().write(ByteBuffer.wrap(new byte[] {42}));
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            },
            "late-writer");
    writer.start();
    ByteBuffer b = ByteBuffer.allocate(1);
    pipe.source().read(b);
    writer.join();
  }

  private static void monitorEntry() throws InterruptedException {
    Object monitor = new Object();
    CountDownLatch held = new CountDownLatch(1);
    Thread holder =
        new Thread(
            () -> {
              synchronized (monitor) {
                held.countDown();
                try {
                  Thread.sleep(MILLIS);
                } catch (InterruptedException e) {
                  throw new IllegalStateException(e);
                }
              }
            },
            "monitor-holder");
    holder.start();
    held.await();
    synchronized (monitor) {
      monitor.notifyAll();
    }
    holder.join();
  }
}

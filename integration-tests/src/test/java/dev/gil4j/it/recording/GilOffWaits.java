package dev.gil4j.it.recording;

import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BooleanSupplier;

/**
 * One wait of each kind that profiling must see with the GIL off, each about 100 ms: a thread
 * waiting for {@link OwnLock}, an application subclass of {@code ReentrantLock} that gil4j does not
 * swap; an {@code Object.wait(long)} that times out; a read from a {@code java.nio.channels.Pipe}
 * whose writer is late; a thread blocked entering a monitor another holds; and waits for the
 * synchronizers gil4j swaps in, each in a method of its own ({@link #lockWait}, {@link #readWait},
 * {@link #writeWait}, {@link #permitWait}), which must be the top frame of its {@code
 * gil4j.LockWait}. Prints {@code ok}.
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
    swappedWaits();
    System.out.println("ok");
  }

  private static void swappedWaits() throws Exception {
    ReentrantLock lock = new ReentrantLock();
    lock.lock();
    releaseLate(new Thread(() -> lockWait(lock)), lock::hasQueuedThreads, lock::unlock);

    ReentrantReadWriteLock rw = new ReentrantReadWriteLock();
    rw.writeLock().lock();
    releaseLate(new Thread(() -> readWait(rw)), rw::hasQueuedThreads, rw.writeLock()::unlock);
    rw.readLock().lock();
    releaseLate(new Thread(() -> writeWait(rw)), rw::hasQueuedThreads, rw.readLock()::unlock);

    Semaphore permits = new Semaphore(0);
    releaseLate(new Thread(() -> permitWait(permits)), permits::hasQueuedThreads, permits::release);
  }

  /** Starts {@code waiter}, and once it waits, lets it wait some more before releasing it. */
  private static void releaseLate(Thread waiter, BooleanSupplier waiting, Runnable release)
      throws InterruptedException {
    waiter.start();
    while (!waiting.getAsBoolean()) {
      Thread.sleep(1);
    }
    Thread.sleep(MILLIS);
    release.run();
    waiter.join();
  }

  private static void lockWait(ReentrantLock lock) {
    lock.lock();
    lock.unlock();
  }

  private static void readWait(ReentrantReadWriteLock rw) {
    rw.readLock().lock();
    rw.readLock().unlock();
  }

  private static void writeWait(ReentrantReadWriteLock rw) {
    rw.writeLock().lock();
    rw.writeLock().unlock();
  }

  private static void permitWait(Semaphore permits) {
    permits.acquireUninterruptibly();
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

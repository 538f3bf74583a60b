package dev.gil4j.it.scenarios;

import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Timer;
import java.util.TimerTask;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import java.util.concurrent.Phaser;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

/**
 * The concurrency patterns gil4j must survive, one small scenario each, run by {@link
 * ConcurrencyCatalogTest} in a child JVM under the GIL: {@code java … Scenarios NAME}. Each checks
 * its own result and prints {@code ok NAME}, or throws (exit status 1); none may hang. CPU work is
 * an LCG stepped by a method, so that it passes checkpoints as Python bytecode would.
 */
public final class Scenarios {
  private Scenarios() {}

  public static long burn(long n) {
    long x = 1;
    for (long i = 0; i < n; i++) {
      x = step(x);
    }
    return x;
  }

  public static long step(long x) {
    return x * 6364136223846793005L + 1442695040888963407L;
  }

  public static void main(String[] args) throws Exception {
    String name = args[0];
    Method m = Scenarios.class.getDeclaredMethod(name);
    m.invoke(null);
    System.out.println("ok " + name);
  }

  private static void check(boolean condition, String what) {
    if (!condition) {
      throw new AssertionError(what);
    }
  }

  private static List<Thread> startAll(int n, IntConsumerThrows body) {
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int me = i;
      Thread t =
          new Thread(
              () -> {
                try {
                  body.accept(me);
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      threads.add(t);
      t.start();
    }
    return threads;
  }

  private static void joinAll(List<Thread> threads) throws InterruptedException {
    for (Thread t : threads) {
      t.join();
    }
  }

  interface IntConsumerThrows {
    void accept(int i) throws Exception;
  }

  /**
   * Contended {@code synchronized} held across CPU work: holders blocked on it count as released.
   */
  static void synchronizedAcrossCpuWork() throws Exception {
    Object lock = new Object();
    long[] counter = {0};
    joinAll(
        startAll(
            3,
            i -> {
              for (int k = 0; k < 30; k++) {
                synchronized (lock) {
                  counter[0] += burn(100_000) == 0 ? 0 : 1;
                }
              }
            }));
    check(counter[0] == 90, "counter " + counter[0]);
  }

  /** {@code wait}/{@code notify} ping-pong between two threads. */
  static void waitNotifyPingPong() throws Exception {
    Object m = new Object();
    int[] turn = {0};
    joinAll(
        startAll(
            2,
            me -> {
              for (int i = 0; i < 5_000; i++) {
                synchronized (m) {
                  while (turn[0] % 2 != me) {
                    m.wait();
                  }
                  turn[0]++;
                  m.notifyAll();
                }
              }
            }));
    check(turn[0] == 10_000, "turns " + turn[0]);
  }

  /** A ring of threads passing a token with {@code LockSupport.park}/{@code unpark}. */
  static void parkUnparkRing() throws Exception {
    int n = 5;
    AtomicInteger token = new AtomicInteger();
    Thread[] ring = new Thread[n];
    for (int i = 0; i < n; i++) {
      int me = i;
      ring[i] =
          new Thread(
              () -> {
                for (int r = 0; r < 1_000; r++) {
                  while (token.get() % n != me) {
                    LockSupport.park();
                  }
                  token.incrementAndGet();
                  LockSupport.unpark(ring[(me + 1) % n]);
                }
              });
    }
    for (Thread t : ring) {
      t.start();
    }
    joinAll(List.of(ring));
    check(token.get() == 5_000, "token " + token.get());
  }

  /** A bounded buffer on {@code ReentrantLock} and two {@code Condition}s. */
  static void lockConditionBoundedBuffer() throws Exception {
    ReentrantLock lock = new ReentrantLock();
    Condition notFull = lock.newCondition();
    Condition notEmpty = lock.newCondition();
    long[] buffer = new long[8];
    int[] count = {0};
    long[] sum = {0};
    Thread producer =
        new Thread(
            () -> {
              for (int i = 1; i <= 20_000; i++) {
                lock.lock();
                try {
                  while (count[0] == buffer.length) {
                    notFull.awaitUninterruptibly();
                  }
                  buffer[count[0]++] = i;
                  notEmpty.signal();
                } finally {
                  lock.unlock();
                }
              }
            });
    Thread consumer =
        new Thread(
            () -> {
              for (int i = 1; i <= 20_000; i++) {
                lock.lock();
                try {
                  while (count[0] == 0) {
                    notEmpty.awaitUninterruptibly();
                  }
                  sum[0] += buffer[--count[0]];
                  notFull.signal();
                } finally {
                  lock.unlock();
                }
              }
            });
    producer.start();
    consumer.start();
    joinAll(List.of(producer, consumer));
    check(sum[0] == 20_000L * 20_001 / 2, "sum " + sum[0]);
  }

  /**
   * {@code Semaphore}, {@code CountDownLatch}, {@code CyclicBarrier} and {@code Phaser} together.
   */
  static void synchronizers() throws Exception {
    Semaphore permits = new Semaphore(2);
    CountDownLatch done = new CountDownLatch(4);
    AtomicInteger tripped = new AtomicInteger();
    CyclicBarrier barrier = new CyclicBarrier(4, tripped::incrementAndGet);
    Phaser phaser = new Phaser(4);
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger maxInside = new AtomicInteger();
    startAll(
        4,
        i -> {
          for (int round = 0; round < 20; round++) {
            permits.acquire();
            maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
            burn(5_000);
            inside.decrementAndGet();
            permits.release();
            barrier.await();
            phaser.arriveAndAwaitAdvance();
          }
          done.countDown();
        });
    check(done.await(60, TimeUnit.SECONDS), "latch");
    check(maxInside.get() <= 2, "semaphore admitted " + maxInside.get());
    check(tripped.get() == 20 && phaser.getPhase() == 20, "barrier/phaser");
  }

  /** Producers and consumers over an {@code ArrayBlockingQueue}. */
  static void blockingQueue() throws Exception {
    BlockingQueue<Long> q = new ArrayBlockingQueue<>(16);
    AtomicLong sum = new AtomicLong();
    List<Thread> all = new ArrayList<>();
    all.addAll(
        startAll(
            2,
            p -> {
              for (long i = 1; i <= 10_000; i++) {
                q.put(i);
              }
            }));
    all.addAll(
        startAll(
            2,
            c -> {
              for (int i = 0; i < 10_000; i++) {
                sum.addAndGet(q.take());
              }
            }));
    joinAll(all);
    check(sum.get() == 2 * (10_000L * 10_001 / 2), "sum " + sum.get());
  }

  /** An {@code ExecutorService}'s futures, and {@code ConcurrentHashMap.computeIfAbsent}. */
  static void executorAndComputeIfAbsent() throws Exception {
    ConcurrentHashMap<Integer, Long> map = new ConcurrentHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<Long>> futures = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      int key = i % 7;
      futures.add(pool.submit(() -> map.computeIfAbsent(key, k -> burn(100_000) + k)));
    }
    long sum = 0;
    for (Future<Long> f : futures) {
      sum += f.get();
    }
    pool.shutdown();
    check(pool.awaitTermination(30, TimeUnit.SECONDS), "pool ended");
    long expected = 0;
    for (int i = 0; i < 200; i++) {
      expected += burn(100_000) + i % 7;
    }
    check(map.size() == 7 && sum == expected, "sum " + sum);
  }

  /**
   * {@code CompletableFuture} chains on the common pool, parallel streams, a {@code ForkJoinPool}.
   */
  static void forkJoinAndStreams() throws Exception {
    long streamed = LongStream.range(0, 1_000_000).parallel().map(Scenarios::step).sum();
    check(streamed == LongStream.range(0, 1_000_000).map(Scenarios::step).sum(), "stream");
    long chained =
        CompletableFuture.supplyAsync(() -> burn(1000))
            .thenApplyAsync(x -> x + burn(1000))
            .thenCombine(CompletableFuture.supplyAsync(() -> 3L), Long::sum)
            .get();
    check(chained == burn(1000) * 2 + 3, "chain");
    ForkJoinPool fj = new ForkJoinPool(3);
    long forked =
        fj.submit(() -> IntStream.range(0, 500).parallel().mapToLong(i -> burn(i)).sum()).get();
    check(forked == IntStream.range(0, 500).mapToLong(i -> burn(i)).sum(), "fork/join");
    fj.shutdown();
  }

  static final class SlowInit {
    static final long VALUE = burn(20_000_000);
  }

  static final class InitA {
    static final long VALUE = burn(500_000) + InitB.VALUE;
  }

  static final class InitB {
    static final long VALUE;

    static {
      long v = burn(500_000);
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      VALUE = v + 1;
    }
  }

  /**
   * A static initializer burning CPU while another thread waits for it, and two classes initialized
   * from two threads. A thread waiting for another's initializer is RUNNABLE to Java and asleep to
   * the kernel: if it holds the GIL, the safety net revokes it (expected, explained).
   */
  static void staticInitializers() throws Exception {
    List<Thread> waiters = startAll(2, i -> check(SlowInit.VALUE != 0, "slow init"));
    joinAll(waiters);
    Thread a = new Thread(() -> check(InitA.VALUE == burn(500_000) + InitB.VALUE, "A"));
    Thread b = new Thread(() -> check(InitB.VALUE == burn(500_000) + 1, "B"));
    a.start();
    b.start();
    joinAll(List.of(a, b));
  }

  /** Loads its own classes child-first, as a plugin loader does, slowly. */
  static final class SlowLoader extends ClassLoader {
    SlowLoader() {
      super(Scenarios.class.getClassLoader());
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      synchronized (getClassLoadingLock(name)) {
        if (!name.startsWith(Payload.class.getName())) {
          return super.loadClass(name, resolve);
        }
        Class<?> c = findLoadedClass(name);
        if (c != null) {
          return c;
        }
        String file = "/" + name.replace('.', '/') + ".class";
        try (InputStream in = Scenarios.class.getResourceAsStream(file)) {
          byte[] bytes = in.readAllBytes();
          burn(100_000);
          return defineClass(name, bytes, 0, bytes.length);
        } catch (IOException e) {
          throw new ClassNotFoundException(name, e);
        }
      }
    }
  }

  public static final class Payload {
    public static final long VALUE = burn(300_000);
  }

  /**
   * One class loaded and initialized through a custom class loader from four threads at once.
   * Class-init waits as in {@link #staticInitializers} may be revoked (explained).
   */
  static void customClassLoader() throws Exception {
    SlowLoader loader = new SlowLoader();
    AtomicLong seen = new AtomicLong();
    joinAll(
        startAll(
            4,
            i ->
                seen.addAndGet(
                    loader.loadClass(Payload.class.getName()).getField("VALUE").getLong(null))));
    check(seen.get() == 4 * burn(300_000), "payload");
  }

  /** {@code Thread.join}, and interrupts of sleeping, waiting and parked threads. */
  static void joinAndInterrupts() throws Exception {
    Object lock = new Object();
    AtomicInteger woke = new AtomicInteger();
    Thread sleeper =
        new Thread(
            () -> {
              try {
                Thread.sleep(30_000);
              } catch (InterruptedException e) {
                woke.incrementAndGet();
              }
            });
    Thread waiter =
        new Thread(
            () -> {
              synchronized (lock) {
                try {
                  lock.wait();
                } catch (InterruptedException e) {
                  woke.incrementAndGet();
                }
              }
            });
    Thread parker =
        new Thread(
            () -> {
              while (!Thread.currentThread().isInterrupted()) {
                LockSupport.park();
              }
              woke.incrementAndGet();
            });
    List<Thread> all = List.of(sleeper, waiter, parker);
    for (Thread t : all) {
      t.start();
    }
    Thread.sleep(100);
    for (Thread t : all) {
      t.interrupt();
    }
    for (Thread t : all) {
      t.join(10_000);
    }
    check(woke.get() == 3, "interrupted " + woke.get());
  }

  /** {@code java.util.Timer} and a {@code ScheduledExecutorService} beside a CPU thread. */
  static void timers() throws Exception {
    ScheduledExecutorService ses = Executors.newScheduledThreadPool(2);
    AtomicInteger ticks = new AtomicInteger();
    ses.scheduleAtFixedRate(ticks::incrementAndGet, 0, 2, TimeUnit.MILLISECONDS);
    Timer timer = new Timer();
    CountDownLatch fired = new CountDownLatch(5);
    timer.schedule(
        new TimerTask() {
          @Override
          public void run() {
            fired.countDown();
          }
        },
        0,
        3);
    burn(5_000_000);
    check(fired.await(30, TimeUnit.SECONDS), "timer");
    timer.cancel();
    ses.shutdown();
    check(ses.awaitTermination(30, TimeUnit.SECONDS) && ticks.get() > 3, "ticks " + ticks.get());
  }

  /** Piped streams with a tiny buffer between two threads. */
  static void pipedStreams() throws Exception {
    PipedOutputStream out = new PipedOutputStream();
    PipedInputStream in = new PipedInputStream(out, 16);
    Thread writer =
        new Thread(
            () -> {
              try (out) {
                for (int i = 0; i < 5_000; i++) {
                  out.write(i & 0xff);
                }
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    writer.start();
    long sum = 0;
    for (int b; (b = in.read()) >= 0; ) {
      sum += b;
    }
    writer.join();
    long expected = 0;
    for (int i = 0; i < 5_000; i++) {
      expected += i & 0xff;
    }
    check(sum == expected, "sum " + sum);
  }

  /**
   * Loopback sockets with a thread per client. Several threads creating their first socket at once
   * wait for the JDK's socket class initializer: such a wait may be revoked (explained).
   */
  static void socketsThreadPerClient() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread acceptor =
          new Thread(
              () -> {
                for (int c = 0; c < 3; c++) {
                  try {
                    Socket s = server.accept();
                    new Thread(
                            () -> {
                              try (s) {
                                s.getInputStream().transferTo(s.getOutputStream());
                              } catch (IOException e) {
                                throw new UncheckedIOException(e);
                              }
                            })
                        .start();
                  } catch (IOException e) {
                    throw new UncheckedIOException(e);
                  }
                }
              });
      acceptor.start();
      joinAll(
          startAll(
              3,
              i -> {
                try (Socket s =
                    new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
                  s.setTcpNoDelay(true);
                  for (int k = 0; k < 300; k++) {
                    s.getOutputStream().write(k & 0x7f);
                    check(s.getInputStream().read() == (k & 0x7f), "echo");
                  }
                }
              }));
      acceptor.join();
    }
  }

  /** A {@code Selector}-based echo server with three blocking clients. */
  static void selectorNio() throws Exception {
    ServerSocketChannel server = ServerSocketChannel.open();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    server.configureBlocking(false);
    Selector selector = Selector.open();
    server.register(selector, SelectionKey.OP_ACCEPT);
    int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
    Thread loop =
        new Thread(
            () -> {
              ByteBuffer buf = ByteBuffer.allocate(64);
              int echoed = 0;
              try {
                while (echoed < 3 * 200) {
                  selector.select();
                  for (Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                      it.hasNext(); ) {
                    SelectionKey key = it.next();
                    it.remove();
                    if (key.isAcceptable()) {
                      SocketChannel c = server.accept();
                      c.configureBlocking(false);
                      c.register(selector, SelectionKey.OP_READ);
                    } else {
                      SocketChannel c = (SocketChannel) key.channel();
                      buf.clear();
                      int n = c.read(buf);
                      if (n < 0) {
                        key.cancel();
                        c.close();
                        continue;
                      }
                      buf.flip();
                      while (buf.hasRemaining()) {
                        c.write(buf);
                      }
                      echoed += n;
                    }
                  }
                }
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    loop.start();
    joinAll(
        startAll(
            3,
            i -> {
              try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.setTcpNoDelay(true);
                for (int k = 0; k < 200; k++) {
                  s.getOutputStream().write(7);
                  check(s.getInputStream().read() == 7, "echo");
                }
              }
            }));
    loop.join();
    selector.close();
    server.close();
  }

  /** File I/O from four threads. */
  static void fileIo() throws Exception {
    Path dir = Files.createTempDirectory("gil4j-files");
    joinAll(
        startAll(
            4,
            i -> {
              Path p = dir.resolve("f" + i);
              for (int k = 0; k < 100; k++) {
                Files.writeString(p, "x".repeat(1000) + k);
                check(Files.readString(p).endsWith(String.valueOf(k)), "read back");
              }
              Files.delete(p);
            }));
    Files.delete(dir);
  }

  /** A child process: its output read, {@code waitFor}. */
  static void childProcess() throws Exception {
    java.lang.Process p = new ProcessBuilder("sh", "-c", "echo hello; sleep 0.2; echo bye").start();
    String out = new String(p.getInputStream().readAllBytes());
    check(p.waitFor() == 0 && out.equals("hello\nbye\n"), "child said " + out);
  }

  /** {@code System.exit(3)} from a worker while others spin, one of them a daemon. */
  static void exitFromWorker() throws Exception {
    for (int i = 0; i < 2; i++) {
      Thread spinner =
          new Thread(
              () -> {
                while (true) {
                  burn(1000);
                }
              });
      spinner.setDaemon(i == 0);
      spinner.start();
    }
    Thread worker =
        new Thread(
            () -> {
              burn(1_000_000);
              System.out.println("ok exitFromWorker");
              System.exit(3);
            });
    worker.start();
    worker.join();
  }

  /** Daemon threads still spinning when {@code main} returns, and a shutdown hook that computes. */
  static void daemonsAndShutdownHook() throws Exception {
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> System.out.println("hook " + (burn(100_000) != 0))));
    for (int i = 0; i < 3; i++) {
      Thread spinner =
          new Thread(
              () -> {
                while (true) {
                  burn(1000);
                }
              });
      spinner.setDaemon(true);
      spinner.start();
    }
    Thread.sleep(50);
  }

  /** A thread that dies of an uncaught exception releases the GIL for good. */
  static void uncaughtException() throws Exception {
    Thread dying =
        new Thread(
            () -> {
              burn(100_000);
              throw new IllegalStateException("expected in this scenario");
            });
    dying.setUncaughtExceptionHandler((t, e) -> {});
    dying.start();
    dying.join();
    long[] after = {0};
    Thread next = new Thread(() -> after[0] = burn(10));
    next.start();
    next.join();
    check(after[0] == burn(10), "after");
  }

  /** JDK 21+: 10,000 virtual threads sleeping and computing; then contending on synchronized. */
  static void virtualThreads() throws Exception {
    Method perTask = Executors.class.getMethod("newVirtualThreadPerTaskExecutor");
    AtomicLong sum = new AtomicLong();
    Object lock = new Object();
    long[] guarded = {0};
    ExecutorService ex = (ExecutorService) perTask.invoke(null);
    for (int i = 0; i < 10_000; i++) {
      ex.submit(
          () -> {
            Thread.sleep(50);
            sum.addAndGet(burn(2_000) & 1);
            synchronized (lock) {
              guarded[0]++;
            }
            return null;
          });
    }
    ex.shutdown();
    check(ex.awaitTermination(60, TimeUnit.SECONDS), "virtual threads ended");
    check(guarded[0] == 10_000 && sum.get() == 10_000 * (burn(2_000) & 1), "virtual");
  }
}

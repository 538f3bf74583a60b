package dev.gil4j.it.apps;

import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The load for {@link NettyEcho}: {@code EchoClient PORT SECONDS CONNECTIONS} opens {@code
 * CONNECTIONS} connections to 127.0.0.1, each on its own thread sending a {@value #SIZE}-byte
 * message, reading its echo back and checking it, until {@code SECONDS} have passed; a read that
 * waits 10 s fails. Prints {@code gil4j-metric echoes}, {@code echoes_per_s} and {@code
 * bad_echoes}.
 */
public final class EchoClient {
  static final int SIZE = 64;

  private EchoClient() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    long nanos = Long.parseLong(args[1]) * 1_000_000_000L;
    int connections = Integer.parseInt(args[2]);
    AtomicLong echoes = new AtomicLong();
    AtomicLong bad = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    List<Throwable> failures = new ArrayList<>();
    long start = System.nanoTime();
    long deadline = start + nanos;
    for (int c = 0; c < connections; c++) {
      int id = c;
      Thread t =
          new Thread(
              () -> {
                try (Socket s = new Socket()) {
                  s.setTcpNoDelay(true);
                  s.setSoTimeout(10_000);
                  s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
                  OutputStream out = s.getOutputStream();
                  DataInputStream in = new DataInputStream(s.getInputStream());
                  byte[] sent = new byte[SIZE];
                  byte[] got = new byte[SIZE];
                  for (long n = 0; System.nanoTime() < deadline; n++) {
                    Arrays.fill(sent, (byte) (id * 31 + n));
                    out.write(sent);
                    in.readFully(got);
                    echoes.incrementAndGet();
                    if (!Arrays.equals(sent, got)) {
                      bad.incrementAndGet();
                    }
                  }
                } catch (Exception e) {
                  synchronized (failures) {
                    failures.add(e);
                  }
                }
              });
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    if (!failures.isEmpty()) {
      failures.get(0).printStackTrace(System.out);
      System.exit(1);
    }
    System.out.println("gil4j-metric echoes " + echoes.get());
    System.out.printf("gil4j-metric echoes_per_s %.0f%n", echoes.get() / seconds);
    System.out.println("gil4j-metric bad_echoes " + bad.get());
  }
}

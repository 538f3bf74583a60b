package dev.gil4j.it.apps;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * H2, the embedded SQL database, under concurrent load: {@code H2Load THREADS SECONDS}. Each thread
 * has its own connection and, until the time is up, commits transactions that insert a row of its
 * own and add the row's value to one of {@value #COUNTERS} counter rows that all threads update, so
 * that transactions wait for each other's row locks; every tenth transaction it reads its own rows
 * back and checks their count and sum against what it committed. The database is an H2 file
 * (MVStore, with its background writer thread) in a temporary directory.
 *
 * <p>At the end the table and the counters must add up to what all threads committed. Prints {@code
 * gil4j-metric} lines: {@code transactions}, {@code tx_per_s} and {@code mismatches} (reads and
 * final totals that disagreed; 0 when H2 kept every commit).
 */
public final class H2Load {
  static final int COUNTERS = 4;

  private H2Load() {}

  public static void main(String[] args) throws Exception {
    int threads = Integer.parseInt(args[0]);
    long nanos = (long) (Double.parseDouble(args[1]) * 1e9);
    Path dir = Files.createTempDirectory("gil4j-h2");
    // A row-lock wait beyond H2's default 2 s is a slow run on a busy machine, not a fault.
    String url = "jdbc:h2:file:" + dir.resolve("load") + ";LOCK_TIMEOUT=20000";
    try (Connection admin = DriverManager.getConnection(url, "sa", "")) {
      createSchema(admin);
      List<Worker> workers = new ArrayList<>();
      long start = System.nanoTime();
      for (int w = 0; w < threads; w++) {
        Worker worker = new Worker(w, url, start + nanos);
        workers.add(worker);
        worker.start();
      }
      for (Worker worker : workers) {
        worker.join();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      long transactions = 0;
      long sum = 0;
      long mismatches = 0;
      for (Worker worker : workers) {
        if (worker.failure != null) {
          throw worker.failure;
        }
        transactions += worker.count;
        sum += worker.sum;
        mismatches += worker.mismatches;
      }
      mismatches += checkTotals(admin, transactions, sum);
      System.out.printf("gil4j-metric transactions %d 1%n", transactions);
      System.out.printf("gil4j-metric tx_per_s %.1f 1/s%n", transactions / seconds);
      System.out.printf("gil4j-metric mismatches %d 1%n", mismatches);
    } finally {
      deleteTree(dir);
    }
  }

  private static void createSchema(Connection admin) throws SQLException {
    try (Statement s = admin.createStatement()) {
      s.execute("CREATE TABLE item(id BIGINT PRIMARY KEY, worker INT NOT NULL, v BIGINT NOT NULL)");
      s.execute("CREATE INDEX item_worker ON item(worker)");
      s.execute(
          "CREATE TABLE counter(id INT PRIMARY KEY, n BIGINT NOT NULL, total BIGINT NOT NULL)");
      for (int c = 0; c < COUNTERS; c++) {
        s.execute("INSERT INTO counter VALUES (" + c + ", 0, 0)");
      }
    }
  }

  /** How many of the table's and the counters' totals differ from what the workers committed. */
  private static long checkTotals(Connection admin, long transactions, long sum)
      throws SQLException {
    long mismatches = 0;
    for (String sql :
        List.of(
            "SELECT COUNT(*), COALESCE(SUM(v), 0) FROM item",
            "SELECT SUM(n), SUM(total) FROM counter")) {
      try (Statement s = admin.createStatement();
          ResultSet rs = s.executeQuery(sql)) {
        rs.next();
        if (rs.getLong(1) != transactions || rs.getLong(2) != sum) {
          System.out.printf(
              "mismatch: %s gave %d, %d; committed %d, %d%n",
              sql, rs.getLong(1), rs.getLong(2), transactions, sum);
          mismatches++;
        }
      }
    }
    return mismatches;
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** One connection's transactions, with the count and sum of what it committed. */
  private static final class Worker extends Thread {
    private final int id;
    private final String url;
    private final long deadline;
    long count;
    long sum;
    long mismatches;
    Exception failure;

    Worker(int id, String url, long deadline) {
      super("h2-worker-" + id);
      this.id = id;
      this.url = url;
      this.deadline = deadline;
    }

    @Override
    public void run() {
      try (Connection c = DriverManager.getConnection(url, "sa", "");
          PreparedStatement insert = c.prepareStatement("INSERT INTO item VALUES (?, ?, ?)");
          PreparedStatement bump =
              c.prepareStatement("UPDATE counter SET n = n + 1, total = total + ? WHERE id = ?");
          PreparedStatement own =
              c.prepareStatement(
                  "SELECT COUNT(*), COALESCE(SUM(v), 0) FROM item WHERE worker = ?")) {
        c.setAutoCommit(false);
        while (System.nanoTime() < deadline) {
          long value = value(count);
          insert.setLong(1, (long) id << 32 | count);
          insert.setInt(2, id);
          insert.setLong(3, value);
          insert.executeUpdate();
          bump.setLong(1, value);
          bump.setInt(2, (int) ((count + id) % COUNTERS));
          bump.executeUpdate();
          c.commit();
          count++;
          sum += value;
          if (count % 10 == 0) {
            checkOwnRows(own);
          }
        }
      } catch (Exception e) {
        failure = e;
      }
    }

    private void checkOwnRows(PreparedStatement own) throws SQLException {
      own.setInt(1, id);
      try (ResultSet rs = own.executeQuery()) {
        rs.next();
        if (rs.getLong(1) != count || rs.getLong(2) != sum) {
          System.out.printf(
              "mismatch: worker %d read %d rows summing to %d, committed %d summing to %d%n",
              id, rs.getLong(1), rs.getLong(2), count, sum);
          mismatches++;
        }
      }
    }

    /** A value that differs from row to row and thread to thread. */
    private long value(long n) {
      return ((n + 1) * 2654435761L + id * 40503L) % 1_000_003L;
    }
  }
}

package dev.gil4j.it.apps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gil4j.testkit.Child;
import dev.gil4j.testkit.ChildRun;
import dev.gil4j.testkit.Jdk;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real applications from Maven Central, unmodified, under the agent: H2 committing transactions
 * from several connections ({@link H2Load}), Jetty answering {@code wrk} on loopback ({@link
 * JettyLoad}), and Lucene indexing and searching from several threads ({@link LuceneLoad}). Each
 * runs with {@code gil=off} and {@code gil=on} on every available JDK, in a child JVM with a hard
 * timeout; both runs must finish with every result checked, and the test prints throughput under
 * the GIL beside {@code gil=off} with the revocations of the exit report:
 *
 * <pre>
 * apps: jetty [JDK 17] gil=on 1015 requests/s, gil=off 2463 requests/s (0.41x), revocations 0
 * </pre>
 *
 * <p>The child's class path is the test classes and the apps' jars, named in the manifest of a jar
 * the test writes, so that the apps load on the system class loader as with {@code java -cp}.
 *
 * <p>Throughput bounds are coarse: the machine is shared, the runs are short enough to include
 * warm-up, and an app whose threads wait on each other's locks may even run faster under the GIL,
 * which keeps them from fighting over the same locks. The lower bound catches a GIL that starves an
 * app into a convoy.
 *
 * <p>Safety-net revocations are printed for each app. Every one seen so far was of a holder that
 * Java calls {@code RUNNABLE} while the kernel has it asleep, where no Java-level hook can see it,
 * and they grow with the machine's load: up to 8 per run on this 2-core machine while other
 * processes kept 12 to 20 threads runnable.
 *
 * <ul>
 *   <li>at {@code Thread.start0}, which waits until the kernel has run the new thread (Jetty's
 *       thread pool growing under load). Caught a moment later, the holder's stack shows it in
 *       gil4j's own {@code GilCore.drop} or {@code GilCore.threadStarting}, parked on the GIL's
 *       mutex, which the watchdog holds while it revokes. CPython's {@code Thread.start} waits for
 *       the new thread with the GIL released;
 *   <li>at {@code ScopedMemoryAccess.closeScope0}: closing a shared memory-segment arena (Lucene's
 *       {@code MMapDirectory} on JDK 21+ closing a file) waits for a handshake with every thread,
 *       42 ms long in a JFR recording;
 *   <li>at the first use of a class, waiting for another thread that runs its static initializer
 *       and gave the GIL up inside it (Jetty's {@code ServerConnector.newEndPoint}, 5 times as 16
 *       connections arrive at once), as in {@code ConcurrencyCatalogTest}'s {@code
 *       staticInitializers};
 *   <li>at {@code ConditionObject.await} in an H2 executor's {@code LinkedBlockingQueue.take},
 *       after a park: the java.util.concurrent case that {@code ConcurrencyCatalogTest} leaves
 *       unexplained too;
 *   <li>in plain Java code (H2's {@code MVMap.operate} and {@code IndexCursor.get}, Lucene's
 *       postings writer and {@code SegmentTermsEnumFrame.loadBlock}, even gil4j's class weaving):
 *       waiting inside the JVM, for the VM thread to run a garbage collection the holder asked for
 *       (a {@code G1CollectForAllocation} began 14 ms after one such revocation) or, for most, with
 *       no VM operation of the holder's or longer than 5 ms within 150 ms in the JFR recording, and
 *       many at a method's entry (a top frame without a line number): presumably for one of the
 *       JVM's own locks, such as those taken when the interpreter counts invocations and queues a
 *       compilation, whose owner waits for a CPU.
 * </ul>
 *
 * A revocation means a blocking point gil4j does not hook, never a hang; the bound catches an app
 * that starts to revoke wholesale, as one whose every request or transaction blocked unseen would.
 */
class ThirdPartyAppsTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(90);

  private static final int MAX_REVOCATIONS = 25;

  /** Throughput under the GIL below this fraction of {@code gil=off}'s is a starved app. */
  private static final double LEAST_RATIO = 0.05;

  /** The apps' jars, separated by the path separator, as Maven's dependency plugin lists them. */
  private static final Path CLASSPATH_FILE =
      Path.of(System.getProperty("gil4j.appsClassPath", "target/apps.classpath"));

  private static Path classPathJar;

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.gil4j.testkit.Jdk#available")
  void h2CommitsEveryTransactionFromConcurrentConnections(Jdk jdk) {
    Runs runs = runBoth(jdk, "H2Load", "4", "2");
    for (ChildRun run : runs.both()) {
      assertEquals(0, run.metric("mismatches"), run::describe);
      assertTrue(run.metric("transactions") > 0, run::describe);
    }
    runs.compare("h2", "tx_per_s", "tx/s");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.gil4j.testkit.Jdk#available")
  void jettyAnswersEveryWrkRequestCorrectly(Jdk jdk) {
    Path wrk = onPath("wrk");
    assumeTrue(wrk != null, "wrk is not installed (apt-get install wrk; .ci/run installs it)");
    Runs runs = runBoth(jdk, "JettyLoad", wrk.toString(), "2", "16");
    for (ChildRun run : runs.both()) {
      double requests = run.metric("requests");
      assertTrue(requests > 0, run::describe);
      assertEquals(requests, run.metric("bodies_checked"), run::describe);
      assertEquals(0, run.metric("bad_bodies"), run::describe);
      assertEquals(0, run.metric("non_2xx"), run::describe);
      assertEquals(0, run.metric("socket_errors"), run::describe);
      assertTrue(run.metric("served") >= requests, run::describe);
    }
    runs.compare("jetty", "requests_per_s", "requests/s");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.gil4j.testkit.Jdk#available")
  void luceneFindsEveryIndexedDocumentFromConcurrentSearchers(Jdk jdk) {
    Runs runs = runBoth(jdk, "LuceneLoad", "4", "4", "1", "2");
    for (ChildRun run : runs.both()) {
      assertTrue(run.metric("docs") > 0, run::describe);
      assertEquals(0, run.metric("mismatches"), run::describe);
      assertTrue(run.metric("queries") > 0, run::describe);
    }
    runs.compare(
        "lucene",
        "queries_per_s",
        "queries/s",
        "; indexing " + runs.figures("index_docs_per_s", "docs/s"));
  }

  /** The same driver with the GIL off and on, on one JDK. */
  private record Runs(Jdk jdk, ChildRun off, ChildRun on) {
    List<ChildRun> both() {
      return List.of(off, on);
    }

    /** Prints the app's throughput line and checks the coarse bounds and the revocations. */
    void compare(String app, String metric, String unit) {
      compare(app, metric, unit, "");
    }

    /** The same, with {@code more} at the end of the line. */
    void compare(String app, String metric, String unit, String more) {
      double revocations = on.report().value("revocations");
      double ratio = on.metric(metric) / off.metric(metric);
      System.out.printf(
          "apps: %s [%s] %s, revocations %.0f%s%n",
          app, jdk, figures(metric, unit), revocations, more);
      assertTrue(
          revocations <= MAX_REVOCATIONS,
          () -> String.format("%.0f revocations%n%s", revocations, on.describe()));
      assertTrue(
          ratio >= LEAST_RATIO,
          () ->
              String.format("%s under the GIL at %.2fx of gil=off%n%s", app, ratio, on.describe()));
    }

    /**
     * The figure under both modes and their ratio: {@code gil=on 1253 tx/s, gil=off 459 tx/s
     * (2.73x)}.
     */
    String figures(String metric, String unit) {
      double withGil = on.metric(metric);
      double without = off.metric(metric);
      return String.format(
          "gil=on %.0f %s, gil=off %.0f %s (%.2fx)",
          withGil, unit, without, unit, withGil / without);
    }
  }

  private static Runs runBoth(Jdk jdk, String driver, String... args) {
    return new Runs(jdk, run(jdk, "gil=off", driver, args), run(jdk, "gil=on", driver, args));
  }

  private static ChildRun run(Jdk jdk, String options, String driver, String... args) {
    return Child.java(
            jdk, List.of(classPathJar()), ThirdPartyAppsTest.class.getPackageName() + "." + driver)
        .withAgent(options)
        .withArgs(args)
        .withTimeout(TIMEOUT)
        .run()
        .assertSucceeded();
  }

  /**
   * A jar holding only a manifest whose {@code Class-Path} names the test classes, where the
   * drivers are, and the apps' jars; written once per test JVM.
   */
  static synchronized Path classPathJar() {
    if (classPathJar != null) {
      return classPathJar;
    }
    assertTrue(
        Files.isRegularFile(CLASSPATH_FILE),
        CLASSPATH_FILE + " is missing: Maven's dependency plugin writes it (mvn verify)");
    try {
      Path testClasses =
          Path.of(
              ThirdPartyAppsTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      List<String> entries = new ArrayList<>();
      // A directory's URI ends with '/', which Class-Path needs to read it as one.
      entries.add(testClasses.toUri().toString());
      for (String jar : Files.readString(CLASSPATH_FILE).strip().split(File.pathSeparator)) {
        entries.add(Path.of(jar).toUri().toString());
      }
      Manifest manifest = new Manifest();
      manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
      manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, String.join(" ", entries));
      Path jar = testClasses.resolveSibling("apps").resolve("class-path.jar");
      Files.createDirectories(jar.getParent());
      new JarOutputStream(Files.newOutputStream(jar), manifest).close();
      classPathJar = jar;
      return jar;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The executable {@code name} on the PATH, or null. */
  private static Path onPath(String name) {
    return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
        .filter(dir -> !dir.isEmpty())
        .map(dir -> Path.of(dir, name))
        .filter(Files::isExecutable)
        .findFirst()
        .orElse(null);
  }
}

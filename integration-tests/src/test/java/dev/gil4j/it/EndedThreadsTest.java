package dev.gil4j.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gil4j.it.holes.ShortLivedThreads;
import dev.gil4j.testkit.Child;
import dev.gil4j.testkit.ChildRun;
import dev.gil4j.testkit.Jdk;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The GIL's memory does not grow with every thread the application ever ran: 5,000 short-lived
 * threads under {@code gil=on} leave a heap as small as a few thousand live objects need (keeping
 * each ended thread's state cost 20 KB a thread, 100 MB here), and the exit report still accounts
 * for all of them, the ones it no longer keeps as themselves in one row.
 */
class EndedThreadsTest {
  private static final int THREADS = 5_000;
  private static final double MAX_HEAP_MB = 40;

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.gil4j.testkit.Jdk#available")
  void endedThreadsLeaveNoStateBehindButTheirTotals(Jdk jdk) {
    ChildRun run =
        Child.java(jdk, List.of(testClasses()), ShortLivedThreads.class.getName())
            .withAgent("gil=on")
            .withJvmOptions(List.of("-Xmx256m"))
            .withArgs(List.of(Integer.toString(THREADS)))
            .withTimeout(Duration.ofSeconds(120))
            .run()
            .assertSucceeded();
    double heap = run.metric("heap_mb");
    assertTrue(heap <= MAX_HEAP_MB, () -> heap + " MB left in the heap\n" + run.describe());
    assertTrue(
        run.stderr().lines().anyMatch(l -> l.matches("gil4j: +\\d+ others \\(ended\\).*")),
        () -> "no row of the threads folded together\n" + run.describe());
  }

  private static Path testClasses() {
    try {
      return Path.of(
          EndedThreadsTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}

package dev.gil4j.it.recording;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gil4j.testkit.Child;
import dev.gil4j.testkit.Jdk;
import dev.gil4j.testkit.RunningChild;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Monitor timing woven into {@link HotMonitors} by the real agent, with the GIL on, must leave its
 * hot {@code synchronized} blocks and methods compilable by C2: the JIT refuses a method whose
 * monitor use it cannot prove balanced, and that method then runs interpreted. The JVM's {@code
 * -XX:+PrintCompilation} output says which methods compiled, at which tier, and which it skipped.
 * Monitors are woven with the GIL on, with profiling and without (without the GIL, gil4j leaves
 * them to the JVM): the hook after each {@code monitorexit} must not land where the exception
 * handler would exit the monitor again.
 */
class MonitorCompilationTest {
  private static final Path CLASSES = Path.of("target/test-classes");
  private static final String APP = HotMonitors.class.getName();

  static Stream<Arguments> jdksAndOptions() {
    return Jdk.available()
        .flatMap(
            jdk ->
                Stream.of(
                    Arguments.of(jdk, "report=off"), Arguments.of(jdk, "report=off,profile=off")));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("jdksAndOptions")
  void wovenSynchronizedBlocksAndMethodsStillCompile(Jdk jdk, String agentOptions)
      throws Exception {
    Child app = Child.java(jdk, List.of(CLASSES), APP).withAgent(agentOptions);
    List<String> options =
        List.of("-XX:+PrintCompilation", "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED");
    try (RunningChild child =
        app.withJvmOptions(options).withTimeout(Duration.ofSeconds(90)).start()) {
      assertEquals(0, child.awaitExit(), child::describe);
      List<String> compiles = child.stdout().lines().filter(l -> l.contains(APP + "::")).toList();
      String all = String.join("\n", compiles);
      assertTrue(
          compiles.stream().noneMatch(l -> l.contains("SKIPPED") || l.contains("not compilable")),
          all);
      for (String method : List.of("block", "method", "synchronizedLoop")) {
        Pattern c2 = Pattern.compile("\\s4\\s+" + Pattern.quote(APP + "::" + method) + "\\s");
        assertTrue(
            compiles.stream().anyMatch(l -> c2.matcher(l).find()),
            method + " never compiled by C2:\n" + all);
      }
    }
  }
}

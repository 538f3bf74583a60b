package dev.gil4j.it.isolation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gil4j.testkit.Child;
import dev.gil4j.testkit.ChildRun;
import dev.gil4j.testkit.Jdk;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import net.jpountz.lz4.LZ4Factory;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.openjdk.jmc.common.IDisplayable;
import org.openjdk.jmc.flightrecorder.JfrLoaderToolkit;

/**
 * Only gil4j's runtime is visible to the application: {@link OwnLibraries}, with its own lz4-java
 * and JMC core jars on its class path (libraries gil4j's command-line tool uses too), gets its own
 * classes from its own jars through its own class loader, and behaves as it does without the agent
 * (the same LZ4 implementation), with the GIL on and off; gil4j's agent internals, ByteBuddy, ASM,
 * the lab and the analysis code are not found at all.
 */
class OwnLibrariesTest {
  @TempDir Path dir;

  static Stream<Arguments> runs() {
    List<Arguments> runs = new ArrayList<>();
    for (Jdk jdk : (Iterable<Jdk>) Jdk.available()::iterator) {
      runs.add(Arguments.of(jdk, "gil=on"));
      runs.add(Arguments.of(jdk, "gil=off"));
    }
    return runs.stream();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("runs")
  void applicationGetsItsOwnLibrariesAndNoneOfTheAgents(Jdk jdk, String options) {
    ChildRun without = run(jdk, List.of(), "own-libraries-no-agent");
    ChildRun with =
        run(jdk, List.of("-javaagent:" + TestJars.AGENT_JAR + "=" + options), "own-libraries");
    without.assertSucceeded();
    with.assertSucceeded();
    String lz4Jar = TestJars.jarOf(LZ4Factory.class).getFileName().toString();
    String jmcJar = TestJars.jarOf(JfrLoaderToolkit.class).getFileName().toString();
    String lz4 = line(with, "lz4 ");
    assertTrue(lz4.startsWith("lz4 app " + lz4Jar + " "), with::describe);
    assertEquals(line(without, "lz4 "), lz4, "the same LZ4 implementation as without the agent");
    assertTrue(line(with, "jmc ").startsWith("jmc app " + jmcJar + " "), with::describe);
    for (String name : OwnLibraries.AGENT_ONLY) {
      assertTrue(with.stdout().lines().anyMatch(("hidden " + name)::equals), with::describe);
    }
  }

  private ChildRun run(Jdk jdk, List<String> jvm, String label) {
    return Child.java(
            jdk,
            List.of(
                TestJars.TEST_CLASSES,
                TestJars.jarOf(LZ4Factory.class),
                TestJars.jarOf(JfrLoaderToolkit.class),
                TestJars.jarOf(IDisplayable.class)),
            OwnLibraries.class.getName())
        .withJvmOptions(jvm)
        .withArgs(List.of(dir.toString()))
        .withTimeout(Duration.ofSeconds(90))
        .withLabel(label)
        .run();
  }

  private static String line(ChildRun run, String prefix) {
    return run.stdout()
        .lines()
        .filter(l -> l.startsWith(prefix))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no '" + prefix + "' line\n" + run.describe()));
  }
}

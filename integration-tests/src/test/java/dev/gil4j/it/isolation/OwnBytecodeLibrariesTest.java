package dev.gil4j.it.isolation;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gil4j.testkit.Child;
import dev.gil4j.testkit.ChildRun;
import dev.gil4j.testkit.Jdk;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * gil4j's own ByteBuddy and ASM, relocated inside the agent jar, do not meet the application's:
 * {@link OwnBytecodeLibraries}, with ByteBuddy 1.12 and ASM 9.2 on its class path (gil4j shades
 * newer ones), generates and loads classes with both while its threads contend under the GIL, and
 * must get the right result. gil4j weaves the application's copies of the libraries and the classes
 * they generate like any application code, and must have left none of them unwoven.
 */
class OwnBytecodeLibrariesTest {

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.gil4j.testkit.Jdk#available")
  void applicationWithItsOwnByteBuddyAndAsmRunsCorrectlyUnderTheGil(Jdk jdk) {
    ChildRun run =
        Child.java(
                jdk,
                List.of(TestJars.TEST_CLASSES, TestJars.byteBuddy(), TestJars.asm()),
                OwnBytecodeLibraries.class.getName())
            .withJvmOptions(List.of("-javaagent:" + TestJars.AGENT_JAR))
            .withArgs(List.of("4", "6", "2000"))
            .withTimeout(Duration.ofSeconds(90))
            .withLabel("own-bytecode-libraries")
            .run();
    run.assertSucceeded();
    assertTrue(run.stdout().lines().anyMatch("ok"::equals), run::describe);
    assertTrue(
        run.stdout().contains("byte-buddy-1.12.19.jar") && run.stdout().contains("asm-9.2.jar"),
        () -> "the application must have used its own libraries\n" + run.describe());
    assertFalse(
        run.stderr().contains("classes left as they were"),
        () -> "gil4j must weave every class of the application\n" + run.describe());
    System.out.printf(
        "[%s] %.0f hand-offs, %.0f revocations%n",
        jdk, run.report().value("hand-offs"), run.report().value("revocations"));
  }
}

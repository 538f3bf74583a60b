package dev.gil4j.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gil4j.testkit.ChildRun;
import dev.gil4j.testkit.Jdk;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The JIT never inlines the checkpoint's slow path into application code: four CPU-bound threads
 * under the GIL at {@code switch=1ms} call it some hundreds of times a second, and C2, once it had
 * seen enough calls, inlined it with the GIL's hand-off behind it into the threads' hot method,
 * leaving no inlining budget for the application's own calls (four threads took 2.2–2.6x the time
 * of one). The JIT's own account ({@code -XX:+PrintInlining}) names every decision it made about
 * {@code Hooks.checkpointSlow}: each must be a refusal — by annotation, or on JDK 25 now and then
 * for a reason C2 checks first ("failed to inline: already compiled into a medium method", at a
 * call from a JDK method woven with a checkpoint).
 */
class SlowPathOutOfLineTest {
  private static final Pattern CALLEE =
      Pattern.compile("@ +\\d+ +dev\\.gil4j\\.runtime\\.Hooks::checkpointSlow ");

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.gil4j.testkit.Jdk#available")
  void theCheckpointSlowPathIsNeverInlined(Jdk jdk) {
    ChildRun run =
        Samples.child(jdk, "CpuBound")
            .withJvmOptions("-XX:+UnlockDiagnosticVMOptions", "-XX:+PrintInlining")
            .withAgent("switch=1ms,report=off")
            .withArgs("--threads", "4", "--work", "300000000")
            .run()
            .assertSucceeded();
    // Decisions about checkpointSlow as a callee, not about what its own compilation inlines
    // (JDK 25 names it there too: "GilCore::checkpoint ... callee changed to
    // Hooks::checkpointSlow").
    List<String> decisions =
        run.stdoutLines().stream().filter(l -> CALLEE.matcher(l).find()).toList();
    assertFalse(decisions.isEmpty(), "the JIT decided nothing about checkpointSlow");
    for (String decision : decisions) {
      assertTrue(
          decision.contains("don't inline by annotation") || decision.contains("failed to inline"),
          "the JIT's decision about checkpointSlow: " + decision.strip());
    }
  }
}

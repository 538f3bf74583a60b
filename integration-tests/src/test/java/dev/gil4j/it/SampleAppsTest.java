package dev.gil4j.it;

import dev.gil4j.testkit.ChildRun;
import dev.gil4j.testkit.Jdk;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every sample app checks its own result (a checksum, counts that must match) and exits with a
 * non-zero status when it is wrong. Under the GIL with a short switch interval, which provokes many
 * hand-offs, each must still be right, end by itself and leave the exit report.
 */
class SampleAppsTest {
  /** Each sample with arguments that keep it short. */
  private static final List<List<String>> SAMPLES =
      List.of(
          List.of("CpuBound", "4", "100000000"),
          List.of("CpuBound", "--threads", "2", "--work", "50000000", "--warm-up", "10000000"),
          List.of("Blocking", "sleep", "4", "20"),
          List.of("Blocking", "socket", "4", "1000"),
          List.of("Convoy", "1000", "0.5s"),
          List.of("ProducerConsumer", "2", "2", "200000", "1s"),
          List.of("WaitNotify", "20000", "0.5s"),
          List.of("SwitchRuns", "0.5s"),
          List.of("Locks", "--ops", "20000"));

  static Stream<Arguments> jdksAndSamples() {
    return Jdk.available()
        .flatMap(
            jdk ->
                SAMPLES.stream()
                    .map(
                        s ->
                            Arguments.of(jdk, s.get(0), String.join(" ", s.subList(1, s.size())))));
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @MethodSource("jdksAndSamples")
  void sampleAppIsCorrectUnderTheGil(Jdk jdk, String sample, String args) {
    ChildRun run =
        Samples.child(jdk, sample)
            .withAgent("switch=1ms")
            .withArgs(args.isEmpty() ? new String[0] : args.split(" "))
            .run()
            .assertSucceeded();
    run.report();
  }
}

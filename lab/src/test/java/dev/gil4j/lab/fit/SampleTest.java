package dev.gil4j.lab.fit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SampleTest {
  @Test
  void aThreadCountBelowOneIsRejected() {
    var e = assertThrows(IllegalArgumentException.class, () -> new Sample(0, 1));
    assertEquals("sample n must be at least 1: 0", e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(doubles = {0, -1, Double.NaN, Double.POSITIVE_INFINITY})
  void aThroughputThatIsNotPositiveAndFiniteIsRejected(double x) {
    var e = assertThrows(IllegalArgumentException.class, () -> new Sample(4, x));
    assertTrue(e.getMessage().startsWith("sample throughput must be positive and finite"));
    assertTrue(e.getMessage().endsWith("at n=4"));
  }

  @Test
  void halvingTheWallTimeOfFixedWorkDoublesTheThroughput() {
    assertEquals(
        2 * Sample.ofWallTime(1, 200).throughput(), Sample.ofWallTime(2, 100).throughput());
    assertThrows(IllegalArgumentException.class, () -> Sample.ofWallTime(1, 0));
  }
}

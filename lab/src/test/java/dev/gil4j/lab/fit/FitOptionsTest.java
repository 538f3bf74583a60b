package dev.gil4j.lab.fit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class FitOptionsTest {
  @Test
  void defaultsProjectToSixtyFourCoresWithAThousandRounds() {
    assertEquals(List.of(8, 16, 32, 64), FitOptions.DEFAULTS.projectAt());
    assertEquals(1000, FitOptions.DEFAULTS.rounds());
    assertEquals(64, FitOptions.DEFAULTS.furthest());
  }

  @Test
  void withMethodsChangeOneThing() {
    FitOptions o = FitOptions.DEFAULTS.withProjectAt(2, 128).withRounds(500).withSeed(3);
    assertEquals(List.of(2, 128), o.projectAt());
    assertEquals(500, o.rounds());
    assertEquals(3, o.seed());
    assertEquals(FitOptions.DEFAULTS.maxRunSpread(), o.maxRunSpread());
  }

  @Test
  void badValuesAreRejectedWithTheRule() {
    assertEquals(
        "bad rounds: 10; accepted: 100 or more",
        assertThrows(IllegalArgumentException.class, () -> FitOptions.DEFAULTS.withRounds(10))
            .getMessage());
    assertEquals(
        "bad projectAt: [0]; accepted: one or more thread counts, each at least 1",
        assertThrows(IllegalArgumentException.class, () -> FitOptions.DEFAULTS.withProjectAt(0))
            .getMessage());
    assertThrows(IllegalArgumentException.class, () -> FitOptions.DEFAULTS.withProjectAt());
    assertThrows(
        IllegalArgumentException.class,
        () -> new FitOptions(List.of(8), 1000, 1, 0.5, 1.0, 0.25, 1.25));
  }
}

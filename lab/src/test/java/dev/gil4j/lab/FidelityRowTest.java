package dev.gil4j.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FidelityRowTest {
  private static FidelityRow row(double cpython, double gil4j) {
    return new FidelityRow("x.y", "experiment", "figure", cpython, gil4j);
  }

  @Test
  void ratioIsGil4jOverCpython() {
    assertEquals(1.25, row(4, 5).ratio(), 1e-12);
    assertEquals(0.5, row(200, 100).ratio(), 1e-12);
  }

  @ParameterizedTest
  @CsvSource({
    "1.0, 1.0, close",
    "1.0, 1.5, close",
    "1.5, 1.0, close",
    "1.0, 1.51, differs",
    "1.51, 1.0, differs",
    "191, 4000000, differs",
    "0.95, 1.98, differs",
    "20.8, 14.0, close"
  })
  void closeMeansWithinOneAndAHalfTimesEitherWay(double cpython, double gil4j, String verdict) {
    assertEquals(verdict, row(cpython, gil4j).verdict());
  }

  @Test
  void aMissingSideIsAFailureNotADifference() {
    assertTrue(Double.isNaN(row(Double.NaN, 1).ratio()));
    assertEquals("failed", row(Double.NaN, 1).verdict());
    assertEquals("failed", row(1, Double.NaN).verdict());
    assertEquals("failed", row(0, 1).verdict());
  }
}

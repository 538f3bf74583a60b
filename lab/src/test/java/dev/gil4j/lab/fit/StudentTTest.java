package dev.gil4j.lab.fit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StudentTTest {
  @ParameterizedTest
  @CsvSource({
    "1, 6.3138",
    "2, 2.9200",
    "5, 2.0150",
    "30, 1.6973",
    "31, 1.6955",
    "40, 1.6839",
    "120, 1.6577",
    "100000, 1.6449"
  })
  void ninetyFifthPercentileMatchesTheTables(int dof, double t) {
    assertEquals(t, StudentT.quantile95(dof), 1e-4);
  }

  @ParameterizedTest
  @CsvSource({"0", "-1"})
  void noDegreesOfFreedomHaveNoQuantile(int dof) {
    assertTrue(Double.isNaN(StudentT.quantile95(dof)));
  }
}

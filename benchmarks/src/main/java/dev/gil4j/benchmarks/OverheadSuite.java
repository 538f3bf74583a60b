package dev.gil4j.benchmarks;

import dev.gil4j.benchmarks.internal.Run;
import java.io.PrintStream;

final class OverheadSuite {
  OverheadSuite(Run run) {}

  void run(PrintStream o) {}
}

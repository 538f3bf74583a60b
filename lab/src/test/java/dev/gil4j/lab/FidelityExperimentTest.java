package dev.gil4j.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gil4j.options.Options;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class FidelityExperimentTest {
  /** What each script printed in one run on CPython 3.11 (the reference README's figures). */
  private static final Map<String, List<String>> PRINTED =
      Map.of(
          "cpu_scaling.py",
          List.of(
              "{\"mode\": \"threads\", \"n\": 1, \"wall_s\": 1.0, \"speedup\": 1.0}",
              "{\"mode\": \"threads\", \"n\": 2, \"wall_s\": 1.053, \"speedup\": 0.95}",
              "{\"mode\": \"threads\", \"n\": 4, \"wall_s\": 0.99, \"speedup\": 1.01}",
              "{\"mode\": \"processes\", \"n\": 2, \"wall_s\": 0.37, \"speedup\": 2.7}"),
          "io_scaling.py",
          List.of(
              "{\"mode\": \"threads\", \"n\": 1, \"wall_s\": 0.55, \"throughput_x\": 1.0}",
              "{\"mode\": \"threads\", \"n\": 2, \"wall_s\": 0.5, \"throughput_x\": 1.99}",
              "{\"mode\": \"threads\", \"n\": 4, \"wall_s\": 0.625, \"throughput_x\": 3.96}",
              "{\"mode\": \"threads\", \"n\": 8, \"wall_s\": 0.8, \"throughput_x\": 7.95}"),
          "switch_runs.py",
          List.of(
              "{\"switch_interval_ms\": 5.0, \"switches_per_s\": 191.0, \"median_run_ms\": 5.2,"
                  + " \"p90_run_ms\": 5.9}"),
          "convoy.py",
          List.of(
              "{\"round_trips_per_s_alone\": 12592, \"round_trips_per_s_beside_cpu_thread\": 605,"
                  + " \"slowdown_x\": 20.8}"),
          "locks.py",
          List.of(
              "{\"shape\": \"lock\", \"speedup_4\": 0.97, \"held_lock\": 0.86}",
              "{\"shape\": \"rw\", \"speedup_4\": 0.96, \"held_write\": 0.05,"
                  + " \"held_read\": 0.41}",
              "{\"shape\": \"nested\", \"speedup_4\": 0.21, \"held_stripe\": 0.75,"
                  + " \"held_global\": 0.43}"));

  private static List<Map<String, Object>> printed(String script) {
    return PRINTED.get(script).stream().map(FidelityPython::parseObject).toList();
  }

  private static Map<String, ChildJava.Metric> metrics(String... nameValues) {
    Map<String, ChildJava.Metric> m = new LinkedHashMap<>();
    for (int i = 0; i < nameValues.length; i += 2) {
      m.put(
          nameValues[i],
          new ChildJava.Metric(nameValues[i], Double.parseDouble(nameValues[i + 1]), "x"));
    }
    return m;
  }

  @Test
  void cpuSpeedupsAreOneThreadsWallTimeOverNs() {
    assertEquals(
        Map.of(
            "cpu.threads2.speedup",
            0.95,
            "cpu.threads4.speedup",
            1.01,
            "cpu.processes2.speedup",
            2.7),
        withoutOneThread(FidelityExperiment.cpuScalingOfCpython("cpu", printed("cpu_scaling.py"))));
    Map<String, Map<String, ChildJava.Metric>> runs =
        Map.of(
            "cpu-threads1", metrics("wall_ms", "1000", "threads", "1"),
            "cpu-threads2", metrics("wall_ms", "1050"),
            "cpu-threads4", metrics("wall_ms", "1000"),
            "cpu-processes2", metrics("wall_ms", "400", "start_ms", "900"));
    Map<String, Double> gil4j =
        FidelityExperiment.cpuScalingOfGil4j(
            "cpu", List.of("threads2", "threads4", "processes2"), runs);
    assertEquals(1000 / 1050.0, gil4j.get("cpu.threads2.speedup"), 1e-12);
    assertEquals(1.0, gil4j.get("cpu.threads4.speedup"), 1e-12);
    assertEquals(2.5, gil4j.get("cpu.processes2.speedup"), 1e-12);
  }

  private static Map<String, Double> withoutOneThread(Map<String, Double> figures) {
    Map<String, Double> rest = new HashMap<>(figures);
    assertEquals(1.0, rest.remove("cpu.threads1.speedup"));
    return rest;
  }

  @Test
  void overlapIsSleepingTimeOverWallTimeOnBothSides() {
    Map<String, Double> cpython = FidelityExperiment.overlapOfCpython(printed("io_scaling.py"));
    assertEquals(2.0, cpython.get("sleep.threads2.overlap"), 1e-12);
    assertEquals(3.2, cpython.get("sleep.threads4.overlap"), 1e-12);
    assertEquals(5.0, cpython.get("sleep.threads8.overlap"), 1e-12);
    Map<String, Double> gil4j =
        FidelityExperiment.overlapOfGil4j(
            Map.of(
                "sleep-threads2", metrics("throughput_x", "1.98"),
                "sleep-threads4", metrics("throughput_x", "3.9"),
                "sleep-threads8", metrics("throughput_x", "7.5")));
    assertEquals(
        Map.of(
            "sleep.threads2.overlap",
            1.98,
            "sleep.threads4.overlap",
            3.9,
            "sleep.threads8.overlap",
            7.5),
        gil4j);
  }

  @Test
  void convoySlowdownIsComputedFromTheUnroundedRatesAndTheRatesAreRowsToo() {
    Map<String, Double> cpython = FidelityExperiment.convoyOfCpython(printed("convoy.py"));
    assertEquals(12592 / 605.0, cpython.get("convoy.slowdown"), 1e-12);
    assertEquals(605.0, cpython.get("convoy.beside_per_s"));
    assertEquals(12592.0, cpython.get("convoy.alone_per_s"));
    Map<String, Double> gil4j =
        FidelityExperiment.convoyOfGil4j(
            Map.of(
                "convoy",
                metrics(
                    "slowdown_x", "207.2",
                    "round_trips_per_s_alone", "37633.3",
                    "round_trips_per_s_beside_cpu_thread", "181.7")));
    assertEquals(List.of(207.2, 181.7, 37633.3), List.copyOf(gil4j.values()));
  }

  @Test
  void aFailedRunLeavesItsFiguresEmpty() {
    Map<String, Double> gil4j =
        FidelityExperiment.cpuScalingOfGil4j(
            "cpu",
            List.of("threads2", "processes2"),
            Map.of("cpu-threads1", metrics("wall_ms", "1000"), "cpu-threads2", Map.of()));
    assertTrue(Double.isNaN(gil4j.get("cpu.threads2.speedup")));
    assertTrue(Double.isNaN(gil4j.get("cpu.processes2.speedup")));
    assertTrue(FidelityExperiment.convoyOfCpython(List.of()).isEmpty());
  }

  /**
   * Fed what its script and its runs print, every experiment fills every one of its rows on both
   * sides: no figure id is misspelt on either.
   */
  @Test
  void everyExperimentFillsEveryRowOnBothSides() {
    Map<String, ChildJava.Metric> everything =
        metrics(
            "wall_ms", "1000",
            "throughput_x", "2",
            "switches_per_s", "200",
            "median_run_ms", "5",
            "slowdown_x", "20",
            "round_trips_per_s_alone", "20000",
            "round_trips_per_s_beside_cpu_thread", "1000",
            "lock_speedup", "1",
            "lock_held_lock", "0.9",
            "rw_speedup", "1",
            "rw_held_read", "0.7",
            "rw_held_write", "0.1",
            "nested_speedup", "0.2",
            "nested_held_global", "0.5",
            "nested_held_stripe", "0.9",
            "synchronized_speedup", "0.2");
    for (FidelityExperiment e : FidelityExperiment.all()) {
      Map<String, Double> cpython = e.cpython().apply(printed(e.script()));
      Map<String, Double> gil4j =
          e.gil4j()
              .apply(
                  e.runs().stream()
                      .collect(Collectors.toMap(FidelityExperiment.JavaRun::id, r -> everything)));
      for (String id : e.figures().keySet()) {
        assertTrue(
            Double.isFinite(cpython.getOrDefault(id, Double.NaN)), e.name() + ": CPython " + id);
        assertTrue(Double.isFinite(gil4j.getOrDefault(id, Double.NaN)), e.name() + ": gil4j " + id);
      }
    }
  }

  @Test
  void theExperimentsAreTheReferencesWithCpuAndHandOffsAtTwoIntervalsAndLockContention() {
    assertEquals(
        List.of(
            "cpu scaling",
            "cpu scaling at switch=1ms",
            "blocking overlap",
            "hand-offs at switch=5ms",
            "hand-offs at switch=1ms",
            "convoy",
            "lock contention"),
        FidelityExperiment.all().stream().map(FidelityExperiment::name).toList());
    FidelityExperiment cpuAt1ms = FidelityExperiment.all().get(1);
    assertEquals(List.of("20000000", "3", "0.001", "threads"), cpuAt1ms.scriptArgs());
    assertTrue(cpuAt1ms.runs().stream().allMatch(r -> r.switchInterval().equals("1ms")));
    FidelityExperiment oneMs = FidelityExperiment.all().get(4);
    assertEquals(List.of("0.001"), oneMs.scriptArgs());
    assertEquals("1ms", oneMs.runs().get(0).switchInterval());
    assertEquals(24, FidelityExperiment.all().stream().mapToInt(e -> e.figures().size()).sum());
    for (FidelityExperiment e : FidelityExperiment.all()) {
      boolean cpu = e.script().equals("cpu_scaling.py");
      assertEquals(cpu ? e.scriptArgs().get(1) : "1", Integer.toString(e.javaRounds()), e.name());
    }
  }

  @Test
  void aRunsMetricIsItsLeastOverTheRoundsThatPrintedIt() {
    Map<String, ChildJava.Metric> fastest =
        Fidelity.fastest(
            List.of(
                Map.of("wall_ms", new ChildJava.Metric("wall_ms", 400, "ms")),
                Map.of(),
                Map.of(
                    "wall_ms", new ChildJava.Metric("wall_ms", 380, "ms"),
                    "threads", new ChildJava.Metric("threads", 2, "count")),
                Map.of("wall_ms", new ChildJava.Metric("wall_ms", 500, "ms"))));
    assertEquals(new ChildJava.Metric("wall_ms", 380, "ms"), fastest.get("wall_ms"));
    assertEquals(new ChildJava.Metric("threads", 2, "count"), fastest.get("threads"));
    assertTrue(Fidelity.fastest(List.of(Map.of(), Map.of())).isEmpty());
  }

  @Test
  void cpythonsNestedLocksStandForJavasSynchronizedTooAndHeldSharesKeepTheirLockNames() {
    Map<String, Double> cpython = FidelityExperiment.locksOfCpython(printed("locks.py"));
    assertEquals(0.21, cpython.get("locks.synchronized.speedup"));
    assertEquals(0.43, cpython.get("locks.nested.held_global"));
    assertEquals(0.05, cpython.get("locks.rw.held_write"));
  }

  @Test
  void everyRunsAgentOptionsTurnTheGilOnAndAreAccepted() {
    for (FidelityExperiment e : FidelityExperiment.all()) {
      for (FidelityExperiment.JavaRun r : e.runs()) {
        Options o = Options.parse(r.agentOptions());
        assertTrue(o.gil(), r.id());
        assertEquals("off", o.report(), r.id());
      }
    }
  }
}

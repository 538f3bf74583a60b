package dev.gil4j.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class FidelityResultsTest {
  private static final FidelityResults.Machine MACHINE =
      new FidelityResults.Machine(
          2,
          0.5,
          "Linux 6.1 amd64",
          "CPython 3.11.7",
          Path.of("/usr/bin/python3"),
          "Java 17.0.9 (VM)",
          0);
  private static final Path OUT = Path.of("/tmp/out");

  private static final List<FidelityRow> ROWS =
      List.of(
          new FidelityRow(
              "cpu.threads2.speedup", "cpu scaling", "2 threads speedup (x)", 0.95, 0.98),
          new FidelityRow(
              "switch5ms.switches_per_s", "hand-offs at switch=5ms", "switches/s", 191, 2000),
          new FidelityRow(
              "convoy.slowdown", "convoy", "slowdown, beside \"CPU\" (x)", 20.8, Double.NaN));

  private static FidelityResults results(String problem) {
    return new FidelityResults(
        MACHINE,
        ROWS,
        List.of(
            new FidelityResults.RunRecord(
                "cpython",
                "cpython-convoy",
                "python3 convoy.py",
                1500,
                null,
                OUT.resolve("logs/cpython-convoy.out"),
                0.5),
            new FidelityResults.RunRecord(
                "gil4j",
                "convoy",
                "Convoy --count 2000",
                60000,
                problem,
                OUT.resolve("logs/gil4j-convoy.out"),
                Double.NaN)),
        OUT);
  }

  @Test
  void theTableHasARowPerFigureWithRatioAndVerdictThenTheMachine() {
    List<String> lines = results(null).table().lines().toList();
    assertEquals(
        List.of("experiment", "figure", "CPython", "gil4j", "gil4j/CPython", "verdict"),
        List.of(lines.get(0).trim().split("\\s{2,}")));
    assertTrue(lines.get(1).matches("-+"));
    assertEquals(
        List.of("cpu scaling", "2 threads speedup (x)", "0.950", "0.980", "1.03x", "close"),
        List.of(lines.get(2).trim().split("\\s{2,}")));
    assertEquals(
        List.of("hand-offs at switch=5ms", "switches/s", "191.0", "2,000", "10.47x", "differs"),
        List.of(lines.get(3).trim().split("\\s{2,}")));
    assertEquals(
        List.of("convoy", "slowdown, beside \"CPU\" (x)", "20.80", "-", "-", "failed"),
        List.of(lines.get(4).trim().split("\\s{2,}")));
    assertEquals(
        "machine: 2 cores, load average up to 0.5, Linux 6.1 amd64; CPython 3.11.7 (/usr/bin/python3); Java 17.0.9 (VM)",
        lines.get(5));
    assertTrue(
        lines.get(6).startsWith("close: gil4j within 1.5x of CPython either way (0.67x to 1.50x)"));
  }

  @Test
  void aBusyMachineIsToldUnderTheTable() {
    FidelityResults.Machine busy =
        new FidelityResults.Machine(
            2, 12.34, "Linux", "CPython 3.11.7", Path.of("/usr/bin/python3"), "Java 17", 0);
    String table = new FidelityResults(busy, ROWS, List.of(), OUT).table();
    assertTrue(table.contains("machine: 2 cores, load average up to 12.3, Linux;"), table);
    assertTrue(
        table.contains(
            "busy: a load average of 12.3 on 2 cores: other processes took CPU from the runs and"
                + " distorted their timings; run again on a quieter machine\n"),
        table);
    assertFalse(results(null).table().contains("busy:"));
    FidelityResults.Machine unknown =
        new FidelityResults.Machine(
            2, Double.NaN, "Linux", "CPython 3.11.7", Path.of("/usr/bin/python3"), "Java 17", 0);
    String quiet = new FidelityResults(unknown, ROWS, List.of(), OUT).table();
    assertTrue(quiet.contains("load average up to unknown,"), quiet);
    assertFalse(quiet.contains("busy:"), quiet);
  }

  @Test
  void aLoadAskedForIsToldAndNotTakenForSomeoneElses() {
    FidelityResults.Machine loaded =
        new FidelityResults.Machine(
            2, 7.9, "Linux", "CPython 3.11.7", Path.of("/usr/bin/python3"), "Java 17", 4);
    FidelityResults results = new FidelityResults(loaded, ROWS, List.of(), OUT);
    String table = results.table();
    assertTrue(
        table.contains(
            "load: 4 CPU-bound processes ran beside every run (--load 4), on both sides\n"),
        table);
    assertFalse(table.contains("busy:"), table);
    assertTrue(results.json().contains("\"added_load\": 4"), results.json());
    FidelityResults.Machine busier =
        new FidelityResults.Machine(
            2, 8.5, "Linux", "CPython 3.11.7", Path.of("/usr/bin/python3"), "Java 17", 4);
    assertTrue(new FidelityResults(busier, ROWS, List.of(), OUT).table().contains("busy:"));
  }

  @Test
  void aFailedRunIsNamedUnderTheTableAndMakesTheResultsIncomplete() {
    FidelityResults failed = results("no end after 60 s; threads dumped to x.threads.txt");
    assertFalse(failed.complete());
    assertTrue(
        failed
            .table()
            .contains(
                "failed: gil4j Convoy --count 2000: no end after 60 s; threads dumped to"
                    + " x.threads.txt\n"));
    assertFalse(results(null).complete(), "a row without a figure is incomplete too");
    assertTrue(new FidelityResults(MACHINE, ROWS.subList(0, 2), List.of(), OUT).complete());
  }

  @Test
  void theCsvHasTheSameRowsUnroundedAndQuotedWhereNeeded() {
    assertEquals(
        String.join(
            "\n",
            "id,experiment,figure,cpython,gil4j,ratio,verdict",
            "cpu.threads2.speedup,cpu scaling,2 threads speedup (x),0.950000,0.980000,1.03158,close",
            "switch5ms.switches_per_s,hand-offs at switch=5ms,switches/s,191.000,2000.00,10.4712,differs",
            "convoy.slowdown,convoy,\"slowdown, beside \"\"CPU\"\" (x)\",20.8000,,,failed",
            ""),
        results(null).csv());
  }

  @Test
  void theJsonHasTheMachineTheRowsAndEveryRunWithLogsRelativeToTheOutput() {
    String json = results("exit status 1").json();
    assertTrue(json.contains("\"tool\": \"gil4j fidelity\""), json);
    assertTrue(json.contains("\"complete\": false"), json);
    assertTrue(json.contains("\"python\": \"CPython 3.11.7\""), json);
    assertTrue(json.contains("\"tolerance\": 1.5"), json);
    assertTrue(json.contains("\"load_average\": 0.5,"), json);
    assertTrue(
        json.contains(
            String.join(
                "\n",
                "    {",
                "      \"id\": \"cpu.threads2.speedup\",",
                "      \"experiment\": \"cpu scaling\",",
                "      \"figure\": \"2 threads speedup (x)\",",
                "      \"cpython\": 0.95,",
                "      \"gil4j\": 0.98,",
                "      \"ratio\": 1.03158,",
                "      \"verdict\": \"close\"",
                "    }")),
        json);
    assertTrue(
        json.contains("\"gil4j\": null,\n      \"ratio\": null,\n      \"verdict\": \"failed\""),
        json);
    assertTrue(
        json.contains("\"log\": \"logs/gil4j-convoy.out\",\n      \"problem\": \"exit status 1\""),
        json);
  }
}

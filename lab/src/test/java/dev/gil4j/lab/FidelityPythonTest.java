package dev.gil4j.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FidelityPythonTest {
  @Test
  void readsTheFlatObjectsTheScriptsPrint() {
    Map<String, Object> o =
        FidelityPython.parseObject(
            "{\"mode\": \"threads\", \"n\": 2, \"wall_s\": 0.822, \"speedup\": 0.548}");
    Map<String, Object> expected = new LinkedHashMap<>();
    expected.put("mode", "threads");
    expected.put("n", 2.0);
    expected.put("wall_s", 0.822);
    expected.put("speedup", 0.548);
    assertEquals(expected, o);
    assertEquals(List.copyOf(expected.keySet()), List.copyOf(o.keySet()));
  }

  @Test
  void readsEscapesExponentsLiteralsAndEmptyObjects() {
    Map<String, Object> o =
        FidelityPython.parseObject(
            "{\"a\\\"b\": \"x\\\\y\\u00e9\", \"e\": -1.5e-3, \"t\": true, \"f\": false, \"z\": null}");
    assertEquals("x\\yé", o.get("a\"b"));
    assertEquals(-0.0015, o.get("e"));
    assertEquals(Boolean.TRUE, o.get("t"));
    assertEquals(Boolean.FALSE, o.get("f"));
    assertTrue(o.containsKey("z"));
    assertNull(o.get("z"));
    assertTrue(FidelityPython.parseObject("  { }  ").isEmpty());
  }

  @Test
  void refusesWhatIsNotAFlatObject() {
    for (String bad :
        List.of(
            "{\"n\": 2",
            "{\"n\": [1, 2]}",
            "{\"n\": {\"m\": 1}}",
            "{n: 1}",
            "{\"n\": 1} trailing",
            "{\"s\": \"unterminated}",
            "[1]")) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> FidelityPython.parseObject(bad));
      assertTrue(e.getMessage().startsWith("not a flat JSON object ("), e.getMessage());
    }
  }

  @Test
  void saysWhereEachThreadOfAHungScriptWas() {
    Path scripts = Path.of("/tmp/gil4j-cpython-1");
    List<String> dump =
        Arrays.asList(
            "Timeout (0:00:02)!",
            "Thread 0x00007f22c24116c0 (most recent call first):",
            "  File \"/tmp/gil4j-cpython-1/cpu_scaling.py\", line 8 in countdown",
            "  File \"/usr/lib/python3.11/threading.py\", line 982 in run",
            "",
            "Thread 0x00007f22c39c5b80 (most recent call first):",
            "  File \"/usr/lib/python3.11/threading.py\", line 1139 in _wait_for_tstate_lock",
            "  File \"/usr/lib/python3.11/threading.py\", line 1119 in join",
            "  File \"/tmp/gil4j-cpython-1/cpu_scaling.py\", line 16 in run_threads",
            "  File \"<frozen runpy>\", line 88 in _run_code",
            "",
            "Thread 0x00007f22c39c5b99 (most recent call first):",
            "  File \"/usr/lib/python3.11/socket.py\", line 705 in readinto");
    assertEquals(
        "cpu_scaling.py line 8 in countdown; cpu_scaling.py line 16 in run_threads;"
            + " socket.py line 705 in readinto",
        FidelityPython.where(dump, scripts));
    assertEquals("", FidelityPython.where(List.of("Traceback:", "oops"), scripts));
  }

  @Test
  void findsTheFirstExecutableOfThatNameOnThePath(@TempDir Path dir) throws IOException {
    Path empty = Files.createDirectory(dir.resolve("empty"));
    Path notExecutable = Files.createDirectory(dir.resolve("plain"));
    Files.createFile(notExecutable.resolve("python3"));
    Path bin = Files.createDirectory(dir.resolve("bin"));
    Path python = Files.createFile(bin.resolve("python3"));
    Files.setPosixFilePermissions(python, PosixFilePermissions.fromString("rwxr-xr-x"));
    String path =
        String.join(
            java.io.File.pathSeparator,
            empty.toString(),
            notExecutable.toString(),
            "",
            bin.toString());
    assertEquals(Optional.of(python), FidelityPython.onPath(path, List.of("python3")));
    assertEquals(Optional.empty(), FidelityPython.onPath(empty.toString(), List.of("python3")));
    assertEquals(Optional.empty(), FidelityPython.onPath(null, List.of("python3")));
  }

  @Test
  void theScriptsTravelInTheJar(@TempDir Path dir) throws IOException {
    FidelityPython.extractScripts(dir);
    for (String script : FidelityPython.SCRIPTS) {
      String text = Files.readString(dir.resolve(script));
      assertTrue(text.startsWith("\"\"\""), script + " starts with its docstring");
      assertTrue(text.contains("json.dumps"), script + " prints JSON");
    }
  }

  @Test
  void aProgramThatIsNotPython3IsRefusedWithWhatItSaid() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> FidelityPython.probe(Path.of("/bin/false"), Duration.ofSeconds(10)));
    assertEquals("/bin/false is not a working Python 3 (exit status 1)", e.getMessage());
  }

  @Test
  void aScriptRunsToItsEndAndItsObjectsAreRead(@TempDir Path dir) throws Exception {
    FidelityPython python = python3();
    Path script =
        Files.writeString(
            dir.resolve("ok.py"),
            String.join(
                "\n",
                "import json, sys",
                "print('a line for people')",
                "print(json.dumps({'n': int(sys.argv[1]), 'name': __name__}))",
                ""));
    FidelityPython.Result r =
        python.run(script, List.of("7"), dir.resolve("ok"), Duration.ofSeconds(30));
    assertTrue(r.ok(), () -> "exit " + r.exit());
    assertNull(r.problem());
    assertEquals(List.of(Map.of("n", 7.0, "name", "__main__")), r.objects());
  }

  @Test
  void aHungScriptIsStoppedAndSaysWhereItHung(@TempDir Path dir) throws Exception {
    FidelityPython python = python3();
    Path script =
        Files.writeString(
            dir.resolve("stuck.py"),
            String.join(
                "\n",
                "import json, time",
                "print(json.dumps({'started': True}))",
                "def wait_forever():",
                "    while True:",
                "        time.sleep(0.05)",
                "wait_forever()",
                ""));
    long start = System.nanoTime();
    FidelityPython.Result r =
        python.run(script, List.of(), dir.resolve("stuck"), Duration.ofSeconds(2));
    double seconds = (System.nanoTime() - start) / 1e9;
    assertTrue(r.hung());
    assertFalse(r.ok());
    assertTrue(seconds < 15, "stopped by the watchdog, not the backstop: " + seconds + " s");
    assertEquals("stuck.py line 5 in wait_forever", r.where());
    assertTrue(
        r.problem()
            .matches(
                "no end after \\d+ s, hung at stuck.py line 5 in wait_forever;"
                    + " stacks in .*stuck\\.err"),
        r.problem());
    assertEquals(List.of(Map.of("started", true)), r.objects(), "what it printed before");
  }

  private static FidelityPython python3() throws IOException {
    Optional<Path> path = FidelityPython.onPath(System.getenv("PATH"), List.of("python3"));
    assumeTrue(path.isPresent(), "python3 is not on the PATH");
    return FidelityPython.probe(path.get(), Duration.ofSeconds(30));
  }
}

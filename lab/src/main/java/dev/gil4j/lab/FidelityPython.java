package dev.gil4j.lab;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CPython that {@code fidelity} compares gil4j with: where it is, which version it is, and the
 * reference experiments run on it — scripts that travel in the agent jar and print one flat JSON
 * object per line.
 *
 * <p><b>Guarantees.</b> A script never runs longer than the timeout: Python's own watchdog ({@code
 * faulthandler.dump_traceback_later}) writes every thread's stack to its stderr and ends it then,
 * so that {@link Result#problem()} can say in which line of which script it hung; should even that
 * fail, the process and its children are killed a little later.
 */
final class FidelityPython {
  /** The experiments, as resources beside this class, in the order they run. */
  static final List<String> SCRIPTS =
      List.of("cpu_scaling.py", "io_scaling.py", "switch_runs.py", "convoy.py", "locks.py");

  private static final String RESOURCES = "cpython/";

  /**
   * Arms the watchdog, then runs the script as {@code __main__} with its own arguments, as {@code
   * python3 script.py args} would (multiprocessing children included).
   */
  private static final String WATCHDOG =
      "import faulthandler, runpy, sys;"
          + " faulthandler.dump_traceback_later(float(sys.argv[1]), exit=True);"
          + " sys.argv = sys.argv[2:];"
          + " runpy.run_path(sys.argv[0], run_name='__main__')";

  private static final String PROBE =
      "import platform; print(platform.python_implementation(), platform.python_version())";

  /** How much longer than its own watchdog a script may take before it is killed. */
  private static final Duration BACKSTOP = Duration.ofSeconds(15);

  private static final Pattern FRAME =
      Pattern.compile("^\\s*File \"([^\"]+)\", line (\\d+) in (.+)$");

  private final Path python;
  private final String version;

  private FidelityPython(Path python, String version) {
    this.python = python;
    this.version = version;
  }

  /** The interpreter that runs the scripts. */
  Path path() {
    return python;
  }

  /** Its implementation and version, e.g. {@code CPython 3.11.7}. */
  String version() {
    return version;
  }

  /** The first of {@code names} in the directories of {@code path}, a {@code PATH} value. */
  static Optional<Path> onPath(String path, List<String> names) {
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      for (String name : names) {
        Path candidate = Path.of(dir, name);
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          return Optional.of(candidate);
        }
      }
    }
    return Optional.empty();
  }

  /**
   * Asks {@code python} what it is.
   *
   * @throws IllegalArgumentException if it does not run, or is not a Python 3
   */
  static FidelityPython probe(Path python, Duration timeout) throws IOException {
    Process p;
    try {
      p =
          new ProcessBuilder(python.toString(), "-c", PROBE)
              .redirectErrorStream(true)
              .redirectInput(ProcessBuilder.Redirect.from(ChildJava.nullDevice()))
              .start();
    } catch (IOException e) {
      throw new IllegalArgumentException(python + " does not run: " + e.getMessage(), e);
    }
    String said;
    try {
      p.getOutputStream().close();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        ChildJava.kill(p);
        throw new IllegalArgumentException(
            python + " did not answer within " + timeout.toSeconds() + " s");
      }
      said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    } catch (InterruptedException e) {
      ChildJava.kill(p);
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while asking " + python + " its version", e);
    }
    if (p.exitValue() != 0 || !said.matches("\\S+ 3\\.\\d+.*")) {
      String first = said.lines().findFirst().orElse("").trim();
      throw new IllegalArgumentException(
          python
              + " is not a working Python 3 (exit status "
              + p.exitValue()
              + (first.isEmpty() ? "" : ": " + first)
              + ")");
    }
    return new FidelityPython(python, said);
  }

  /** Copies the scripts out of the agent jar into {@code dir}. */
  static void extractScripts(Path dir) throws IOException {
    for (String script : SCRIPTS) {
      try (InputStream in = FidelityPython.class.getResourceAsStream(RESOURCES + script)) {
        if (in == null) {
          throw new IOException(
              "the CPython script " + script + " is missing from the agent jar; rebuild it");
        }
        Files.copy(in, dir.resolve(script), StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  /**
   * How a script ended.
   *
   * @param exit its exit status; -1 if it had to be killed
   * @param hung whether it outlived the timeout
   * @param wallMs from start to end
   * @param objects the JSON objects it printed, one per line, in order
   * @param stderr the file its stderr went to
   * @param where for a hung script, the innermost line of a script that each thread was in
   */
  record Result(
      int exit,
      boolean hung,
      double wallMs,
      List<Map<String, Object>> objects,
      Path stderr,
      String where) {

    boolean ok() {
      return !hung && exit == 0;
    }

    /** What went wrong, in a few words and a file to read; null if nothing did. */
    String problem() throws IOException {
      if (hung) {
        return "no end after "
            + Math.round(wallMs / 1000)
            + " s"
            + (where.isEmpty() ? "" : ", hung at " + where)
            + "; stacks in "
            + stderr;
      }
      return exit == 0
          ? null
          : "exit status " + exit + ChildJava.lastLine(stderr) + " (log " + stderr + ")";
    }
  }

  /**
   * Runs {@code script} with {@code args} to its end or the timeout; its output goes to {@code
   * base.out} and {@code base.err}.
   */
  Result run(Path script, List<String> args, Path base, Duration timeout)
      throws IOException, InterruptedException {
    Path out = base.resolveSibling(base.getFileName() + ".out");
    Path err = base.resolveSibling(base.getFileName() + ".err");
    List<String> command = new ArrayList<>();
    command.add(python.toString());
    // unbuffered: the lines printed before a watchdog's exit must reach the file
    command.add("-u");
    command.add("-c");
    command.add(WATCHDOG);
    command.add(String.format(Locale.ROOT, "%.3f", timeout.toMillis() / 1000.0));
    command.add(script.toString());
    command.addAll(args);
    Process p =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(ChildJava.nullDevice()))
            .start();
    long began = System.nanoTime();
    boolean ended;
    try {
      ended = p.waitFor(timeout.plus(BACKSTOP).toMillis(), TimeUnit.MILLISECONDS);
    } finally {
      // the multiprocessing children of a script that died or was stopped
      ChildJava.kill(p);
    }
    double wallMs = (System.nanoTime() - began) / 1e6;
    List<String> errLines = ChildJava.lines(err);
    boolean watchdog = !errLines.isEmpty() && errLines.get(0).startsWith("Timeout (");
    List<Map<String, Object>> objects = new ArrayList<>();
    for (String line : ChildJava.lines(out)) {
      if (line.trim().startsWith("{")) {
        try {
          objects.add(parseObject(line));
        } catch (IllegalArgumentException e) {
          // a line cut short by the watchdog; the figures it held are reported missing
        }
      }
    }
    return new Result(
        ended ? p.exitValue() : -1,
        !ended || watchdog,
        wallMs,
        List.copyOf(objects),
        err,
        where(errLines, script.getParent()));
  }

  /**
   * From faulthandler's dump of every thread's stack, each thread's innermost line in a file under
   * {@code scripts} ({@code cpu_scaling.py line 8 in countdown}), else its innermost line.
   */
  static String where(List<String> dump, Path scripts) {
    Set<String> places = new LinkedHashSet<>();
    String innermost = null;
    String inScript = null;
    for (String line : dump) {
      Matcher m = FRAME.matcher(line);
      if (m.matches()) {
        String place =
            Path.of(m.group(1)).getFileName() + " line " + m.group(2) + " in " + m.group(3);
        if (innermost == null) {
          innermost = place;
        }
        if (inScript == null && scripts != null && Path.of(m.group(1)).startsWith(scripts)) {
          inScript = place;
        }
      } else if (innermost != null) {
        places.add(inScript != null ? inScript : innermost);
        innermost = null;
        inScript = null;
      }
    }
    if (innermost != null) {
      places.add(inScript != null ? inScript : innermost);
    }
    return String.join("; ", places);
  }

  /**
   * One flat JSON object — string keys; string, number, boolean or null values — as a map in key
   * order, numbers as {@link Double}.
   *
   * @throws IllegalArgumentException if the line is not such an object
   */
  static Map<String, Object> parseObject(String line) {
    Object value;
    try {
      value = Json.parse(line);
    } catch (IllegalArgumentException e) {
      throw notFlat(e.getMessage(), line);
    }
    if (!(value instanceof Map<?, ?> members)) {
      throw notFlat("not an object", line);
    }
    Map<String, Object> object = new LinkedHashMap<>();
    for (Map.Entry<?, ?> m : members.entrySet()) {
      Object v = m.getValue();
      if (v instanceof Map || v instanceof List) {
        throw notFlat("a nested value at key '" + m.getKey() + "'", line);
      }
      object.put((String) m.getKey(), v instanceof Long n ? (Object) n.doubleValue() : v);
    }
    return object;
  }

  private static IllegalArgumentException notFlat(String why, String line) {
    return new IllegalArgumentException("not a flat JSON object (" + why + "): " + line);
  }
}

package dev.gil4j.lab;

import dev.gil4j.options.Durations;
import dev.gil4j.options.Options;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/**
 * The command line of {@code scale}: what to sweep and where the results go, then {@code --} and
 * the application's own java arguments with their {@code {threads}} and {@code {workers}}
 * placeholders. Parsed once; every problem is one line naming the option, the value and what is
 * accepted.
 *
 * @param threads the thread counts, ascending, each put where {@code {threads}} is
 * @param modes the GIL settings, in the order given
 * @param repeat measured runs per configuration
 * @param warmup unmeasured runs before a configuration's measured ones
 * @param timeout how long one run may take before it is dumped and killed
 * @param out the directory results go to
 * @param metric the {@code gil4j-metric} to compare, or null for {@code wall_ms} if the application
 *     prints it, else its first metric, else the run's own wall time
 * @param agent agent options added to every mode's, or empty
 * @param java the java launcher for the children
 * @param jfr whether every run also writes a JFR recording ({@code --jfr})
 * @param application the java arguments after {@code --}
 */
public record ScaleOptions(
    List<Integer> threads,
    List<Mode> modes,
    int repeat,
    int warmup,
    Duration timeout,
    Path out,
    String metric,
    Boolean lowerIsBetter,
    String agent,
    Path java,
    boolean jfr,
    List<String> application) {

  static final String THREADS = "{threads}";
  static final String WORKERS = "{workers}";

  /** Agent options that the modes and the sweep itself set, so that --agent may not. */
  private static final List<String> MODE_KEYS =
      List.of("gil", "switch", "policy", "ticks", "tokens", "report", "jfr", "summary");

  static final String USAGE =
      String.join(
          System.lineSeparator(),
          "usage: java -jar gil4j-agent.jar scale [options] -- <java arguments of the application>",
          "  --threads 1,2,4,8   thread counts, put where the arguments say {threads} (default"
              + " 1,2,4)",
          "  --modes LIST        GIL settings (default nogil,gil:5ms): " + Mode.ACCEPTED,
          "                      procs runs the work on processes: {workers} becomes 'processes'"
              + " (else 'threads')",
          "  --repeat N          measured runs per configuration, 1..100 (default 3)",
          "  --warmup N          unmeasured runs before each configuration's, 0..10 (default 0)",
          "  --timeout DURATION  per run, then its threads are dumped and it is killed (default"
              + " 5m)",
          "  --out DIR           results.csv, results.json, report.html, logs (default"
              + " gil4j-scale)",
          "  --metric NAME[:lower|:higher]  the gil4j-metric to compare and which way is better",
          "                      (default wall_ms, else the first printed, else the run's wall"
              + " time)",
          "  --agent OPTIONS     agent options added to every mode's, e.g. include=com.acme.*",
          "  --java PATH         java launcher for the runs (default: this JVM's)",
          "  --jfr               also record every run with JFR into recordings/ (open them with"
              + " report or JMC);",
          "                      JFR's own threads and compilations disturb the measured work:"
              + " short runs slow down",
          "An application reports its figure by printing 'gil4j-metric <name> <value> <unit>';"
              + " time units",
          "(ns, us, ms, s) mean lower is better, any other unit higher is better.");

  /** Reads the command line after {@code scale}; throws with one line saying what is wrong. */
  static ScaleOptions parse(String[] args) {
    int dashes = Arrays.asList(args).indexOf("--");
    if (dashes < 0) {
      throw new IllegalArgumentException(
          "missing '--' before the application's java arguments, e.g. scale --threads 1,2 -- -cp"
              + " app.jar com.acme.Main --threads {threads}");
    }
    List<String> application = List.of(Arrays.copyOfRange(args, dashes + 1, args.length));
    if (application.isEmpty()) {
      throw new IllegalArgumentException(
          "nothing after '--': give the application's java arguments (class path, main class,"
              + " its arguments)");
    }
    List<Integer> threads = List.of(1, 2, 4);
    List<Mode> modes = null;
    int repeat = 3;
    int warmup = 0;
    Duration timeout = Duration.ofMinutes(5);
    Path out = Path.of("gil4j-scale");
    String metric = null;
    Boolean lowerIsBetter = null;
    String agent = "";
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    boolean jfr = false;
    for (int i = 0; i < dashes; i++) {
      String option = args[i];
      if (option.equals("--jfr")) {
        jfr = true;
        continue;
      }
      String value;
      int eq = option.indexOf('=');
      if (option.startsWith("--") && eq > 0) {
        value = option.substring(eq + 1);
        option = option.substring(0, eq);
      } else if (i + 1 < dashes) {
        value = args[++i];
      } else {
        throw new IllegalArgumentException(
            option.startsWith("--")
                ? "option " + option + " needs a value"
                : "unexpected argument '" + option + "' before '--'");
      }
      switch (option) {
        case "--threads" -> threads = threads(value);
        case "--modes" -> modes = Mode.parseList(value);
        case "--repeat" -> repeat = integer(option, value, 1, 100);
        case "--warmup" -> warmup = integer(option, value, 0, 10);
        case "--timeout" ->
            timeout = duration(option, value, Duration.ofMillis(100), Duration.ofHours(24));
        case "--out" -> out = Path.of(value);
        case "--metric" -> {
          String[] parts = value.split(":", 2);
          metric = metricName(value, parts[0]);
          lowerIsBetter = parts.length == 1 ? null : direction(value, parts[1]);
        }
        case "--agent" -> agent = value;
        case "--java" -> java = launcher(value);
        case "--jfr" ->
            throw new IllegalArgumentException(
                "bad --jfr '" + value + "'; accepted: --jfr alone, without a value");
        default ->
            throw new IllegalArgumentException(
                "unknown option '"
                    + option
                    + "'; accepted: --threads, --modes, --repeat, --warmup, --timeout, --out,"
                    + " --metric, --agent, --java, --jfr");
      }
    }
    if (modes == null) {
      modes = Mode.parseList("nogil,gil:5ms");
    }
    String joined = String.join(" ", application);
    if (threads.size() > 1 && !joined.contains(THREADS)) {
      throw new IllegalArgumentException(
          "the application's arguments have no "
              + THREADS
              + " placeholder, so every thread count would run the same thing; add one, e.g."
              + " --threads {threads}");
    }
    if (modes.stream().anyMatch(Mode::processes) && !joined.contains(WORKERS)) {
      throw new IllegalArgumentException(
          "mode procs needs a "
              + WORKERS
              + " placeholder in the application's arguments (it becomes 'processes', else"
              + " 'threads'), e.g. --workers {workers}");
    }
    for (String option : agent.isEmpty() ? new String[0] : agent.split(",")) {
      String key = option.split("=", 2)[0];
      if (MODE_KEYS.contains(key)) {
        throw new IllegalArgumentException(
            "bad --agent '"
                + agent
                + "': "
                + key
                + " is set by --modes and by scale itself; --agent takes the other options"
                + " (profile, include, exclude, keepgil, and jfc with --jfr)");
      }
      if (key.equals("jfc") && !jfr) {
        throw new IllegalArgumentException(
            "bad --agent '"
                + agent
                + "': jfc needs --jfr, the recordings whose JFR settings it sets");
      }
    }
    for (Mode mode : modes) {
      // The recording's own file is made per run; any file in an existing directory stands for it.
      String combined =
          combined(mode, agent)
              + (jfr ? ",jfr=" + Path.of(System.getProperty("java.io.tmpdir"), "run.jfr") : "");
      try {
        Options.parse(combined);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("bad --agent '" + agent + "': " + e.getMessage(), e);
      }
    }
    if (Files.exists(out) && !Files.isDirectory(out)) {
      throw new IllegalArgumentException("bad --out '" + out + "': a file, not a directory");
    }
    return new ScaleOptions(
        threads,
        modes,
        repeat,
        warmup,
        timeout,
        out,
        metric,
        lowerIsBetter,
        agent,
        java,
        jfr,
        application);
  }

  /** The agent options of {@code mode} with the user's {@code --agent} options after them. */
  static String combined(Mode mode, String agent) {
    return agent.isEmpty() ? mode.agentOptions() : mode.agentOptions() + "," + agent;
  }

  /** The application's arguments for one configuration. */
  List<String> applicationFor(Mode mode, int n) {
    List<String> out = new ArrayList<>();
    for (String arg : application) {
      out.add(
          arg.replace(THREADS, Integer.toString(n))
              .replace(WORKERS, mode.processes() ? "processes" : "threads"));
    }
    return out;
  }

  private static List<Integer> threads(String value) {
    TreeSet<Integer> counts = new TreeSet<>();
    for (String part : value.split(",", -1)) {
      counts.add(integer("--threads", part.trim(), 1, 4096));
    }
    return List.copyOf(counts);
  }

  private static int integer(String option, String value, int min, int max) {
    try {
      int n = Integer.parseInt(value);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below with the accepted range
    }
    throw new IllegalArgumentException(
        "bad " + option + " '" + value + "'; accepted: integers from " + min + " to " + max);
  }

  /**
   * A duration such as {@code 90s}, {@code 5m}, {@code 500ms} or {@code 1h} from {@code min} to
   * {@code max}; otherwise one line naming the option, the value and the range. Shared by the lab's
   * commands.
   */
  static Duration duration(String option, String value, Duration min, Duration max) {
    try {
      return Duration.ofNanos(Durations.parse(value, min.toNanos(), max.toNanos()));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "bad " + option + " '" + value + "'; accepted: " + e.getMessage() + ", e.g. 90s, 5m");
    }
  }

  private static String metricName(String value, String name) {
    if (!name.matches("[A-Za-z0-9_.\\-]+")) {
      throw new IllegalArgumentException(
          "bad --metric '"
              + value
              + "'; accepted: a metric name such as wall_ms, optionally"
              + " with :lower or :higher (which is better)");
    }
    return name;
  }

  private static Boolean direction(String value, String word) {
    return switch (word) {
      case "lower" -> true;
      case "higher" -> false;
      default ->
          throw new IllegalArgumentException(
              "bad --metric '"
                  + value
                  + "'; accepted after the name: :lower or :higher (which is"
                  + " better)");
    };
  }

  private static Path launcher(String value) {
    Path java = Path.of(value);
    if (Files.isDirectory(java)) {
      java = java.resolve("bin").resolve("java");
    }
    if (!Files.isExecutable(java)) {
      throw new IllegalArgumentException(
          "bad --java '" + value + "'; accepted: a java launcher or a JDK directory");
    }
    return java;
  }
}

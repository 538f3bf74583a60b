package dev.gil4j.options;

import java.io.File;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The agent's options, {@code key=value} pairs separated by commas, list values separated by {@code
 * |}. Parsed once, validated with a message that names the option, the bad value and what is
 * accepted. Immutable.
 *
 * @param gil whether the GIL is imposed ({@code gil=on|off})
 * @param policy {@code cpython} or {@code ticks}
 * @param switchNanos CPython's switch interval, in nanoseconds
 * @param ticks {@code policy=ticks}: checkpoints between release and re-take
 * @param tokens how many threads may hold the GIL at once
 * @param profile whether the application's locks are swapped for profiled ones ({@code
 *     profile=on|off})
 * @param include class-name globs to instrument; empty means every non-JDK, non-agent class
 * @param exclude class-name globs never to instrument
 * @param keepgil globs over {@code pkg.Class.method} naming libraries' native methods that keep the
 *     GIL even while asleep; every other native method of a non-JDK class may release it
 * @param report where the exit report goes: {@code stderr}, {@code off}, or a file path
 * @param jfr the JFR recording to write at exit, or null for none
 * @param jfc JFR settings laid over gil4j's own for that recording, or null
 * @param summary the machine-readable summary (JSON) to write at exit, or null for none
 */
public record Options(
    boolean gil,
    String policy,
    long switchNanos,
    int ticks,
    int tokens,
    boolean profile,
    List<String> include,
    List<String> exclude,
    List<String> keepgil,
    String report,
    String jfr,
    String jfc,
    String summary) {

  /** CPython's: the new GIL, a 5 ms switch interval, one token; profiling on. */
  public static final Options DEFAULTS =
      new Options(
          true,
          "cpython",
          5_000_000L,
          100,
          1,
          true,
          List.of(),
          List.of(),
          List.of(),
          "stderr",
          null,
          null,
          null);

  /** The policies {@code policy=} accepts. */
  public static final List<String> POLICIES = List.of("cpython", "ticks");

  /**
   * The options, their defaults and accepted values, as {@code gil4j-agent.jar options} prints
   * them.
   */
  public static final String HELP =
      String.join(
          System.lineSeparator(),
          "gil4j agent options: -javaagent:gil4j-agent.jar=key=value,key=value,...",
          "  gil=on|off          impose the simulated GIL (default on)",
          "  switch=DURATION     CPython's switch interval, 1us..10s: 5ms, 500us, 0.005s (default"
              + " 5ms)",
          "  policy=cpython|ticks  new GIL with forced switching (default), or Python 2's check"
              + " interval",
          "  ticks=N             policy=ticks: checkpoints between release and re-take, 1.."
              + Integer.MAX_VALUE
              + " (default 100)",
          "  tokens=K            at most K threads run at once, 1..1024 (default 1: the GIL)",
          "  profile=on|off      record the application's lock waits per creation site (default"
              + " on)",
          "  include=GLOB|GLOB   classes to instrument (default: every non-JDK, non-agent class)",
          "  exclude=GLOB|GLOB   classes never to instrument; * matches any characters",
          "  keepgil=GLOB|GLOB   libraries' native methods (pkg.Class.method) that keep the GIL"
              + " while asleep (default: none; every other one releases it when it sleeps)",
          "  report=stderr|off|FILE  where the exit report goes (default stderr)",
          "  jfr=FILE            record gil4j's and the JDK's lock, park, sleep and I/O events to"
              + " FILE, written at exit",
          "  jfc=FILE            JFR settings laid over gil4j's for that recording (thresholds,"
              + " periods)",
          "  summary=FILE        write the GIL's shares and hand-offs and the locks' waits to FILE"
              + " as JSON at exit",
          "  In FILE, %p becomes the process id; multiprocessing's children write FILE with"
              + " -%p added.");

  /** Every option key, in the order `options` lists them. */
  public static final List<String> KEYS =
      List.of(
          "gil", "switch", "policy", "ticks", "tokens", "profile", "include", "exclude", "keepgil",
          "report", "jfr", "jfc", "summary");

  /**
   * Parses an option string; {@code null} or empty gives the defaults.
   *
   * @throws IllegalArgumentException with a one-line message naming the option, the value and what
   *     is accepted
   */
  public static Options parse(String text) {
    boolean gil = DEFAULTS.gil;
    String policy = DEFAULTS.policy;
    long switchNanos = DEFAULTS.switchNanos;
    int ticks = DEFAULTS.ticks;
    int tokens = DEFAULTS.tokens;
    boolean profile = DEFAULTS.profile;
    List<String> include = DEFAULTS.include;
    List<String> exclude = DEFAULTS.exclude;
    List<String> keepgil = DEFAULTS.keepgil;
    String report = DEFAULTS.report;
    String jfr = DEFAULTS.jfr;
    String jfc = DEFAULTS.jfc;
    String summary = DEFAULTS.summary;
    Set<String> seen = new HashSet<>();
    for (String pair : text == null || text.isBlank() ? new String[0] : text.split(",", -1)) {
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(
            "bad option '" + pair + "': expected key=value; keys: " + String.join(", ", KEYS));
      }
      String key = pair.substring(0, eq).trim();
      String value = pair.substring(eq + 1).trim();
      if (!KEYS.contains(key)) {
        throw new IllegalArgumentException(
            "unknown option '" + key + "'; accepted: " + String.join(", ", KEYS));
      }
      if (!seen.add(key)) {
        throw new IllegalArgumentException("option '" + key + "' given twice");
      }
      switch (key) {
        case "gil" -> gil = onOff(key, value);
        case "switch" -> switchNanos = duration(key, value, 1_000L, 10_000_000_000L);
        case "policy" -> policy = policy(value);
        case "ticks" -> ticks = integer(key, value, 1, Integer.MAX_VALUE);
        case "tokens" -> tokens = integer(key, value, 1, 1024);
        case "profile" -> profile = onOff(key, value);
        case "include" -> include = globs(key, value);
        case "exclude" -> exclude = globs(key, value);
        case "keepgil" -> keepgil = globs(key, value);
        case "report" ->
            report = value.equals("stderr") || value.equals("off") ? value : outputFile(key, value);
        case "jfr" -> jfr = outputFile(key, value);
        case "jfc" -> jfc = inputFile(key, value);
        case "summary" -> summary = outputFile(key, value);
        default -> throw new IllegalStateException(key);
      }
    }
    if (jfc != null && jfr == null) {
      throw new IllegalArgumentException(
          "option jfc needs option jfr: the settings apply to the recording jfr=FILE writes");
    }
    return new Options(
        gil,
        policy,
        switchNanos,
        ticks,
        tokens,
        profile,
        include,
        exclude,
        keepgil,
        report,
        jfr,
        jfc,
        summary);
  }

  private static boolean onOff(String key, String value) {
    switch (value.toLowerCase(Locale.ROOT)) {
      case "on":
      case "true":
        return true;
      case "off":
      case "false":
        return false;
      default:
        throw bad(key, value, "on or off");
    }
  }

  private static long duration(String key, String value, long min, long max) {
    try {
      return Durations.parse(value, min, max);
    } catch (IllegalArgumentException e) {
      throw bad(key, value, e.getMessage() + " (e.g. 5ms, 500us, 0.005s)");
    }
  }

  private static String policy(String value) {
    if (!POLICIES.contains(value)) {
      throw bad("policy", value, String.join(" or ", POLICIES));
    }
    return value;
  }

  private static int integer(String key, String value, int min, int max) {
    long n;
    try {
      n = Long.parseLong(value);
    } catch (NumberFormatException e) {
      n = Long.MIN_VALUE;
    }
    if (n < min || n > max) {
      throw bad(key, value, "a whole number from " + min + " to " + max);
    }
    return (int) n;
  }

  private static List<String> globs(String key, String value) {
    List<String> out = new ArrayList<>();
    for (String g : value.split("\\|", -1)) {
      if (g.isBlank() || !g.matches("[A-Za-z0-9_$.*?]+")) {
        throw bad(
            key,
            value,
            (key.equals("keepgil") ? "method-name globs (pkg.Class.method)" : "class-name globs")
                + " separated by | (letters, digits, _ $ . and * ? only)");
      }
      out.add(g.trim());
    }
    return List.copyOf(out);
  }

  /**
   * A file to write at exit: its directory must exist now, so that nothing is lost then. {@code %p}
   * in its name becomes this JVM's process id, as in JFR's own {@code filename=}, so that processes
   * started with the same options (multiprocessing's children) write files of their own.
   */
  private static String outputFile(String key, String value) {
    value = value.replace("%p", Long.toString(ProcessHandle.current().pid()));
    if (value.isEmpty()) {
      throw bad(key, value, key.equals("report") ? "stderr, off, or a file path" : "a file path");
    }
    File parent = new File(value).getAbsoluteFile().getParentFile();
    if (parent == null || !parent.isDirectory()) {
      throw bad(
          key,
          value,
          (key.equals("report") ? "stderr, off, or a file" : "a file")
              + " in an existing directory");
    }
    return value;
  }

  private static String inputFile(String key, String value) {
    if (!new File(value).isFile()) {
      throw bad(key, value, "an existing JFR settings file (.jfc)");
    }
    return value;
  }

  private static IllegalArgumentException bad(String key, String value, String accepted) {
    return new IllegalArgumentException(
        "bad value for option " + key + ": '" + value + "'; accepted: " + accepted);
  }

  /** What is in force, as the start-up line says it. */
  public String describe() {
    StringBuilder s = new StringBuilder();
    if (gil) {
      s.append("gil=on policy=").append(policy);
      if (policy.equals("ticks")) {
        s.append(" ticks=").append(ticks);
      } else {
        s.append(" switch=").append(Durations.format(switchNanos));
      }
      s.append(" tokens=").append(tokens);
    } else {
      s.append("gil=off");
    }
    s.append(" profile=").append(profile ? "on" : "off");
    if (!include.isEmpty()) {
      s.append(" include=").append(String.join("|", include));
    }
    if (!exclude.isEmpty()) {
      s.append(" exclude=").append(String.join("|", exclude));
    }
    if (!keepgil.isEmpty()) {
      s.append(" keepgil=").append(String.join("|", keepgil));
    }
    s.append(" report=").append(report);
    if (jfr != null) {
      s.append(" jfr=").append(jfr);
    }
    if (jfc != null) {
      s.append(" jfc=").append(jfc);
    }
    if (summary != null) {
      s.append(" summary=").append(summary);
    }
    return s.toString();
  }
}

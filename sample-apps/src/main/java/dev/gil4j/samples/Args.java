package dev.gil4j.samples;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The command line of a sample program: values given by position, as {@code --name value} or as
 * {@code --name=value}, in any mix.
 *
 * <p>Every problem — an unknown option, a missing value, a value out of range — ends the program
 * with exit status 2 and one line on stderr that names the program, the problem and the usage.
 * {@code -h} or {@code --help} prints the usage on stdout and exits with status 0.
 */
final class Args {
  private final String program;
  private final String usage;
  private final Map<String, String> given;

  private Args(String program, String usage, Map<String, String> given) {
    this.program = program;
    this.usage = usage;
    this.given = given;
  }

  /**
   * Reads {@code argv}; positional values fill {@code names} in order.
   *
   * @param usage the accepted arguments, for example {@code "CpuBound [threads] [work]"}
   */
  static Args parse(String program, String usage, String[] argv, String... names) {
    List<String> accepted = Arrays.asList(names);
    Map<String, String> given = new HashMap<>();
    Args args = new Args(program, usage, given);
    int position = 0;
    for (int i = 0; i < argv.length; i++) {
      String arg = argv[i];
      if (arg.equals("-h") || arg.equals("--help")) {
        System.out.println("usage: " + usage);
        System.exit(0);
      }
      String name;
      String value;
      if (arg.startsWith("--")) {
        int eq = arg.indexOf('=');
        name = eq < 0 ? arg.substring(2) : arg.substring(2, eq);
        if (!accepted.contains(name)) {
          throw args.fail(
              "unknown option '" + arg + "' (accepted: --" + String.join(", --", names) + ")");
        }
        if (eq >= 0) {
          value = arg.substring(eq + 1);
        } else if (i + 1 < argv.length) {
          value = argv[++i];
        } else {
          throw args.fail("option --" + name + " needs a value");
        }
      } else {
        if (position >= names.length) {
          throw args.fail(
              "unexpected argument '" + arg + "' (at most " + names.length + " positional)");
        }
        name = names[position++];
        value = arg;
      }
      if (given.put(name, value) != null) {
        throw args.fail(name + " given twice");
      }
    }
    return args;
  }

  /** The integer value of {@code name}, {@code fallback} when absent. */
  int intValue(String name, int fallback, int min, int max) {
    return (int) longValue(name, fallback, min, max);
  }

  /** The long value of {@code name}, {@code fallback} when absent; {@code _} separators allowed. */
  long longValue(String name, long fallback, long min, long max) {
    String text = given.get(name);
    if (text == null) {
      return fallback;
    }
    try {
      long value = Long.parseLong(text.replace("_", ""));
      if (value >= min && value <= max) {
        return value;
      }
    } catch (NumberFormatException e) {
      // reported below with the accepted range
    }
    throw fail("bad " + name + " '" + text + "': expected an integer from " + min + " to " + max);
  }

  /** The value of {@code name} as given, {@code fallback} when absent. */
  String text(String name, String fallback) {
    return given.getOrDefault(name, fallback);
  }

  /** Ends the program as a bad argument does when {@code name} is given without {@code needed}. */
  void requireWith(String name, String needed) {
    if (given.containsKey(name) && !given.containsKey(needed)) {
      throw fail("--" + name + " needs --" + needed);
    }
  }

  /** The value of {@code name}, which must be one of {@code accepted}. */
  String choice(String name, String fallback, String... accepted) {
    String text = given.getOrDefault(name, fallback);
    if (!Arrays.asList(accepted).contains(text)) {
      throw fail("bad " + name + " '" + text + "': expected one of " + String.join(", ", accepted));
    }
    return text;
  }

  /** The comma-separated values of {@code name}, each one of {@code accepted}, at least one. */
  List<String> choices(String name, String fallback, List<String> accepted) {
    String text = given.getOrDefault(name, fallback);
    List<String> values = Arrays.asList(text.split(",", -1));
    if (values.isEmpty() || !accepted.containsAll(values)) {
      throw fail(
          "bad "
              + name
              + " '"
              + text
              + "': expected one or more of "
              + String.join(", ", accepted)
              + ", separated by commas");
    }
    return values;
  }

  /**
   * The duration value of {@code name}: a number with an optional unit {@code us}, {@code ms} or
   * {@code s} (the default), such as {@code 2}, {@code 1.5s} or {@code 500ms}.
   */
  Duration duration(String name, Duration fallback, Duration min, Duration max) {
    String text = given.get(name);
    if (text == null) {
      return fallback;
    }
    String lower = text.trim().toLowerCase(Locale.ROOT);
    double unitNanos = 1e9;
    String number = lower;
    if (lower.endsWith("us")) {
      unitNanos = 1e3;
      number = lower.substring(0, lower.length() - 2);
    } else if (lower.endsWith("ms")) {
      unitNanos = 1e6;
      number = lower.substring(0, lower.length() - 2);
    } else if (lower.endsWith("s")) {
      number = lower.substring(0, lower.length() - 1);
    }
    try {
      double nanos = Double.parseDouble(number) * unitNanos;
      if (nanos >= min.toNanos() && nanos <= max.toNanos()) {
        return Duration.ofNanos(Math.round(nanos));
      }
    } catch (NumberFormatException e) {
      // reported below with the accepted range
    }
    throw fail(
        "bad "
            + name
            + " '"
            + text
            + "': expected a duration such as 2s, 1.5s or 500ms, from "
            + seconds(min)
            + " to "
            + seconds(max));
  }

  private static String seconds(Duration duration) {
    return Metrics.format(duration.toNanos() / 1e9) + "s";
  }

  /**
   * Ends the program with status 2 and one line on stderr naming the problem and the usage. Returns
   * an exception only so that callers can write {@code throw fail(...)} where the compiler needs an
   * end to the path; {@link System#exit} does not return.
   */
  private IllegalArgumentException fail(String problem) {
    System.err.println(program + ": " + problem + "; usage: " + usage);
    System.exit(2);
    return new IllegalArgumentException(problem);
  }
}

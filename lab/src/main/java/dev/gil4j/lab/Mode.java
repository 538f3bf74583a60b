package dev.gil4j.lab;

import dev.gil4j.options.Options;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One GIL setting of a sweep, as written after {@code --modes}: what the child JVM's agent options
 * are, and whether the application's work runs on processes instead of threads.
 *
 * @param name as the user wrote it, e.g. {@code gil:1ms}
 * @param agentOptions the agent options this mode stands for, e.g. {@code gil=on,switch=1ms}
 * @param processes whether {@code {workers}} becomes {@code processes} (mode {@code procs})
 */
public record Mode(String name, String agentOptions, boolean processes) {

  static final String ACCEPTED =
      "nogil, gil, gil:DURATION (e.g. gil:5ms, gil:500us), ticks:N, tokens:K, procs";

  private static final Pattern FORM = Pattern.compile("([a-z]+)(?::(.+))?");

  /** Reads a comma-separated list of modes; throws with one line naming the bad one. */
  static List<Mode> parseList(String text) {
    List<Mode> modes = new ArrayList<>();
    for (String part : text.split(",", -1)) {
      Mode mode = parse(part.trim());
      if (modes.stream().anyMatch(m -> m.name.equals(mode.name))) {
        throw new IllegalArgumentException("mode '" + mode.name + "' given twice in --modes");
      }
      modes.add(mode);
    }
    return List.copyOf(modes);
  }

  static Mode parse(String text) {
    Mode mode = form(text);
    try {
      Options.parse(mode.agentOptions);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "bad mode '" + text + "' in --modes: " + e.getMessage(), e);
    }
    return mode;
  }

  private static Mode form(String text) {
    Matcher m = FORM.matcher(text.toLowerCase(Locale.ROOT));
    if (m.matches()) {
      String value = m.group(2);
      switch (m.group(1)) {
        case "nogil":
          if (value == null) {
            return new Mode(text, "gil=off", false);
          }
          break;
        case "gil":
          if (value == null) {
            return new Mode(text, "gil=on", false);
          }
          if (value.matches("[0-9]+(\\.[0-9]+)?(us|ms|s)")) {
            return new Mode(text, "gil=on,switch=" + value, false);
          }
          break;
        case "ticks":
          if (value != null && value.matches("[1-9][0-9]{0,8}")) {
            return new Mode(text, "gil=on,policy=ticks,ticks=" + value, false);
          }
          break;
        case "tokens":
          if (value != null && value.matches("[1-9][0-9]{0,3}")) {
            return new Mode(text, "gil=on,tokens=" + value, false);
          }
          break;
        case "procs":
          if (value == null) {
            return new Mode(text, "gil=on", true);
          }
          break;
        default:
          break;
      }
    }
    throw new IllegalArgumentException("bad mode '" + text + "' in --modes; accepted: " + ACCEPTED);
  }

  /** The mode's name made safe for a file name: {@code gil:1ms} becomes {@code gil-1ms}. */
  String fileName() {
    return name.replaceAll("[^A-Za-z0-9.]+", "-");
  }

  /** Whether the mode imposes a GIL, so that its recording has GIL statistics. */
  boolean gil() {
    return !agentOptions.startsWith("gil=off");
  }
}

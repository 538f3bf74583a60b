package dev.gil4j.benchmarks.internal;

import java.util.Collection;

/**
 * The command-line arguments of a benchmark's {@code main}, read flag by flag. A bad argument ends
 * the JVM with status 2 and one line on stderr, {@code PROGRAM: PROBLEM; usage: PROGRAM USAGE},
 * before anything is measured.
 */
public final class Args {
  private final String program;
  private final String usage;
  private final String[] args;
  private int next;

  /** The arguments {@code args} of {@code program}, whose accepted form is {@code usage}. */
  public Args(String program, String usage, String[] args) {
    this.program = program;
    this.usage = usage;
    this.args = args;
  }

  /** Whether an argument is left. */
  public boolean hasNext() {
    return next < args.length;
  }

  /** The next argument. */
  public String next() {
    return args[next++];
  }

  /** The value following {@code flag}. */
  public String value(String flag) {
    if (!hasNext()) {
      fail(flag + " needs a value");
    }
    return next();
  }

  /** The value following {@code flag}, an integer of at least {@code min}. */
  public int intValue(String flag, int min) {
    String v = value(flag);
    try {
      int n = Integer.parseInt(v);
      if (n >= min) {
        return n;
      }
    } catch (NumberFormatException e) {
      // said below
    }
    fail(flag + " must be an integer of at least " + min + "; got " + v);
    return min;
  }

  /** Fails unless every one of {@code values} is among {@code accepted}. */
  public void checkAll(String flag, Collection<String> values, Collection<String> accepted) {
    for (String v : values) {
      if (!accepted.contains(v)) {
        fail("unknown " + flag + " value " + v + "; accepted: " + String.join(", ", accepted));
      }
    }
  }

  /** Prints {@code problem} and the usage on one line, and exits with status 2. */
  public void fail(String problem) {
    System.err.println(program + ": " + problem + "; usage: " + program + " " + usage);
    System.exit(2);
  }
}

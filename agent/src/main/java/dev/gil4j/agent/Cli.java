package dev.gil4j.agent;

import java.io.PrintStream;

/** The command-line tool behind {@code java -jar agent/target/gil4j-agent.jar <command> …}. */
public final class Cli {
  static final String USAGE =
      String.join(
          System.lineSeparator(),
          "usage: java -jar gil4j-agent.jar <command> [arguments]",
          "       java -javaagent:gil4j-agent.jar[=OPTIONS] ... (see 'options')",
          "commands:",
          "  options   the agent's options, their defaults and accepted values",
          "  help      this text");

  private Cli() {}

  /** Runs one command; returns the exit status (2 for bad usage). */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0 || args[0].equals("help") || args[0].equals("--help")) {
      out.println(USAGE);
      return args.length == 0 ? 2 : 0;
    }
    switch (args[0]) {
      case "options":
        out.println(Options.HELP);
        return 0;
      default:
        err.println("gil4j: unknown command '" + args[0] + "'; accepted: options, help");
        return 2;
    }
  }
}

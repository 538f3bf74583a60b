package dev.gil4j.agent;

import dev.gil4j.analysis.ReportCommand;
import dev.gil4j.lab.Demo;
import dev.gil4j.lab.FidelityCommand;
import dev.gil4j.lab.ScaleCommand;
import dev.gil4j.options.Options;
import java.io.PrintStream;
import java.util.Arrays;

/** The command-line tool behind {@code java -jar agent/target/gil4j-agent.jar <command> …}. */
public final class Cli {
  static final String USAGE =
      String.join(
          System.lineSeparator(),
          "usage: java -jar gil4j-agent.jar <command> [arguments]",
          "       java -javaagent:gil4j-agent.jar[=OPTIONS] ... (see 'options')",
          "commands:",
          "  options   the agent's options, their defaults and accepted values",
          "  demo      the GIL's story told by the bundled sample apps, in under a minute",
          "  scale [options] -- <java arguments>",
          "            run an application at several thread counts and GIL settings, and project",
          "            its scaling ('scale --help')",
          "  fidelity  CPython's GIL experiments beside gil4j's, side by side ('fidelity --help')",
          "  report FILE.jfr [--html OUT.html]",
          "            locks ranked by wait, GIL load per thread, from a recording",
          "  profile <pid> [--duration 30s] [--out FILE.jfr] [--html FILE.html]",
          "            attach to a running JVM (gil=off), record its lock contention for the",
          "            duration or until Ctrl-C, detach, and print the report",
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
      case "report":
        return ReportCommand.run(Arrays.copyOfRange(args, 1, args.length), out, err);
      case "profile":
        return ProfileCommand.run(Arrays.copyOfRange(args, 1, args.length), out, err);
      case "demo":
        return Demo.run(Arrays.copyOfRange(args, 1, args.length), out, err);
      case "scale":
        return ScaleCommand.run(Arrays.copyOfRange(args, 1, args.length), out, err);
      case "fidelity":
        return FidelityCommand.run(Arrays.copyOfRange(args, 1, args.length), out, err);
      default:
        err.println(
            "gil4j: unknown command '"
                + args[0]
                + "'; accepted: options, demo, scale, fidelity, report, profile, help");
        return 2;
    }
  }
}

package dev.gil4j.analysis;

import dev.gil4j.analysis.rules.Gil4jRules;
import dev.gil4j.profiler.AtomicFiles;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code java -jar gil4j-agent.jar report FILE.jfr [--html OUT.html]}: reads a JFR recording and
 * prints gil4j's text report on stdout (locks ranked by total wait with p50/p99/max and owner
 * threads, the GIL's load per thread, revocations, pipes, gil4j's JMC rules); with {@code --html},
 * also writes the self-contained HTML report.
 *
 * <p><b>Guarantees.</b> Bad input — no FILE, a missing file, a file that is not a JFR recording, a
 * corrupt or truncated one, an unknown option, {@code --html} without a file or into a missing
 * directory — prints one line on stderr, starting {@code gil4j: report:}, that names the problem
 * and what is accepted, and returns 2 with nothing written. OUT.html is written to a temporary file
 * in its directory and moved into place, so it is whole or absent. JMC's parser failing on a file
 * that the JDK reads drops only the rules section.
 */
public final class ReportCommand {
  static final String USAGE = "report FILE.jfr [--html OUT.html]";

  /**
   * JMC's parser logs a warning for each field it does not know in a newer JDK's recording (JDK
   * 25's {@code thread.virtual}); the report's stderr is for problems with its input. Held here,
   * because the logging framework keeps loggers only weakly.
   */
  private static final Logger JMC_LOG = Logger.getLogger("org.openjdk.jmc");

  private ReportCommand() {}

  /**
   * Runs the command.
   *
   * @param args the arguments after {@code report}
   * @return the exit status: 0, or 2 for bad input
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    Path file = null;
    Path html = null;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--help") || a.equals("-h")) {
        out.println("usage: java -jar gil4j-agent.jar " + USAGE);
        return 0;
      } else if (a.equals("--html")) {
        if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
          return fail(err, "--html needs a file name (--html OUT.html)");
        }
        html = Path.of(args[++i]);
      } else if (a.startsWith("--html=")) {
        html = Path.of(a.substring("--html=".length()));
      } else if (a.startsWith("-")) {
        return fail(err, "unknown option '" + a + "'; accepted: --html OUT.html");
      } else if (file == null) {
        file = Path.of(a);
      } else {
        return fail(err, "unexpected argument '" + a + "'; one FILE.jfr is accepted");
      }
    }
    if (file == null) {
      return fail(err, "no recording given");
    }
    if (html != null) {
      Path dir = html.toAbsolutePath().getParent();
      if (html.toString().isEmpty() || dir == null || !Files.isDirectory(dir)) {
        return fail(err, "cannot write --html " + html + ": no such directory " + dir);
      }
      if (Files.isDirectory(html)) {
        return fail(err, "cannot write --html " + html + ": it is a directory");
      }
    }
    RecordingSummary summary;
    try {
      summary = RecordingSummary.read(file);
    } catch (RecordingSummary.UnreadableRecordingException e) {
      return fail(err, e.getMessage());
    }
    List<Gil4jRules.Outcome> rules;
    JMC_LOG.setLevel(Level.SEVERE);
    try {
      rules = Gil4jRules.evaluate(file);
    } catch (IOException | RuntimeException e) {
      err.println("gil4j: report: JMC rules not run: " + e.getMessage());
      rules = List.of();
    }
    if (html != null) {
      try {
        AtomicFiles.writeString(html, HtmlReport.render(summary, rules));
      } catch (IOException e) {
        return fail(err, "cannot write --html " + html + ": " + e);
      }
    }
    out.print(TextReport.format(summary, rules));
    if (html != null) {
      out.println();
      out.println("HTML report: " + html);
    }
    out.flush();
    return 0;
  }

  private static int fail(PrintStream err, String problem) {
    err.println("gil4j: report: " + problem + "; usage: " + USAGE);
    err.flush();
    return 2;
  }
}

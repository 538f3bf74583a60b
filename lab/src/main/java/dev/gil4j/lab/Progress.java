package dev.gil4j.lab;

import java.io.PrintStream;

/**
 * The sweep's progress on stderr: runs done of all, the run under way, and the time left at the
 * pace so far. On a terminal one line is redrawn in place; elsewhere (a log, CI) a line per run.
 */
final class Progress {
  private static final int BAR = 24;

  private final PrintStream err;
  private final int total;
  private final boolean terminal = System.console() != null;
  private int done;
  private double spentMs;
  private String current = "";

  Progress(PrintStream err, int total) {
    this.err = err;
    this.total = total;
  }

  synchronized void starting(String what) {
    current = what;
    if (terminal) {
      err.print("\r" + line() + "\033[K");
      err.flush();
    }
  }

  synchronized void finished(double wallMs) {
    done++;
    spentMs += wallMs;
    if (!terminal) {
      err.println(line() + " (" + seconds(wallMs) + ")");
    }
  }

  synchronized void done() {
    if (terminal) {
      err.print("\r" + line() + "\033[K\n");
      err.flush();
    }
  }

  private String line() {
    int filled = total == 0 ? BAR : done * BAR / total;
    String bar = "#".repeat(filled) + ".".repeat(BAR - filled);
    String eta = done == 0 ? "?" : seconds(spentMs / done * (total - done));
    return String.format(
        "gil4j scale: [%s] %d/%d runs, ETA %s: %s", bar, done, total, eta, current);
  }

  private static String seconds(double ms) {
    long s = Math.round(ms / 1000);
    return s >= 60 ? (s / 60) + "m" + String.format("%02d", s % 60) + "s" : s + "s";
  }
}

package dev.gil4j.lab;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * CPU-bound processes kept running beside {@code fidelity}'s runs ({@code --load N}), so that the
 * two sides can be compared on a loaded machine: a busy machine changes who wins the races of a
 * hand-off — CPython's convoy all but vanished under four spinning processes on 2 cores (2.9–7.8x
 * against 180–290x idle), and an earlier gil4j kept it at 4.3–45x. Each is the Python being
 * compared, spinning until it is stopped or its parent goes: one killed with the JVM leaves none
 * behind.
 */
final class CpuLoad implements AutoCloseable {
  private static final String SPIN =
      "import os\nparent = os.getppid()\nwhile os.getppid() == parent:\n    pass\n";

  private final List<Process> processes = new ArrayList<>();
  private final Thread onExit = new Thread(this::stop, "gil4j-fidelity-load");

  private CpuLoad() {}

  /** Starts {@code n} spinning processes of {@code python}; none when {@code n} is 0. */
  static CpuLoad start(Path python, int n) throws IOException {
    CpuLoad load = new CpuLoad();
    if (n == 0) {
      return load;
    }
    Runtime.getRuntime().addShutdownHook(load.onExit);
    try {
      for (int i = 0; i < n; i++) {
        load.processes.add(
            new ProcessBuilder(python.toString(), "-c", SPIN)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start());
      }
    } catch (IOException e) {
      load.close();
      throw new IOException("could not start the --load processes: " + e.getMessage(), e);
    }
    return load;
  }

  /** Stops them and waits until they are gone. */
  @Override
  public void close() {
    if (processes.isEmpty()) {
      return;
    }
    stop();
    try {
      Runtime.getRuntime().removeShutdownHook(onExit);
    } catch (IllegalStateException e) {
      // shutting down already: the hook stops them
    }
  }

  private void stop() {
    for (Process p : processes) {
      p.destroyForcibly();
    }
    for (Process p : processes) {
      try {
        p.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}

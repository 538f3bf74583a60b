package dev.gil4j.profiler.jfr;

import dev.gil4j.profiler.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Configuration;
import jdk.jfr.FlightRecorder;
import jdk.jfr.FlightRecorderListener;
import jdk.jfr.Recording;
import jdk.jfr.RecordingState;

/**
 * The recording behind the agent's {@code jfr=FILE} option: gil4j's events plus the JDK's, recorded
 * from launch and written to FILE when the JVM exits.
 *
 * <p><b>Assumptions and guarantees.</b> Settings are layered: the JDK's {@code default}, then
 * {@code gil4j.jfc} (shipped beside this class), then the user's {@code .jfc}, if any, so a user
 * file needs only the settings it changes. FILE is written at every orderly exit — {@code main}
 * returns, {@code System.exit}, SIGTERM, SIGINT — and by {@link #close}; never half-written: JFR
 * writes a temporary file in FILE's directory, which is then moved over FILE atomically (where the
 * file system allows). {@code Runtime.halt}, SIGKILL or a crash leave FILE as it was. The recording
 * keeps everything on disk (JFR's repository) until then: no size or age limit.
 *
 * <p>Design: at exit, JFR's own shutdown hook stops every recording and then deletes its
 * repository; a dump from another hook would race with that. So JFR's hook does the writing (the
 * recording is "dump on exit" to the temporary file), and its end-of-chunk hooks write gil4j's last
 * partial period ({@link FlushEvent}); a listener moves the file when the recording reports
 * stopped, and gil4j's own hook only waits for that, so the JVM does not exit in between.
 *
 * <p>Example use:
 *
 * <pre>{@code
 * JfrEvents.install(...);
 * AgentRecording.start(Path.of("app.jfr"), null); // written at exit
 * }</pre>
 */
public final class AgentRecording implements AutoCloseable {
  /** The settings file shipped in the jar, a resource beside this class. */
  public static final String SETTINGS_RESOURCE = "gil4j.jfc";

  private static final long EXIT_WAIT_SECONDS = 60;

  private final Recording recording;
  private final Path file;
  private final Path temp;
  private final CountDownLatch written = new CountDownLatch(1);
  private final Thread exitHook;
  private volatile FlightRecorderListener listener;
  private volatile IOException failure;

  private AgentRecording(Recording recording, Path file, Path temp) {
    this.recording = recording;
    this.file = file;
    this.temp = temp;
    this.exitHook = new Thread(this::awaitWritten, "gil4j: JFR recording writer");
  }

  /**
   * The settings the recording uses: the JDK's {@code default}, then {@code gil4j.jfc}, then {@code
   * jfc} if not null. Reads files only; starts nothing.
   *
   * @throws IOException if {@code jfc} cannot be read
   * @throws ParseException if {@code jfc} is not a JFR settings file
   */
  public static Map<String, String> settings(Path jfc) throws IOException, ParseException {
    Map<String, String> settings =
        new LinkedHashMap<>(Configuration.getConfiguration("default").getSettings());
    try (InputStream in = AgentRecording.class.getResourceAsStream(SETTINGS_RESOURCE);
        Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
      settings.putAll(Configuration.create(r).getSettings());
    }
    if (jfc != null) {
      settings.putAll(Configuration.create(jfc).getSettings());
    }
    return settings;
  }

  /**
   * Starts recording now; FILE is written at exit, or by {@link #close}. Call {@link
   * JfrEvents#install} first, so gil4j's periodic events are part of it.
   *
   * @param file where the recording goes; its directory must exist and be writable
   * @param jfc a JFR settings file applied on top of gil4j's, or {@code null}
   * @throws IOException if FILE's directory is missing or not writable, or {@code jfc} unreadable
   * @throws ParseException if {@code jfc} is not a JFR settings file
   */
  public static AgentRecording start(Path file, Path jfc) throws IOException, ParseException {
    Path target = file.toAbsolutePath().normalize();
    Path dir = target.getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      throw new NoSuchFileException(String.valueOf(dir), null, "directory for jfr=FILE not found");
    }
    if (!Files.isWritable(dir)) {
      throw new IOException("directory for jfr=FILE is not writable: " + dir);
    }
    Map<String, String> settings = settings(jfc);
    Path temp =
        dir.resolve("." + target.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
    Recording recording = new Recording(settings);
    recording.setName("gil4j");
    recording.setToDisk(true);
    recording.setDumpOnExit(true);
    recording.setDestination(temp);
    AgentRecording r = new AgentRecording(recording, target, temp);
    r.listener =
        new FlightRecorderListener() {
          @Override
          public void recordingStateChanged(Recording changed) {
            // JFR reports STOPPED after it has written the destination, on the stopping thread.
            if (changed == recording && changed.getState() == RecordingState.STOPPED) {
              r.moveIntoPlace();
            }
          }
        };
    FlightRecorder.addListener(r.listener);
    Runtime.getRuntime().addShutdownHook(r.exitHook);
    recording.start();
    return r;
  }

  /** Where the recording is written. */
  public Path file() {
    return file;
  }

  /**
   * Stops recording and writes FILE now, returning when it is in place; later calls do nothing.
   *
   * @throws IOException if FILE could not be written
   */
  @Override
  public void close() throws IOException {
    try {
      Runtime.getRuntime().removeShutdownHook(exitHook);
    } catch (IllegalStateException exiting) {
      // The JVM is exiting: the hooks write FILE.
    }
    if (recording.getState() == RecordingState.RUNNING) {
      recording.stop();
    }
    try {
      written.await(EXIT_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (failure != null) {
      throw failure;
    }
    if (written.getCount() > 0) {
      throw new IOException("JFR did not write the recording " + file);
    }
  }

  private void moveIntoPlace() {
    try {
      AtomicFiles.moveIntoPlace(temp, file);
    } catch (IOException e) {
      failure = e;
    } finally {
      FlightRecorder.removeListener(listener);
      written.countDown();
    }
  }

  private void awaitWritten() {
    try {
      if (!written.await(EXIT_WAIT_SECONDS, TimeUnit.SECONDS)) {
        System.err.println("gil4j: JFR did not write the recording " + file + " at exit");
      } else if (failure != null) {
        System.err.println("gil4j: could not write the recording " + file + ": " + failure);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

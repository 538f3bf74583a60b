package dev.gil4j.runtime.internal;

import dev.gil4j.profiler.Monitors;
import dev.gil4j.profiler.Pipes;
import dev.gil4j.profiler.locks.Parks;
import dev.gil4j.runtime.Hooks;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Contention profiling behind {@link Hooks}: monitors to {@link Monitors}, parks to {@link Parks},
 * pipes to {@link Pipes}. Installed by the agent when {@code profile=on}, with the GIL on or off.
 */
public final class ProfilingHooks implements Hooks.Profiling {
  /** The one instance: it has no state of its own. */
  public static final ProfilingHooks INSTANCE = new ProfilingHooks();

  private ProfilingHooks() {}

  @Override
  public long monitorArrive(Object monitor) {
    return Monitors.arrive(monitor);
  }

  @Override
  public void monitorEntered(Object monitor, long arrived, String where) {
    Monitors.entered(monitor, arrived, where);
  }

  @Override
  public void objectWaited(Object monitor, long startNanos, String where) {
    Monitors.waited(monitor, startNanos, where);
  }

  @Override
  public long parkBegins(Object blocker) {
    return Parks.begins(blocker);
  }

  @Override
  public void parkEnded(Object blocker, long stamp) {
    Parks.ended(blocker, stamp);
  }

  @Override
  public void nioPipeOpened(Object source, Object sink) {
    Pipes.nioPipeOpened(source, sink);
  }

  @Override
  public void pipedStreamCreated(Object pipedInputStream) {
    Pipes.pipedStreamCreated(pipedInputStream);
  }

  @Override
  public void processStarted(OutputStream stdin, InputStream stdout, InputStream stderr) {
    Pipes.processStarted(stdin, stdout, stderr);
  }

  @Override
  public boolean pipeReadBegins(Object end) {
    return Pipes.readBegins(end);
  }

  @Override
  public boolean pipeWriteBegins(Object end) {
    return Pipes.writeBegins(end);
  }

  @Override
  public void pipeEnds(long bytes) {
    Pipes.ends(bytes);
  }
}

package dev.gil4j.multiprocessing;

import java.io.Serializable;

/**
 * What a child {@link Process} runs: Python's {@code target} with its {@code args}, which a Java
 * lambda captures. The task is serialized in the parent and deserialized in the child, so it and
 * everything it captures must be serializable (a lambda whose target type is {@code Task} is); the
 * {@link Pipe} ends and {@link Queue}s it captures are re-created in the child, connected to the
 * parent.
 *
 * <p>A task that returns ends its process with exit code 0, after the non-daemon threads it started
 * have ended; one that throws ends it with exit code 1, after printing {@code Process <name>:} and
 * the stack trace on stderr; {@link System#exit} ends it with its status, as {@code sys.exit} does
 * in Python.
 */
@FunctionalInterface
public interface Task extends Serializable {
  /** Runs in the child process. */
  void run() throws Exception;
}

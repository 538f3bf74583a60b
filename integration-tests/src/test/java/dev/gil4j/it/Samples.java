package dev.gil4j.it;

import dev.gil4j.testkit.Child;
import dev.gil4j.testkit.Jdk;
import java.nio.file.Path;
import java.util.List;

/**
 * The sample apps that the tests fork, built by the sample-apps module: {@link #child} is a {@link
 * Child} of {@code dev.gil4j.samples.<simpleName>}, to be given the agent and arguments.
 *
 * <p><b>Example use.</b>
 *
 * <pre>{@code
 * ChildRun run = Samples.child(jdk, "CpuBound").withAgent("switch=1ms").withArgs("2", "100").run();
 * run.assertSucceeded();
 * double wallMs = run.metric("wall_ms");
 * }</pre>
 */
public final class Samples {
  /** The package of the sample apps. */
  public static final String PACKAGE = "dev.gil4j.samples";

  private static final Path CLASSES =
      Path.of(System.getProperty("gil4j.sampleClasses", "../sample-apps/target/classes"))
          .toAbsolutePath()
          .normalize();

  private Samples() {}

  /** The sample app {@code dev.gil4j.samples.<simpleName>} on {@code jdk}, without the agent. */
  public static Child child(Jdk jdk, String simpleName) {
    return Child.java(jdk, List.of(CLASSES), PACKAGE + "." + simpleName);
  }

  /** The sample apps' classes. */
  public static Path classes() {
    return CLASSES;
  }
}

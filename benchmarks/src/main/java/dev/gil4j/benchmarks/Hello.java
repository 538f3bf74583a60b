package dev.gil4j.benchmarks;

/**
 * Hello world: the program whose start-up {@link StartupSuite} times, with and without the agent.
 * All it costs is the JVM's start and the agent's.
 */
public final class Hello {
  private Hello() {}

  public static void main(String[] args) {
    System.out.println("hello");
  }
}

package dev.gil4j.gil;

import java.util.concurrent.TimeUnit;

/**
 * What the GIL does, fixed for the life of the JVM. Immutable: {@code with…} methods return a new
 * value.
 *
 * @param policy when the holder lets others run
 * @param switchIntervalNanos CPython's {@code sys.setswitchinterval}: how long a waiter waits
 *     before asking the holder to drop (policy {@code cpython})
 * @param ticks checkpoints between release-and-re-take (policy {@code ticks})
 * @param tokens how many threads may hold the GIL at once; 1 is CPython's GIL, K answers "what if
 *     this ran on K cores"
 */
public record GilConfig(Policy policy, long switchIntervalNanos, int ticks, int tokens) {

  /** CPython's defaults: the new GIL, a 5 ms switch interval, one token. */
  public static final GilConfig CPYTHON = new GilConfig(Policy.CPYTHON, 5_000_000L, 100, 1);

  public GilConfig {
    if (policy == null) {
      throw new IllegalArgumentException("policy must not be null");
    }
    if (switchIntervalNanos < 1_000) {
      throw new IllegalArgumentException("switch interval must be at least 1us");
    }
    if (ticks < 1) {
      throw new IllegalArgumentException("ticks must be at least 1");
    }
    if (tokens < 1) {
      throw new IllegalArgumentException("tokens must be at least 1");
    }
  }

  public GilConfig withPolicy(Policy p) {
    return new GilConfig(p, switchIntervalNanos, ticks, tokens);
  }

  public GilConfig withSwitchInterval(long amount, TimeUnit unit) {
    return new GilConfig(policy, unit.toNanos(amount), ticks, tokens);
  }

  public GilConfig withTicks(int n) {
    return new GilConfig(policy, switchIntervalNanos, n, tokens);
  }

  public GilConfig withTokens(int k) {
    return new GilConfig(policy, switchIntervalNanos, ticks, k);
  }
}

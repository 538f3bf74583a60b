package dev.gil4j.gil;

import java.util.Locale;

/** How the GIL decides when its holder must let another thread run. */
public enum Policy {
  /**
   * CPython 3.2+'s "new GIL" ({@code Python/ceval_gil.c}): a waiter that sees no hand-off during
   * one switch interval asks the holder to drop; a holder that drops on request waits until another
   * thread has taken the GIL (forced switching).
   */
  CPYTHON,
  /**
   * CPython 2's check interval ({@code sys.setcheckinterval}): the holder releases and at once
   * re-takes the GIL every {@code ticks} checkpoints, with no forced switching. On a multi-core
   * machine the releasing thread usually wins again, and waiters wake only to lose: the "GIL
   * battle" that makes two CPU-bound threads slower than one.
   */
  TICKS;

  /** The name the {@code policy=} option uses. */
  public String optionName() {
    return name().toLowerCase(Locale.ROOT);
  }
}

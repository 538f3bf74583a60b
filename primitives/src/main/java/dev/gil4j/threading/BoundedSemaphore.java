package dev.gil4j.threading;

/**
 * Python's {@code threading.BoundedSemaphore}: a {@link Semaphore} whose value may never exceed its
 * initial value.
 *
 * <p><b>Assumptions and guarantees.</b> As {@link Semaphore}'s, and: a {@link #release(int)} that
 * would raise the value above the initial value throws {@link IllegalArgumentException} ("Semaphore
 * released too many times"; Python's {@code ValueError}) and changes nothing. The check and the
 * increment are one atomic step. Waits and holds are recorded under kind {@code BoundedSemaphore}.
 */
public class BoundedSemaphore extends Semaphore {
  private final int initialValue;

  /** A bounded semaphore with value and bound 1. */
  public BoundedSemaphore() {
    this(1);
  }

  /**
   * A bounded semaphore with value and bound {@code value}.
   *
   * @throws IllegalArgumentException if {@code value < 0}
   */
  public BoundedSemaphore(int value) {
    super(value, value, "BoundedSemaphore");
    this.initialValue = value;
  }

  /**
   * Python's repr: {@code <dev.gil4j.threading.BoundedSemaphore at 0x1b6d3586: value=2/3>}, the
   * current value over the initial one.
   */
  @Override
  public String toString() {
    return "<"
        + getClass().getName()
        + " at 0x"
        + Integer.toHexString(System.identityHashCode(this))
        + ": value="
        + value()
        + "/"
        + initialValue
        + ">";
  }
}

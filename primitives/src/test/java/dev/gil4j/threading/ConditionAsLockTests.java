package dev.gil4j.threading;

/**
 * CPython's {@code test_threading.ConditionAsRLockTests}: a {@link Condition} exports its lock's
 * {@code acquire}, {@code release} and {@code with}, so the lock tests run on {@code Condition()}
 * (over a new {@link RLock}) too. Only {@code BaseLockTests} apply: the RLock-specific ones call
 * {@code _is_owned()} and {@code _recursion_count()}, which a Java {@code Condition} does not
 * export.
 */
class ConditionAsLockTests extends BaseLockTests {
  @Override
  Condition newLock() {
    return new Condition();
  }
}

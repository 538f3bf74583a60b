package dev.gil4j.threading;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * CPython's {@code lock_tests.EventTests}, run on {@link Event}; Python's {@code wait} is {@code
 * await}. Not ported: {@code test_at_fork_reinit} (there is no fork in a JVM).
 */
class EventTests extends BaseTestCase {
  @Test
  void testIsSet() {
    Event evt = new Event();
    assertFalse(evt.isSet());
    evt.set();
    assertTrue(evt.isSet());
    evt.set();
    assertTrue(evt.isSet());
    evt.clear();
    assertFalse(evt.isSet());
    evt.clear();
    assertFalse(evt.isSet());
  }

  @SuppressWarnings("try")
  private void checkNotify(Event evt) {
    // All threads get notified
    int n = 5;
    List<Boolean> results1 = new CopyOnWriteArrayList<>();
    List<Boolean> results2 = new CopyOnWriteArrayList<>();
    Bunch.Task f =
        () -> {
          results1.add(evt.await());
          results2.add(evt.await());
        };
    try (Bunch bunch = new Bunch(f, n)) {
      // Threads blocked on first evt.wait()
      waitThreadsBlocked(n);
      assertEquals(0, results1.size());
      // Threads unblocked
      evt.set();
    }
    assertEquals(Collections.nCopies(n, true), results1);
    assertEquals(Collections.nCopies(n, true), results2);
  }

  @Test
  void testNotify() {
    Event evt = new Event();
    checkNotify(evt);
    // Another time, after an explicit clear()
    evt.set();
    evt.clear();
    checkNotify(evt);
  }

  @Test
  void testTimeout() {
    Event evt = new Event();
    List<Boolean> results1 = new CopyOnWriteArrayList<>();
    List<Object[]> results2 = new CopyOnWriteArrayList<>();
    int n = 5;
    Bunch.Task f =
        () -> {
          results1.add(evt.await(0.0));
          double t1 = monotonic();
          boolean r = evt.await(0.5);
          double t2 = monotonic();
          results2.add(new Object[] {r, t2 - t1});
        };
    new Bunch(f, n).close();
    assertEquals(Collections.nCopies(n, false), results1);
    for (Object[] rdt : results2) {
      assertFalse((Boolean) rdt[0]);
      assertTimeout((Double) rdt[1], 0.5);
    }
    // The event is set
    results1.clear();
    results2.clear();
    evt.set();
    new Bunch(f, n).close();
    assertEquals(Collections.nCopies(n, true), results1);
    for (Object[] rdt : results2) {
      assertTrue((Boolean) rdt[0]);
    }
  }

  @Test
  @SuppressWarnings("try")
  void testSetAndClear() {
    // gh-57711: check that wait() returns true even when the event is
    // cleared before the waiting thread is woken up.
    Event event = new Event();
    List<Boolean> results = new CopyOnWriteArrayList<>();
    int n = 5;
    try (Bunch bunch = new Bunch(() -> results.add(event.await(LONG_TIMEOUT)), n)) {
      // Threads blocked on event.wait()
      waitThreadsBlocked(n);
      // Threads unblocked
      event.set();
      event.clear();
    }
    assertEquals(Collections.nCopies(n, true), results);
  }

  @Test
  void testRepr() {
    Event evt = new Event();
    BaseLockTests.assertRegex(evt.toString(), "<[\\w.]+\\.Event at .*: unset>");
    evt.set();
    BaseLockTests.assertRegex(evt.toString(), "<[\\w.]+\\.Event at .*: set>");
  }
}

package dev.gil4j.runtime;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Which monitors threads are blocked entering: what a GIL holder leaving one asks. */
class BlockedMonitorsTest {
  @Test
  void aMonitorIsWaitedForFromArrivalUntilEveryArrivedThreadEntered() {
    Object a = new Object();
    Object b = new Object();
    assertFalse(BlockedMonitors.any());
    BlockedMonitors.arrive(a);
    BlockedMonitors.arrive(a);
    assertTrue(BlockedMonitors.any());
    assertTrue(BlockedMonitors.waitedFor(a));
    assertFalse(BlockedMonitors.waitedFor(b), "nobody is blocked entering b");
    BlockedMonitors.entered(a);
    assertTrue(BlockedMonitors.waitedFor(a), "one thread still blocked entering a");
    BlockedMonitors.entered(a);
    assertFalse(BlockedMonitors.waitedFor(a));
    assertFalse(BlockedMonitors.any());
  }

  @Test
  void moreBlockedThreadsThanSlotsMakeEveryMonitorWaitedFor() {
    Object[] monitors = new Object[100];
    for (int i = 0; i < monitors.length; i++) {
      monitors[i] = new Object();
      BlockedMonitors.arrive(monitors[i]);
    }
    Object other = new Object();
    assertTrue(BlockedMonitors.waitedFor(other), "an unlisted thread may be blocked on any");
    // entered in another order than arrived: listed and unlisted threads are told apart by count
    for (int i = monitors.length - 1; i >= 0; i--) {
      BlockedMonitors.entered(monitors[i]);
    }
    assertFalse(BlockedMonitors.waitedFor(other));
    assertFalse(BlockedMonitors.waitedFor(monitors[0]));
    assertFalse(BlockedMonitors.any());
  }
}

package dev.gil4j.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

/** The facade with nothing installed, and its one computation of its own. */
class HooksTest {
  @Test
  void withNothingInstalledEveryHookIsANoOp() throws Exception {
    assertFalse(Hooks.beforeBlocking());
    assertEquals(0, Hooks.parkBegins(new Object()));
    assertEquals(0, Hooks.monitorArrive(new Object()));
    assertFalse(Hooks.pipeReadBegins(new Object()));
    Hooks.checkpoint();
    Hooks.pipeEnds(1);
    Object monitor = new Object();
    synchronized (monitor) {
      Hooks.objectWait(monitor, 1L, "Here.java:1");
    }
  }

  @Test
  void freeSpaceOfAPipedBufferFollowsItsCircularIndices() {
    assertEquals(16, Hooks.pipedFree(-1, 0, 16), "empty");
    assertEquals(0, Hooks.pipedFree(5, 5, 16), "full");
    assertEquals(12, Hooks.pipedFree(4, 0, 16), "4 bytes from 0");
    assertEquals(3, Hooks.pipedFree(7, 10, 16), "wrapped: 13 bytes");
  }
}

package dev.gil4j.profiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WeakIdentityTableTest {
  @Test
  void keysAreFoundByIdentityNotEquality() {
    WeakIdentityTable<String> t = new WeakIdentityTable<>();
    assertTrue(t.isEmpty());
    String a = new String("same");
    String b = new String("same");
    t.put(a, "a");
    assertEquals("a", t.get(a));
    assertNull(t.get(b));
    t.put(b, "b");
    t.put(a, "a2");
    assertEquals("a2", t.get(a));
    assertEquals("b", t.get(b));
    assertNull(t.get(null));
  }

  @Test
  void manyKeysAreAllFound() {
    WeakIdentityTable<Integer> t = new WeakIdentityTable<>();
    List<Object> keys = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      Object k = new Object();
      keys.add(k);
      t.put(k, i);
    }
    for (int i = 0; i < keys.size(); i++) {
      assertEquals(i, t.get(keys.get(i)));
    }
  }

  @Test
  void aCollectedKeyIsNotKeptAlive() throws Exception {
    WeakIdentityTable<String> t = new WeakIdentityTable<>();
    Object gone = new Object();
    WeakReference<Object> ref = new WeakReference<>(gone);
    t.put(gone, "gone");
    gone = null;
    for (int i = 0; i < 50 && ref.get() != null; i++) {
      System.gc();
      Thread.sleep(10);
    }
    Object kept = new Object();
    t.put(kept, "kept");
    assertEquals("kept", t.get(kept));
    assertNull(ref.get(), "collected: the table does not keep its keys alive");
  }

  @Test
  void putIfAbsentKeepsTheFirstValue() {
    WeakIdentityTable<String> t = new WeakIdentityTable<>();
    Object k = new Object();
    assertEquals("first", t.putIfAbsent(k, "first"));
    assertEquals("first", t.putIfAbsent(k, "second"));
    assertEquals("first", t.get(k));
  }

  /**
   * Thousands of synchronizers made before an attach, most of them dropped as the application runs
   * on: every key still alive is found with its value, through the rebuilds that drop the others.
   */
  @Test
  void thousandsOfKeysComingAndGoingAreAllFound() {
    WeakIdentityTable<Integer> t = new WeakIdentityTable<>();
    List<Object> kept = new ArrayList<>();
    for (int i = 0; i < 50_000; i++) {
      Object k = new Object();
      t.put(k, i);
      if (i % 10 == 0) {
        kept.add(k);
      }
      if (i % 10_000 == 0) {
        System.gc();
      }
    }
    for (int i = 0; i < kept.size(); i++) {
      assertEquals(i * 10, t.get(kept.get(i)));
    }
    assertNull(t.get(new Object()));
  }

  @Test
  void lookingUpAKnownKeyAllocatesNothing() {
    WeakIdentityTable<Integer> t = new WeakIdentityTable<>();
    Object[] keys = new Object[1000];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = new Object();
      t.put(keys[i], i);
    }
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long id = Thread.currentThread().getId();
    long sum = 0;
    long before = threads.getThreadAllocatedBytes(id);
    for (int round = 0; round < 200; round++) {
      for (Object k : keys) {
        sum += t.get(k);
      }
    }
    long allocated = threads.getThreadAllocatedBytes(id) - before;
    assertEquals(200L * 999 * 1000 / 2, sum);
    assertTrue(allocated < 10_000, "200,000 look-ups allocated " + allocated + " bytes");
  }
}

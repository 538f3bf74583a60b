package dev.gil4j.profiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
  void aCollectedKeyIsDroppedAtTheNextPut() throws Exception {
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
}

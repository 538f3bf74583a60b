package dev.gil4j.profiler;

import java.lang.ref.WeakReference;

/**
 * A map from objects, by identity, to values, that keeps neither alive: an entry goes when its key
 * is collected.
 *
 * <p><b>Assumptions and guarantees.</b> {@link #get} is lock-free and allocation-free, and costs a
 * volatile read when the table is empty. {@link #put} is serialized and copies the table, dropping
 * entries whose keys were collected: meant for keys added rarely (one per pipe created) and looked
 * up often (every read and write). Null keys and values are not accepted.
 *
 * <p>Design: an immutable open-addressing array, indexed by {@link System#identityHashCode}, is
 * replaced whole on each {@code put}; readers see either the old array or the new one.
 */
public final class WeakIdentityTable<V> {
  private static final Entry<?>[] EMPTY = new Entry<?>[0];

  private volatile Entry<?>[] table = EMPTY;

  private static final class Entry<V> extends WeakReference<Object> {
    final int hash;
    final V value;

    Entry(Object key, int hash, V value) {
      super(key);
      this.hash = hash;
      this.value = value;
    }
  }

  /** Whether no key was ever put, or every key put has been collected and purged since. */
  public boolean isEmpty() {
    return table.length == 0;
  }

  /** The value for {@code key}, or null. */
  @SuppressWarnings("unchecked")
  public V get(Object key) {
    Entry<?>[] t = table;
    if (t.length == 0 || key == null) {
      return null;
    }
    int mask = t.length - 1;
    int hash = System.identityHashCode(key);
    for (int i = spread(hash) & mask; ; i = (i + 1) & mask) {
      Entry<?> e = t[i];
      if (e == null) {
        return null;
      }
      if (e.hash == hash && e.get() == key) {
        return (V) e.value;
      }
    }
  }

  /** Maps {@code key} to {@code value}, replacing any value it had. */
  public synchronized void put(Object key, V value) {
    int live = 1;
    for (Entry<?> e : table) {
      if (e != null && e.get() != null && e.get() != key) {
        live++;
      }
    }
    int size = Integer.highestOneBit(Math.max(4, live * 3)) << 1;
    Entry<?>[] next = new Entry<?>[size];
    for (Entry<?> e : table) {
      Object k = e == null ? null : e.get();
      if (k != null && k != key) {
        insert(next, e);
      }
    }
    insert(next, new Entry<>(key, System.identityHashCode(key), value));
    // release: the entries are fully built before readers can reach the new array
    table = next;
  }

  private static void insert(Entry<?>[] t, Entry<?> e) {
    int mask = t.length - 1;
    int i = spread(e.hash) & mask;
    while (t[i] != null) {
      i = (i + 1) & mask;
    }
    t[i] = e;
  }

  /** Identity hashes may be small and sequential: mix them over the table. */
  private static int spread(int hash) {
    int h = hash * 0x9E3779B9;
    return h ^ (h >>> 16);
  }
}

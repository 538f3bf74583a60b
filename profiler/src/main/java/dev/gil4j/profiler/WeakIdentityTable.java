package dev.gil4j.profiler;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;

/**
 * A map from objects, by identity, to values, that keeps neither alive: an entry goes when its key
 * is collected.
 *
 * <p><b>Assumptions and guarantees.</b> {@link #get} is lock-free and allocation-free, and costs a
 * volatile read when the table is empty. {@link #put} and {@link #putIfAbsent} are serialized and
 * cost O(1) amortised: one allocation for the entry, and now and then a rebuild of the whole table
 * that drops entries whose keys were collected — meant for keys added once (one per pipe created,
 * one per synchronizer first seen parked on, thousands of them) and looked up often (every read and
 * write, every park). Null keys and values are not accepted.
 *
 * <p>Design: an open-addressing array indexed by {@link System#identityHashCode}. A new entry goes
 * into a free slot of the current array, in place, with a release store; readers see the slot empty
 * or the whole entry. Slots are never emptied in place, so a probe sequence a reader follows stays
 * valid. When half the slots are used, live or collected, the live entries are copied into a new
 * array that they fill to at most a quarter, which is published whole: the next rebuild is at least
 * a quarter of the new size's insertions away, which pays for its copy.
 */
public final class WeakIdentityTable<V> {
  private static final Entry<?>[] EMPTY = new Entry<?>[0];
  private static final int MIN_SIZE = 8;

  private volatile Entry<?>[] table = EMPTY;

  /** Guarded by this: slots of {@link #table} in use, by live entries or collected ones. */
  private int used;

  /**
   * The slots' accessor, in a class of its own, made at the first insertion rather than with the
   * first table: {@link #get} on an empty table never reads it, and a JVM may have no other {@code
   * VarHandle} yet (JDK 25 hello world under the agent with gil=off: initializing the class {@code
   * VarHandle} for the park sites' table cost 2 ms of its start).
   */
  private static final class Slots {
    static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Entry[].class);
  }

  private static final class Entry<V> extends WeakReference<Object> {
    final int hash;
    final V value;

    Entry(Object key, int hash, V value) {
      super(key);
      this.hash = hash;
      this.value = value;
    }
  }

  /** Whether no key was ever put. */
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
      // acquire: pairs with the release store that filled the slot, so the entry is whole
      Entry<?> e = (Entry<?>) Slots.SLOT.getAcquire(t, i);
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
    put(key, value, true);
  }

  /**
   * Maps {@code key} to {@code value} unless it has a value already.
   *
   * @return the value {@code key} now has: its earlier one, or {@code value}
   */
  public synchronized V putIfAbsent(Object key, V value) {
    return put(key, value, false);
  }

  @SuppressWarnings("unchecked")
  private V put(Object key, V value, boolean replace) {
    if (key == null || value == null) {
      throw new NullPointerException("WeakIdentityTable takes neither null keys nor null values");
    }
    int hash = System.identityHashCode(key);
    Entry<?>[] t = table;
    if (t.length > 0) {
      int mask = t.length - 1;
      for (int i = spread(hash) & mask; t[i] != null; i = (i + 1) & mask) {
        Entry<?> e = t[i];
        if (e.hash == hash && e.get() == key) {
          if (!replace) {
            return (V) e.value;
          }
          Slots.SLOT.setRelease(t, i, new Entry<>(key, hash, value));
          return value;
        }
      }
    }
    Entry<V> added = new Entry<>(key, hash, value);
    if ((used + 1) * 2 > t.length) {
      table = rebuilt(t, added);
    } else {
      insert(t, added);
      used++;
    }
    return value;
  }

  /** The live entries of {@code old} and {@code added}, in an array they fill to a quarter. */
  private Entry<?>[] rebuilt(Entry<?>[] old, Entry<?> added) {
    int live = 1;
    for (Entry<?> e : old) {
      if (e != null && e.get() != null) {
        live++;
      }
    }
    int size = Math.max(MIN_SIZE, Integer.highestOneBit(live * 4 - 1) << 1);
    Entry<?>[] next = new Entry<?>[size];
    for (Entry<?> e : old) {
      if (e != null && e.get() != null) {
        insert(next, e);
      }
    }
    insert(next, added);
    used = live;
    return next;
  }

  private static void insert(Entry<?>[] t, Entry<?> e) {
    int mask = t.length - 1;
    int i = spread(e.hash) & mask;
    while (t[i] != null) {
      i = (i + 1) & mask;
    }
    // release: the entry is fully built before a reader can reach it
    Slots.SLOT.setRelease(t, i, e);
  }

  /** Identity hashes may be small and sequential: mix them over the table. */
  private static int spread(int hash) {
    int h = hash * 0x9E3779B9;
    return h ^ (h >>> 16);
  }
}

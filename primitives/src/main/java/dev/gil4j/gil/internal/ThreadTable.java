package dev.gil4j.gil.internal;

/**
 * The GIL's registered threads, keyed by the {@code Thread} object itself: the per-thread state
 * must survive the JDK erasing a thread's thread-locals, which {@code ForkJoinPool.commonPool} does
 * to its innocuous workers after every task (a worker kept in a {@code ThreadLocal} became unknown
 * to the GIL from its second task on, and ran beside the holder).
 *
 * <p><b>Assumptions and guarantees.</b> {@link #get} is lock-free and allocates nothing; it is
 * meant for a thread looking up itself. {@link #put} and {@link #remove} are called only with the
 * GIL's mutex held. Keys are compared by identity and hashed with {@link System#identityHashCode},
 * so no application code ({@code Thread} subclasses may override {@code hashCode}) ever runs here.
 *
 * <p>Design: open addressing with linear probing; a removed entry leaves a tombstone, so a slot
 * once non-null never becomes null again in the same array, and a reader probing a stale view still
 * reaches every entry that was there before it. A thread's own entry is written before the thread
 * can look for it (by its parent before {@code Thread.start}, or by itself), and a resized array is
 * filled completely before the volatile write that publishes it.
 */
final class ThreadTable {
  private static final Object REMOVED = new Object();
  private static final int MIN_CAPACITY = 64;

  private volatile Object[] slots = new Object[MIN_CAPACITY];

  // Guarded by the GIL's mutex.
  private int live;
  private int used;

  /** The state of {@code t}, or null. */
  ThreadState get(Thread t) {
    Object[] s = slots;
    int mask = s.length - 1;
    for (int i = index(t, mask); ; i = (i + 1) & mask) {
      Object o = s[i];
      if (o == null) {
        return null;
      }
      if (o != REMOVED && ((ThreadState) o).thread == t) {
        return (ThreadState) o;
      }
    }
  }

  /** Adds {@code st}, whose thread is not in the table. Mutex held. */
  void put(ThreadState st) {
    Object[] s = slots;
    if ((used + 1) * 4 > s.length * 3) {
      s = rebuilt(Math.max(MIN_CAPACITY, Integer.highestOneBit(Math.max(1, live + 1) * 4)));
      used = live;
    }
    insert(s, st);
    live++;
    used++;
    slots = s;
  }

  /** Removes {@code st} if present. Mutex held. */
  void remove(ThreadState st) {
    Object[] s = slots;
    int mask = s.length - 1;
    for (int i = index(st.thread, mask); ; i = (i + 1) & mask) {
      Object o = s[i];
      if (o == null) {
        return;
      }
      if (o == st) {
        s[i] = REMOVED;
        live--;
        return;
      }
    }
  }

  private Object[] rebuilt(int capacity) {
    Object[] fresh = new Object[capacity];
    for (Object o : slots) {
      if (o != null && o != REMOVED) {
        insert(fresh, (ThreadState) o);
      }
    }
    return fresh;
  }

  private static void insert(Object[] s, ThreadState st) {
    int mask = s.length - 1;
    int i = index(st.thread, mask);
    while (s[i] != null) {
      i = (i + 1) & mask;
    }
    s[i] = st;
  }

  private static int index(Thread t, int mask) {
    int h = System.identityHashCode(t);
    return (h ^ (h >>> 16)) * 0x9E3779B9 & mask;
  }
}

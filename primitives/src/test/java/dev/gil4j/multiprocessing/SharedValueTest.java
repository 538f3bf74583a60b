package dev.gil4j.multiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link Value} and {@link Array}: memory that child JVMs map and change, under the object's lock;
 * CPython's typecodes and ctypes' truncation; a lock holder that dies.
 */
@ExtendWith(Children.NoneLeftBehind.class)
class SharedValueTest {
  private static final Duration LIMIT = Duration.ofSeconds(120);

  @Test
  void incrementsUnderTheLockFromTwoChildrenAndTheParentAreNeverLost() throws Exception {
    Children.within(
        LIMIT,
        () -> {
          Value counter = new Value('i', 0);
          Array totals = new Array('q', 2);
          List<Process> children = new ArrayList<>();
          for (int c = 0; c < 2; c++) {
            int me = c;
            Process p =
                new Process(
                    () -> {
                      for (int i = 0; i < 500; i++) {
                        counter.getLock().acquire();
                        try {
                          counter.set(counter.getLong() + 1);
                        } finally {
                          counter.getLock().release();
                        }
                      }
                      totals.set(me, 500L);
                    });
            p.start();
            children.add(p);
          }
          for (int i = 0; i < 500; i++) {
            counter.getLock().acquire();
            try {
              counter.set(counter.getLong() + 1);
            } finally {
              counter.getLock().release();
            }
          }
          for (Process p : children) {
            Children.awaitEnd(p, LIMIT);
            assertEquals(0, p.exitCode());
          }
          assertEquals(1500, counter.getLong());
          assertEquals(500, totals.getLong(0), "a raw store from a child, seen by the parent");
          assertEquals(500, totals.getLong(1));
          assertEquals("<Synchronized wrapper for c_int(1500)>", counter.toString());
        });
  }

  @Test
  void typecodesHaveTheirCWidthsAndCtypesTruncation() throws Exception {
    assertEquals(0, new Value('B', 256).getLong());
    assertEquals(255, new Value('B', -1).getLong());
    assertEquals(-1, new Value('b', 255).getLong());
    assertEquals(-32768, new Value('h', 32768).getLong());
    assertEquals(65535, new Value('H', -1).getLong());
    assertEquals(Integer.MIN_VALUE, new Value('i', 1L << 31).getLong());
    assertEquals(4294967295L, new Value('I', -1).getLong());
    assertEquals(Long.MIN_VALUE, new Value('q', Long.MIN_VALUE).getLong());
    assertEquals(1.5, new Value('d', 1.5).getDouble());
    assertEquals(0.1f, (float) new Value('f', 0.1).getDouble());
    assertEquals(2.0, new Value('d', 2).getDouble(), "an int stored in a double");
    assertEquals("c_ulonglong(18446744073709551615)", new Value('Q', -1, false).toString());
    assertEquals(
        "int expected instead of float",
        assertThrows(IllegalArgumentException.class, () -> new Value('i', 1.5)).getMessage());
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> new Value('x', 0))
            .getMessage()
            .contains("must be c, b, B, h, H, i, I, l, L, q, Q, f or d"));
    Array a = new Array('h', 3, false);
    a.set(2, 7L);
    assertEquals("c_short_Array_3[0, 0, 7]", a.toString());
    assertEquals(
        "invalid index",
        assertThrows(IndexOutOfBoundsException.class, () -> a.getLong(3)).getMessage());
    assertThrows(IndexOutOfBoundsException.class, () -> a.set(-1, 1L));
    assertEquals(
        "created with lock=false: it has no lock",
        assertThrows(IllegalStateException.class, a::getLock).getMessage());
  }

  /** A lock given is the lock used; a child that dies holding the default RLock frees it. */
  @Test
  void aGivenLockIsUsedAndADeadHoldersRLockIsReleased() throws Exception {
    Children.within(
        LIMIT,
        () -> {
          Lock lock = new Lock();
          Array shared = new Array('d', 4, lock);
          assertSame(lock, shared.getLock());
          Value v = new Value('l', 0);
          Queue<String> out = new Queue<>();
          Process p =
              new Process(
                  () -> {
                    shared.set(3, 2.5);
                    v.getLock().acquire();
                    v.set(42);
                    out.put("holding");
                    Thread.sleep(60_000);
                  });
          p.start();
          assertEquals("holding", out.get(60));
          assertEquals(2.5, shared.getDouble(3));
          assertTrue(lock.acquire(false), "an element access released the given lock");
          lock.release();
          assertThrows(
              IllegalStateException.class,
              () -> {
                if (!v.getLock().acquire(false)) {
                  throw new IllegalStateException("held by the child");
                }
              });
          p.kill();
          Children.awaitEnd(p, LIMIT);
          assertTrue(v.getLock().acquire(true, 30), "released when its holder died");
          assertEquals(42, v.getLong(), "the dead holder's store stays");
          v.getLock().release();
        });
  }

  @Test
  void poolTasksAddToAnArrayTheParentReads() throws Exception {
    Children.within(
        LIMIT,
        () -> {
          Array sums = new Array('q', 4);
          try (Pool pool = new Pool(2)) {
            pool.map(
                i -> {
                  sums.getLock().acquire();
                  try {
                    sums.set(i % 4, sums.getLong(i % 4) + i);
                  } finally {
                    sums.getLock().release();
                  }
                  return i;
                },
                List.of(0, 1, 2, 3, 4, 5, 6, 7));
          }
          assertEquals(
              List.of(4L, 6L, 8L, 10L),
              List.of(sums.getLong(0), sums.getLong(1), sums.getLong(2), sums.getLong(3)));
        });
  }
}

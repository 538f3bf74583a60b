package dev.gil4j.multiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.StreamCorruptedException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Objects between a Java {@link Connection} and a real CPython 3 peer, both directions, every type
 * pickle carries for plain data, over {@link Listener} (CPython's {@code Client} connects) and
 * {@link Connection#connect} (to CPython's {@code Listener}); and between two Java processes over a
 * {@link Pipe}. Java sends each value of {@link #values()}; CPython compares it, type and value,
 * with the same value written in Python ({@link #PYTHON_VALUES}) and answers; then CPython pickles
 * each of its values with protocols 2, 3, 4 and 5 and with {@code Connection.send}'s default, and
 * Java compares what it receives, Java type and value. Skipped, saying so, without {@code python3}.
 */
class PickleInteropTest {
  private static final Duration LIMIT = Duration.ofSeconds(60);

  /** The values, in Python; {@link #values()} is the same list in Java, in the same order. */
  private static final String PYTHON_VALUES =
      """
      import math, pickle, sys
      big = 2 ** 2100
      VALUES = [
          None, True, False,
          0, 255, 256, 65535, 65536, -1, 2**31 - 1, -2**31, 2**31, 2**63 - 1, -2**63, 2**64,
          -(2**100), big,
          1.5, -0.0, float('inf'), float('nan'), 1e308,
          '', 'ascii', 'h\\u00e9llo', '\\U0001F600', 'x' * 300, '\\ud800',
          b'', b'\\x00\\xff', bytes(range(256)) * 2,
          bytearray(), bytearray(b'ab'),
          [], [1, 'a', None],
          (), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4),
          {}, {'b': 1, 'a': [1, 2]}, {1: 'x', 2.5: 'y'},
          set(), {1, 2, 3}, frozenset(), frozenset({'a'}),
          {'k': [(1, {2}), frozenset([3]), bytearray(b'z'), {'deep': [[[]]]}]},
          list(range(2500)),
      ]

      def same(a, b):
          if type(a) is not type(b):
              return False
          if isinstance(a, float):
              if math.isnan(a) or math.isnan(b):
                  return math.isnan(a) and math.isnan(b)
              return a == b and math.copysign(1, a) == math.copysign(1, b)
          if isinstance(a, (list, tuple)):
              return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
          if isinstance(a, dict):
              return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
          return a == b

      def serve(conn):
          for i, expected in enumerate(VALUES):
              got = conn.recv()
              conn.send([i, same(got, expected), repr(got)[:200]])
          shared = conn.recv()
          conn.send(shared[0] is shared[1])
          for protocol in (2, 3, 4, 5):
              for v in VALUES:
                  conn.send_bytes(pickle.dumps(v, protocol=protocol))
          for v in VALUES:
              conn.send(v)
          a = [1]
          conn.send([a, a])
          conn.send_bytes(pickle.dumps(complex(1, 2)))
          conn.send('still in step')
          conn.recv_bytes()
      """;

  /** {@link #PYTHON_VALUES} in Java: what Java sends, and what it expects to receive. */
  private static List<Object> values() {
    byte[] all = new byte[512];
    for (int i = 0; i < all.length; i++) {
      all[i] = (byte) i;
    }
    Map<Object, Object> ordered = new LinkedHashMap<>();
    ordered.put("b", 1);
    ordered.put("a", new ArrayList<>(List.of(1, 2)));
    Map<Object, Object> mixedKeys = new LinkedHashMap<>();
    mixedKeys.put(1, "x");
    mixedKeys.put(2.5, "y");
    Map<Object, Object> nested = new LinkedHashMap<>();
    nested.put(
        "k",
        new ArrayList<>(
            List.of(
                new Object[] {1, new LinkedHashSet<>(List.of(2))},
                FrozenSet.of(3),
                ByteBuffer.wrap(new byte[] {'z'}),
                new LinkedHashMap<>(
                    Map.of(
                        "deep",
                        new ArrayList<>(List.of(new ArrayList<>(List.of(new ArrayList<>())))))))));
    List<Object> range = new ArrayList<>();
    for (int i = 0; i < 2500; i++) {
      range.add(i);
    }
    return Arrays.asList(
        null,
        true,
        false,
        0,
        255,
        256,
        65535,
        65536,
        -1,
        Integer.MAX_VALUE,
        Integer.MIN_VALUE,
        1L << 31,
        Long.MAX_VALUE,
        Long.MIN_VALUE,
        BigInteger.TWO.pow(64),
        BigInteger.TWO.pow(100).negate(),
        BigInteger.TWO.pow(2100),
        1.5,
        -0.0,
        Double.POSITIVE_INFINITY,
        Double.NaN,
        1e308,
        "",
        "ascii",
        "h\u00e9llo",
        new String(Character.toChars(0x1F600)),
        "x".repeat(300),
        "\ud800",
        new byte[0],
        new byte[] {0, (byte) 0xff},
        all,
        ByteBuffer.allocate(0),
        ByteBuffer.wrap(new byte[] {'a', 'b'}),
        new ArrayList<>(),
        new ArrayList<>(Arrays.asList(1, "a", null)),
        new Object[0],
        new Object[] {1},
        new Object[] {1, 2},
        new Object[] {1, 2, 3},
        new Object[] {1, 2, 3, 4},
        new LinkedHashMap<>(),
        ordered,
        mixedKeys,
        new LinkedHashSet<>(),
        new LinkedHashSet<>(List.of(1, 2, 3)),
        FrozenSet.of(),
        FrozenSet.of("a"),
        nested,
        range);
  }

  @BeforeAll
  static void needsPython() throws InterruptedException {
    PythonPeer.assumePython("pickle interop");
  }

  /** Java's side of the Python script's {@code serve}. */
  private static void exchange(Connection conn) throws IOException {
    List<Object> values = values();
    for (Object v : values) {
      conn.send(v);
      List<?> answer = (List<?>) conn.recv();
      assertTrue((Boolean) answer.get(1), "CPython received " + answer.get(2) + " for " + show(v));
    }
    List<Object> shared = new ArrayList<>(List.of(1));
    conn.send(new ArrayList<>(List.of(shared, shared)));
    assertEquals(true, conn.recv(), "a list sent twice arrives as one shared list");
    for (String how : List.of("protocol 2", "protocol 3", "protocol 4", "protocol 5", "send()")) {
      for (Object expected : values) {
        Object got = conn.recv();
        assertDeepSame(expected, got, how + ": " + show(expected));
      }
    }
    List<?> pair = (List<?>) conn.recv();
    assertSame(pair.get(0), pair.get(1), "a list pickled twice arrives as one shared list");
    StreamCorruptedException refused = assertThrows(StreamCorruptedException.class, conn::recv);
    assertTrue(
        refused.getMessage().contains("refusing to unpickle global builtins.complex"),
        refused.getMessage());
    assertEquals("still in step", conn.recv(), "a refused message is consumed whole");
    conn.sendBytes(new byte[0]);
  }

  private static String show(Object v) {
    if (v instanceof Object[] a) {
      return Arrays.deepToString(a);
    }
    if (v instanceof byte[] b) {
      return "byte[" + b.length + "]";
    }
    String s = String.valueOf(v);
    return s.length() > 100 ? s.substring(0, 100) + "…" : s;
  }

  /** Equal values of the very types a received pickle yields. */
  private static void assertDeepSame(Object expected, Object actual, String what) {
    if (expected == null || actual == null) {
      assertSame(expected, actual, what);
      return;
    }
    if (expected instanceof Object[] e) {
      if (!(actual instanceof Object[] a) || a.length != e.length) {
        fail(what + ": got " + show(actual));
        return;
      }
      for (int i = 0; i < e.length; i++) {
        assertDeepSame(e[i], a[i], what);
      }
    } else if (expected instanceof byte[] e) {
      assertTrue(actual instanceof byte[] a && Arrays.equals(e, a), what + ": got " + show(actual));
    } else if (expected instanceof List<?> e) {
      assertEquals(ArrayList.class, actual.getClass(), what);
      List<?> a = (List<?>) actual;
      assertEquals(e.size(), a.size(), what);
      for (int i = 0; i < e.size(); i++) {
        assertDeepSame(e.get(i), a.get(i), what);
      }
    } else if (expected instanceof Map<?, ?> e) {
      assertEquals(LinkedHashMap.class, actual.getClass(), what);
      Iterator<? extends Map.Entry<?, ?>> a = ((Map<?, ?>) actual).entrySet().iterator();
      for (Map.Entry<?, ?> entry : e.entrySet()) {
        Map.Entry<?, ?> got = a.next();
        assertDeepSame(entry.getKey(), got.getKey(), what);
        assertDeepSame(entry.getValue(), got.getValue(), what);
      }
      assertTrue(!a.hasNext(), what);
    } else if (expected instanceof Set<?>) {
      Class<?> type = expected instanceof FrozenSet ? FrozenSet.class : LinkedHashSet.class;
      assertEquals(type, actual.getClass(), what);
      assertEquals(expected, actual, what);
    } else {
      assertEquals(expected.getClass(), actual.getClass(), what);
      assertEquals(expected, actual, what);
    }
  }

  @Test
  void everyTypeTravelsBothWaysWithAPythonClient() throws Exception {
    PythonPeer.asClient(PYTHON_VALUES, "serve", LIMIT, PickleInteropTest::exchange);
  }

  @Test
  void everyTypeTravelsBothWaysWithAPythonListener() throws Exception {
    PythonPeer.asListener(PYTHON_VALUES, "serve", LIMIT, PickleInteropTest::exchange);
  }

  @Test
  void everyTypeTravelsThroughAPipeToAJavaChildAndBack() throws Exception {
    Children.within(
        LIMIT,
        () -> {
          Pipe pipe = Pipe.open();
          Connection child = pipe.second();
          Process p =
              new Process(
                  () -> {
                    while (true) {
                      Object o;
                      try {
                        o = child.recv();
                      } catch (java.io.EOFException e) {
                        return;
                      }
                      child.send(o);
                    }
                  });
          p.start();
          Connection parent = pipe.first();
          for (Object v : values()) {
            parent.send(v);
            assertDeepSame(v, parent.recv(), "through a child: " + show(v));
          }
          parent.close();
          Children.awaitEnd(p, LIMIT);
          assertEquals(0, p.exitCode());
        });
  }
}

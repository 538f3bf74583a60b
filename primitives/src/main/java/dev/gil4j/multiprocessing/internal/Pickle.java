package dev.gil4j.multiprocessing.internal;

import dev.gil4j.multiprocessing.FrozenSet;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.StreamCorruptedException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Python's pickle format for plain data, both ways: what a {@code Connection} sends and receives.
 *
 * <p><b>Types</b> (Python ↔ Java): {@code None} ↔ {@code null}; {@code bool} ↔ {@link Boolean};
 * {@code int} → the smallest of {@link Integer}, {@link Long}, {@link BigInteger} that holds it,
 * and {@code Byte}, {@code Short}, {@code Integer}, {@code Long}, {@code BigInteger} → {@code int};
 * {@code float} ↔ {@link Double} (and {@code Float} →); {@code str} ↔ {@link String} (and {@code
 * Character} →), lone surrogates kept, as Python's {@code surrogatepass}; {@code bytes} ↔ {@code
 * byte[]}; {@code bytearray} ↔ {@link ByteBuffer} (its remaining bytes; a new heap buffer on
 * receipt); {@code list} ↔ {@link List} ({@link ArrayList} on receipt); {@code tuple} ↔ {@code
 * Object[]}; {@code dict} ↔ {@link Map} ({@link LinkedHashMap}, Python's order); {@code set} ↔
 * {@link Set} ({@link LinkedHashSet}); {@code frozenset} ↔ {@link FrozenSet}. Containers nest; a
 * container reached twice is sent once and received as one shared object, as pickle does.
 *
 * <p><b>Protocols.</b> Reads protocols 2 to 5 (with or without frames; protocol 2's {@code bytes},
 * {@code bytearray}, {@code set} and {@code frozenset}, which it spells as calls to a few
 * builtins). Writes protocol 5 without frames, which CPython 3.8 and later read.
 *
 * <p><b>Safety.</b> Reading builds only the types above: any other global (a class, a function)
 * makes {@link #read} throw before anything is called, so bytes from a peer can never run code or
 * create arbitrary objects here. Reading is iterative, so deep nesting cannot overflow the stack.
 * Writing accepts only the types above and never calls methods of other application classes.
 */
public final class Pickle {
  private static final int PROTOCOL = 5;

  // The opcodes of Python's Lib/pickle.py, protocols 0 to 5, that plain data uses.
  private static final int MARK = '(';
  private static final int STOP = '.';
  private static final int POP = '0';
  private static final int POP_MARK = '1';
  private static final int DUP = '2';
  private static final int BININT = 'J';
  private static final int BININT1 = 'K';
  private static final int BININT2 = 'M';
  private static final int NONE = 'N';
  private static final int REDUCE = 'R';
  private static final int BINSTRING = 'T';
  private static final int SHORT_BINSTRING = 'U';
  private static final int BINUNICODE = 'X';
  private static final int APPEND = 'a';
  private static final int GLOBAL = 'c';
  private static final int EMPTY_DICT = '}';
  private static final int APPENDS = 'e';
  private static final int BINGET = 'h';
  private static final int LONG_BINGET = 'j';
  private static final int EMPTY_LIST = ']';
  private static final int BINPUT = 'q';
  private static final int LONG_BINPUT = 'r';
  private static final int SETITEM = 's';
  private static final int TUPLE = 't';
  private static final int EMPTY_TUPLE = ')';
  private static final int SETITEMS = 'u';
  private static final int BINFLOAT = 'G';
  private static final int PROTO = 0x80;
  private static final int TUPLE1 = 0x85;
  private static final int TUPLE2 = 0x86;
  private static final int TUPLE3 = 0x87;
  private static final int NEWTRUE = 0x88;
  private static final int NEWFALSE = 0x89;
  private static final int LONG1 = 0x8a;
  private static final int LONG4 = 0x8b;
  private static final int BINBYTES = 'B';
  private static final int SHORT_BINBYTES = 'C';
  private static final int SHORT_BINUNICODE = 0x8c;
  private static final int BINUNICODE8 = 0x8d;
  private static final int BINBYTES8 = 0x8e;
  private static final int EMPTY_SET = 0x8f;
  private static final int ADDITEMS = 0x90;
  private static final int FROZENSET = 0x91;
  private static final int STACK_GLOBAL = 0x93;
  private static final int MEMOIZE = 0x94;
  private static final int FRAME = 0x95;
  private static final int BYTEARRAY8 = 0x96;

  /** How many items pickle puts between a MARK and its APPENDS or SETITEMS. */
  private static final int BATCH = 1000;

  private static final Object MARK_OBJECT = new Object();

  /** The only callables a pickle may name: what protocol 2 needs for plain data. */
  private enum Builtin {
    BYTEARRAY,
    BYTES,
    SET,
    FROZENSET,
    ENCODE
  }

  private Pickle() {}

  /** What {@link #write} accepts, for error messages. */
  public static final String TYPES =
      "null, Boolean, Byte, Short, Integer, Long, BigInteger, Float, Double, Character, String,"
          + " byte[], ByteBuffer (bytearray), Object[] (tuple), List, Map, Set, FrozenSet";

  // ---------------------------------------------------------------- writing

  /**
   * {@code obj} pickled with protocol 5.
   *
   * @throws NotSerializableException if {@code obj} holds anything but the types above, or a tuple
   *     that contains itself
   */
  public static byte[] write(Object obj) throws NotSerializableException {
    ByteBuffer b = encode(obj);
    return Arrays.copyOf(b.array(), b.limit());
  }

  /**
   * {@link #write}, without the final copy: a heap buffer whose array holds the pickle from 0 to
   * its limit.
   */
  public static ByteBuffer encode(Object obj) throws NotSerializableException {
    Writer w = new Writer();
    w.out.put((byte) PROTO).put((byte) PROTOCOL);
    w.save(obj);
    w.ensure(1);
    w.out.put((byte) STOP);
    return w.out.flip();
  }

  private static final class Writer {
    ByteBuffer out = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);
    final IdentityHashMap<Object, Integer> memo = new IdentityHashMap<>();
    final IdentityHashMap<Object, Boolean> tuplesInProgress = new IdentityHashMap<>();

    void ensure(int n) {
      if (out.remaining() < n) {
        long want = Math.max((long) out.capacity() * 2, (long) out.position() + n);
        ByteBuffer bigger =
            ByteBuffer.allocate((int) Math.min(want, Integer.MAX_VALUE - 8))
                .order(ByteOrder.LITTLE_ENDIAN);
        out.flip();
        bigger.put(out);
        out = bigger;
      }
    }

    void op(int opcode) {
      ensure(1);
      out.put((byte) opcode);
    }

    void save(Object obj) throws NotSerializableException {
      if (obj == null) {
        op(NONE);
      } else if (obj instanceof Boolean b) {
        op(b ? NEWTRUE : NEWFALSE);
      } else if (obj instanceof Integer
          || obj instanceof Long
          || obj instanceof Short
          || obj instanceof Byte) {
        saveLong(((Number) obj).longValue());
      } else if (obj instanceof BigInteger big) {
        if (big.bitLength() < 64) {
          saveLong(big.longValue());
        } else {
          saveBig(big);
        }
      } else if (obj instanceof Double || obj instanceof Float) {
        ensure(9);
        out.put((byte) BINFLOAT);
        out.order(ByteOrder.BIG_ENDIAN).putDouble(((Number) obj).doubleValue());
        out.order(ByteOrder.LITTLE_ENDIAN);
      } else if (obj instanceof String || obj instanceof Character) {
        saveString(obj.toString());
      } else if (obj instanceof byte[] bytes) {
        saveBytes(bytes);
      } else if (reused(obj)) {
        return;
      } else if (obj instanceof ByteBuffer buf) {
        ByteBuffer view = buf.duplicate();
        ensure(9 + view.remaining());
        out.put((byte) BYTEARRAY8).putLong(view.remaining()).put(view);
        memoize(obj);
      } else if (obj instanceof Object[] tuple) {
        saveTuple(tuple);
      } else if (obj instanceof List<?> list) {
        op(EMPTY_LIST);
        memoize(obj);
        saveBatches(list, APPENDS, APPEND);
      } else if (obj instanceof Map<?, ?> map) {
        op(EMPTY_DICT);
        memoize(obj);
        saveDict(map);
      } else if (obj instanceof FrozenSet<?> set) {
        op(MARK);
        for (Object o : set) {
          save(o);
        }
        op(FROZENSET);
        memoize(obj);
      } else if (obj instanceof Set<?> set) {
        op(EMPTY_SET);
        memoize(obj);
        saveBatches(set, ADDITEMS, -1);
      } else {
        throw new NotSerializableException(
            "cannot pickle " + obj.getClass().getName() + ": a Connection sends " + TYPES);
      }
    }

    /** Writes a memo reference if {@code obj} was written before; whether it did. */
    boolean reused(Object obj) throws NotSerializableException {
      Integer index = memo.get(obj);
      if (index == null) {
        if (tuplesInProgress.containsKey(obj)) {
          throw new NotSerializableException(
              "cannot pickle a tuple (Object[]) that contains itself");
        }
        return false;
      }
      ensure(5);
      if (index < 256) {
        out.put((byte) BINGET).put((byte) (int) index);
      } else {
        out.put((byte) LONG_BINGET).putInt(index);
      }
      return true;
    }

    void memoize(Object obj) {
      memo.put(obj, memo.size());
      op(MEMOIZE);
    }

    void saveLong(long v) {
      ensure(9);
      if (v >= 0 && v <= 0xff) {
        out.put((byte) BININT1).put((byte) v);
      } else if (v >= 0 && v <= 0xffff) {
        out.put((byte) BININT2).putShort((short) v);
      } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
        out.put((byte) BININT).putInt((int) v);
      } else {
        saveBig(BigInteger.valueOf(v));
      }
    }

    /** LONG1/LONG4: two's complement, little-endian, as few bytes as hold the sign. */
    void saveBig(BigInteger v) {
      byte[] bigEndian = v.toByteArray();
      int n = bigEndian.length;
      ensure(5 + n);
      if (n < 256) {
        out.put((byte) LONG1).put((byte) n);
      } else {
        out.put((byte) LONG4).putInt(n);
      }
      for (int i = n - 1; i >= 0; i--) {
        out.put(bigEndian[i]);
      }
    }

    void saveString(String s) {
      byte[] utf8 = Utf8.encode(s);
      ensure(9 + utf8.length);
      if (utf8.length < 256) {
        out.put((byte) SHORT_BINUNICODE).put((byte) utf8.length);
      } else {
        out.put((byte) BINUNICODE).putInt(utf8.length);
      }
      out.put(utf8);
    }

    void saveBytes(byte[] b) {
      ensure(9 + b.length);
      if (b.length < 256) {
        out.put((byte) SHORT_BINBYTES).put((byte) b.length);
      } else {
        out.put((byte) BINBYTES).putInt(b.length);
      }
      out.put(b);
    }

    void saveTuple(Object[] tuple) throws NotSerializableException {
      if (tuple.length == 0) {
        op(EMPTY_TUPLE);
        return;
      }
      tuplesInProgress.put(tuple, Boolean.TRUE);
      if (tuple.length > 3) {
        op(MARK);
      }
      for (Object o : tuple) {
        save(o);
      }
      tuplesInProgress.remove(tuple);
      op(
          switch (tuple.length) {
            case 1 -> TUPLE1;
            case 2 -> TUPLE2;
            case 3 -> TUPLE3;
            default -> TUPLE;
          });
      memoize(tuple);
    }

    /** Items in batches, as pickle writes them; {@code single} for a batch of one, if any. */
    void saveBatches(Collection<?> items, int batchOp, int single) throws NotSerializableException {
      List<Object> all = new ArrayList<>(items);
      for (int from = 0; from < all.size(); from += BATCH) {
        int to = Math.min(from + BATCH, all.size());
        if (to - from == 1 && single >= 0) {
          save(all.get(from));
          op(single);
          continue;
        }
        op(MARK);
        for (int i = from; i < to; i++) {
          save(all.get(i));
        }
        op(batchOp);
      }
    }

    void saveDict(Map<?, ?> map) throws NotSerializableException {
      List<Map.Entry<?, ?>> all = new ArrayList<>(map.entrySet());
      for (int from = 0; from < all.size(); from += BATCH) {
        int to = Math.min(from + BATCH, all.size());
        if (to - from > 1) {
          op(MARK);
        }
        for (int i = from; i < to; i++) {
          save(all.get(i).getKey());
          save(all.get(i).getValue());
        }
        op(to - from > 1 ? SETITEMS : SETITEM);
      }
    }
  }

  // ---------------------------------------------------------------- reading

  /**
   * The object pickled in {@code data[offset, offset+length)}.
   *
   * @throws StreamCorruptedException (an {@link IOException}) if the bytes are not a pickle of the
   *     types above, with the reason: truncated, an unknown or unsupported opcode, or a global
   *     other than the few builtins protocol 2 uses for plain data
   */
  public static Object read(byte[] data, int offset, int length) throws IOException {
    ByteBuffer in = ByteBuffer.wrap(data, offset, length).order(ByteOrder.LITTLE_ENDIAN);
    List<Object> stack = new ArrayList<>();
    int[] marks = new int[8];
    int markCount = 0;
    List<Object> memo = new ArrayList<>();
    try {
      while (true) {
        int op = in.get() & 0xff;
        switch (op) {
          case PROTO -> {
            int p = in.get() & 0xff;
            if (p > PROTOCOL) {
              throw corrupt("unsupported pickle protocol: " + p);
            }
          }
          case FRAME -> in.getLong();
          case STOP -> {
            if (stack.size() != 1 || markCount != 0) {
              throw corrupt("STOP with " + stack.size() + " objects on the stack");
            }
            if (in.hasRemaining()) {
              throw corrupt(in.remaining() + " bytes after STOP");
            }
            return stack.get(0);
          }
          case MARK -> {
            if (markCount == marks.length) {
              marks = Arrays.copyOf(marks, markCount * 2);
            }
            marks[markCount++] = stack.size();
            stack.add(MARK_OBJECT);
          }
          case POP -> pop(stack);
          case POP_MARK -> {
            int m = popMark(marks, markCount--);
            truncate(stack, m);
          }
          case DUP -> stack.add(top(stack));
          case NONE -> stack.add(null);
          case NEWTRUE -> stack.add(Boolean.TRUE);
          case NEWFALSE -> stack.add(Boolean.FALSE);
          case BININT -> stack.add(in.getInt());
          case BININT1 -> stack.add(in.get() & 0xff);
          case BININT2 -> stack.add(in.getShort() & 0xffff);
          case LONG1 -> stack.add(readLong(in, in.get() & 0xff));
          case LONG4 -> stack.add(readLong(in, size(in.getInt() & 0xffffffffL)));
          case BINFLOAT -> {
            stack.add(in.order(ByteOrder.BIG_ENDIAN).getDouble());
            in.order(ByteOrder.LITTLE_ENDIAN);
          }
          case SHORT_BINUNICODE -> stack.add(Utf8.decode(bytes(in, in.get() & 0xff)));
          case BINUNICODE -> stack.add(Utf8.decode(bytes(in, size(in.getInt() & 0xffffffffL))));
          case BINUNICODE8 -> stack.add(Utf8.decode(bytes(in, size(in.getLong()))));
          case SHORT_BINSTRING -> stack.add(latin1(bytes(in, in.get() & 0xff)));
          case BINSTRING -> stack.add(latin1(bytes(in, size(in.getInt()))));
          case SHORT_BINBYTES -> stack.add(bytes(in, in.get() & 0xff));
          case BINBYTES -> stack.add(bytes(in, size(in.getInt() & 0xffffffffL)));
          case BINBYTES8 -> stack.add(bytes(in, size(in.getLong())));
          case BYTEARRAY8 -> stack.add(ByteBuffer.wrap(bytes(in, size(in.getLong()))));
          case EMPTY_TUPLE -> stack.add(new Object[0]);
          case TUPLE1, TUPLE2, TUPLE3 -> {
            int n = op - TUPLE1 + 1;
            if (stack.size() < n) {
              throw corrupt("tuple of " + n + " on a stack of " + stack.size());
            }
            Object[] t = new Object[n];
            for (int i = n - 1; i >= 0; i--) {
              t[i] = pop(stack);
            }
            stack.add(t);
          }
          case TUPLE -> {
            int m = popMark(marks, markCount--);
            Object[] t = stack.subList(m + 1, stack.size()).toArray();
            truncate(stack, m);
            stack.add(t);
          }
          case EMPTY_LIST -> stack.add(new ArrayList<>());
          case APPEND -> {
            Object item = pop(stack);
            Pickle.<List<Object>>as(List.class, top(stack), "APPEND").add(item);
          }
          case APPENDS -> {
            int m = popMark(marks, markCount--);
            List<Object> items = new ArrayList<>(stack.subList(m + 1, stack.size()));
            truncate(stack, m);
            Pickle.<List<Object>>as(List.class, top(stack), "APPENDS").addAll(items);
          }
          case EMPTY_DICT -> stack.add(new LinkedHashMap<>());
          case SETITEM -> {
            Object v = pop(stack);
            Object k = pop(stack);
            Pickle.<Map<Object, Object>>as(Map.class, top(stack), "SETITEM").put(k, v);
          }
          case SETITEMS -> {
            int m = popMark(marks, markCount--);
            List<Object> items = new ArrayList<>(stack.subList(m + 1, stack.size()));
            truncate(stack, m);
            if (items.size() % 2 != 0) {
              throw corrupt("SETITEMS with an odd number of items");
            }
            Map<Object, Object> map =
                Pickle.<Map<Object, Object>>as(Map.class, top(stack), "SETITEMS");
            for (int i = 0; i < items.size(); i += 2) {
              map.put(items.get(i), items.get(i + 1));
            }
          }
          case EMPTY_SET -> stack.add(new LinkedHashSet<>());
          case ADDITEMS -> {
            int m = popMark(marks, markCount--);
            List<Object> items = new ArrayList<>(stack.subList(m + 1, stack.size()));
            truncate(stack, m);
            Object target = top(stack);
            if (target instanceof FrozenSet || !(target instanceof Set)) {
              throw corrupt("ADDITEMS on a " + typeName(target));
            }
            Pickle.<Set<Object>>as(Set.class, target, "ADDITEMS").addAll(items);
          }
          case FROZENSET -> {
            int m = popMark(marks, markCount--);
            FrozenSet<Object> f = FrozenSet.of(stack.subList(m + 1, stack.size()));
            truncate(stack, m);
            stack.add(f);
          }
          case MEMOIZE -> memo.add(top(stack));
          case BINPUT -> put(memo, in.get() & 0xff, top(stack));
          case LONG_BINPUT -> put(memo, size(in.getInt() & 0xffffffffL), top(stack));
          case BINGET -> stack.add(get(memo, in.get() & 0xff));
          case LONG_BINGET -> stack.add(get(memo, size(in.getInt() & 0xffffffffL)));
          case GLOBAL -> stack.add(builtin(line(in), line(in)));
          case STACK_GLOBAL -> {
            Object name = pop(stack);
            Object module = pop(stack);
            if (!(module instanceof String m) || !(name instanceof String n)) {
              throw corrupt("STACK_GLOBAL needs two strings");
            }
            stack.add(builtin(m, n));
          }
          case REDUCE -> {
            Object args = pop(stack);
            Object callable = pop(stack);
            if (!(callable instanceof Builtin b) || !(args instanceof Object[] a)) {
              throw corrupt("REDUCE of a " + typeName(callable));
            }
            stack.add(call(b, a));
          }
          default ->
              throw corrupt(
                  String.format(
                      "opcode 0x%02x is not part of plain data (only %s are received)", op, TYPES));
        }
      }
    } catch (java.nio.BufferUnderflowException e) {
      throw corrupt("pickle data was truncated");
    } catch (IndexOutOfBoundsException e) {
      throw corrupt("pickle data refers to what is not there: " + e.getMessage());
    }
  }

  private static Object call(Builtin b, Object[] args) throws IOException {
    switch (b) {
      case BYTEARRAY:
        if (args.length == 0) {
          return ByteBuffer.allocate(0);
        }
        if (args.length == 1 && args[0] instanceof byte[] bytes) {
          return ByteBuffer.wrap(bytes);
        }
        if (args.length == 2 && args[0] instanceof String s && args[1] instanceof String) {
          return ByteBuffer.wrap(s.getBytes(StandardCharsets.ISO_8859_1));
        }
        break;
      case BYTES:
        if (args.length == 0) {
          return new byte[0];
        }
        break;
      case SET:
      case FROZENSET:
        Collection<?> items = List.of();
        if (args.length == 1 && args[0] instanceof Collection<?> c) {
          items = c;
        } else if (args.length != 0) {
          break;
        }
        return b == Builtin.SET ? new LinkedHashSet<>(items) : FrozenSet.of(items);
      case ENCODE:
        if (args.length == 2
            && args[0] instanceof String s
            && ("latin1".equals(args[1]) || "latin-1".equals(args[1]))) {
          return s.getBytes(StandardCharsets.ISO_8859_1);
        }
        break;
      default:
        break;
    }
    throw corrupt("unexpected arguments for " + b.name().toLowerCase() + "()");
  }

  private static Builtin builtin(String module, String name) throws IOException {
    boolean builtins = module.equals("builtins") || module.equals("__builtin__");
    if (builtins) {
      switch (name) {
        case "bytearray":
          return Builtin.BYTEARRAY;
        case "bytes":
          return Builtin.BYTES;
        case "set":
          return Builtin.SET;
        case "frozenset":
          return Builtin.FROZENSET;
        default:
          break;
      }
    } else if (module.equals("_codecs") && name.equals("encode")) {
      return Builtin.ENCODE;
    }
    throw corrupt(
        "refusing to unpickle global " + module + "." + name + ": only " + TYPES + " are received");
  }

  private static String line(ByteBuffer in) throws IOException {
    StringBuilder s = new StringBuilder();
    while (true) {
      byte c = in.get();
      if (c == '\n') {
        return s.toString();
      }
      s.append((char) (c & 0xff));
      if (s.length() > 256) {
        throw corrupt("GLOBAL name too long");
      }
    }
  }

  private static Object readLong(ByteBuffer in, int n) {
    if (n == 0) {
      return 0;
    }
    byte[] bigEndian = new byte[n];
    for (int i = n - 1; i >= 0; i--) {
      bigEndian[i] = in.get();
    }
    return normalize(new BigInteger(bigEndian));
  }

  /** The smallest of Integer, Long, BigInteger that holds {@code v}. */
  private static Object normalize(BigInteger v) {
    int bits = v.bitLength();
    if (bits < 32) {
      return v.intValue();
    }
    if (bits < 64) {
      return v.longValue();
    }
    return v;
  }

  private static int size(long n) throws IOException {
    if (n < 0 || n > Integer.MAX_VALUE - 8) {
      throw corrupt("a length of " + n + " bytes does not fit a Java array");
    }
    return (int) n;
  }

  private static byte[] bytes(ByteBuffer in, int n) {
    if (n > in.remaining()) {
      throw new java.nio.BufferUnderflowException();
    }
    byte[] b = new byte[n];
    in.get(b);
    return b;
  }

  private static String latin1(byte[] b) {
    return new String(b, StandardCharsets.ISO_8859_1);
  }

  private static int popMark(int[] marks, int count) throws IOException {
    if (count == 0) {
      throw corrupt("no MARK to pop");
    }
    return marks[count - 1];
  }

  private static void truncate(List<Object> stack, int size) {
    stack.subList(size, stack.size()).clear();
  }

  private static Object pop(List<Object> stack) throws IOException {
    Object o = top(stack);
    stack.remove(stack.size() - 1);
    return o;
  }

  private static Object top(List<Object> stack) throws IOException {
    if (stack.isEmpty()) {
      throw corrupt("the stack is empty");
    }
    Object o = stack.get(stack.size() - 1);
    if (o == MARK_OBJECT) {
      throw corrupt("a MARK where an object was expected");
    }
    return o;
  }

  private static void put(List<Object> memo, int index, Object o) {
    while (memo.size() <= index) {
      memo.add(null);
    }
    memo.set(index, o);
  }

  private static Object get(List<Object> memo, int index) throws IOException {
    if (index >= memo.size()) {
      throw corrupt("memo " + index + " was never stored");
    }
    return memo.get(index);
  }

  @SuppressWarnings("unchecked")
  private static <T> T as(Class<?> type, Object o, String op) throws IOException {
    if (!type.isInstance(o)) {
      throw corrupt(op + " on a " + typeName(o));
    }
    return (T) o;
  }

  private static String typeName(Object o) {
    return o == null ? "None" : o.getClass().getSimpleName();
  }

  private static StreamCorruptedException corrupt(String why) {
    return new StreamCorruptedException("not a pickle of plain data: " + why);
  }

  /** UTF-8 with lone surrogates kept as three bytes each, as Python's {@code surrogatepass}. */
  static final class Utf8 {
    private Utf8() {}

    static byte[] encode(String s) {
      byte[] out = new byte[s.length() * 3];
      int n = 0;
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c < 0x80) {
          out[n++] = (byte) c;
        } else if (c < 0x800) {
          out[n++] = (byte) (0xc0 | (c >> 6));
          out[n++] = (byte) (0x80 | (c & 0x3f));
        } else if (Character.isHighSurrogate(c)
            && i + 1 < s.length()
            && Character.isLowSurrogate(s.charAt(i + 1))) {
          int cp = Character.toCodePoint(c, s.charAt(++i));
          out[n++] = (byte) (0xf0 | (cp >> 18));
          out[n++] = (byte) (0x80 | ((cp >> 12) & 0x3f));
          out[n++] = (byte) (0x80 | ((cp >> 6) & 0x3f));
          out[n++] = (byte) (0x80 | (cp & 0x3f));
        } else {
          out[n++] = (byte) (0xe0 | (c >> 12));
          out[n++] = (byte) (0x80 | ((c >> 6) & 0x3f));
          out[n++] = (byte) (0x80 | (c & 0x3f));
        }
      }
      return Arrays.copyOf(out, n);
    }

    static String decode(byte[] b) throws IOException {
      StringBuilder s = new StringBuilder(b.length);
      int i = 0;
      while (i < b.length) {
        int c = b[i] & 0xff;
        int cp;
        int extra;
        if (c < 0x80) {
          s.append((char) c);
          i++;
          continue;
        } else if (c >= 0xc2 && c < 0xe0) {
          cp = c & 0x1f;
          extra = 1;
        } else if (c >= 0xe0 && c < 0xf0) {
          cp = c & 0x0f;
          extra = 2;
        } else if (c >= 0xf0 && c < 0xf5) {
          cp = c & 0x07;
          extra = 3;
        } else {
          throw corrupt("invalid UTF-8 in a str");
        }
        if (i + extra >= b.length) {
          throw corrupt("truncated UTF-8 in a str");
        }
        for (int k = 1; k <= extra; k++) {
          int cc = b[i + k] & 0xff;
          if ((cc & 0xc0) != 0x80) {
            throw corrupt("invalid UTF-8 in a str");
          }
          cp = (cp << 6) | (cc & 0x3f);
        }
        if ((extra == 2 && cp < 0x800) || (extra == 3 && (cp < 0x10000 || cp > 0x10ffff))) {
          throw corrupt("overlong UTF-8 in a str");
        }
        s.appendCodePoint(cp);
        i += extra + 1;
      }
      return s.toString();
    }
  }
}

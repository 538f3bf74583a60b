package dev.gil4j.multiprocessing;

import dev.gil4j.multiprocessing.internal.Sockets;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Cleaner;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The memory of a {@link Value} or an {@link Array}: {@code length} C values of one typecode in a
 * file that the creating process and each child map, so that a store in one process is seen by a
 * load in another without a system call.
 *
 * <p>Design: the JDK can neither fork nor pass a descriptor to a child, so CPython's way (an
 * anonymous arena inherited or sent over a socket) is not open; a named file is. It lives in a
 * directory only this user can enter, on {@code /dev/shm} (memory, never written to disk) where
 * there is one, else in the temporary directory. The creating process unlinks the file when its
 * object becomes unreachable there or the process exits; mappings made by then stay valid, so
 * children that already have the object keep it. A creating process killed by a signal leaves its
 * directory behind.
 *
 * <p>Every access is a volatile load or store of the whole element (elements are aligned to their
 * size): a store is seen by the next load in any process, and a store of 8 bytes is never seen
 * torn. A read-modify-write is not atomic: that is what the object's lock is for, as in CPython.
 */
final class SharedMemory {
  private static final VarHandle SHORT =
      MethodHandles.byteBufferViewVarHandle(short[].class, ByteOrder.nativeOrder());
  private static final VarHandle INT =
      MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());
  private static final VarHandle LONG =
      MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
  private static final VarHandle FLOAT =
      MethodHandles.byteBufferViewVarHandle(float[].class, ByteOrder.nativeOrder());
  private static final VarHandle DOUBLE =
      MethodHandles.byteBufferViewVarHandle(double[].class, ByteOrder.nativeOrder());

  /** Its thread is gil4j's own (named {@code gil4j-…}), so it never takes the GIL. */
  private static final Cleaner CLEANER =
      Cleaner.create(r -> new Thread(r, "gil4j-shared-memory-cleaner"));

  private static final AtomicLong NEXT = new AtomicLong();
  private static final Set<Path> LIVE = ConcurrentHashMap.newKeySet();
  private static Path directory;

  private final char typecode;
  private final int length;
  private final Path file;
  private final MappedByteBuffer buffer;

  private SharedMemory(char typecode, int length, Path file, MappedByteBuffer buffer) {
    this.typecode = typecode;
    this.length = length;
    this.file = file;
    this.buffer = buffer;
  }

  /**
   * New zeroed memory for {@code length} values of {@code typecode}, owned by this process; {@code
   * owner} is the object whose reachability keeps the file.
   */
  static SharedMemory create(char typecode, int length, Object owner) throws IOException {
    int size = size(typecode);
    if (length < 0) {
      throw new IllegalArgumentException("array size must be >= 0, not " + length);
    }
    Path file = directory().resolve(Long.toString(NEXT.incrementAndGet()));
    LIVE.add(file);
    try (FileChannel ch =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE_NEW,
            StandardOpenOption.READ,
            StandardOpenOption.WRITE)) {
      MappedByteBuffer buffer = ch.map(FileChannel.MapMode.READ_WRITE, 0, (long) size * length);
      CLEANER.register(owner, () -> unlink(file));
      return new SharedMemory(typecode, length, file, buffer);
    } catch (IOException | RuntimeException e) {
      unlink(file);
      throw e;
    }
  }

  /** Maps memory that another process created. */
  static SharedMemory map(char typecode, int length, Path file) throws IOException {
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      long bytes = (long) size(typecode) * length;
      return new SharedMemory(
          typecode, length, file, ch.map(FileChannel.MapMode.READ_WRITE, 0, bytes));
    }
  }

  private static void unlink(Path file) {
    LIVE.remove(file);
    Sockets.deleteQuietly(file);
  }

  private static synchronized Path directory() throws IOException {
    if (directory == null) {
      Path shm = Path.of("/dev/shm");
      Path dir =
          Files.isDirectory(shm) && Files.isWritable(shm)
              ? Files.createTempDirectory(
                  shm,
                  "gil4j-",
                  PosixFilePermissions.asFileAttribute(
                      PosixFilePermissions.fromString("rwx------")))
              : Sockets.privateDirectory();
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    LIVE.forEach(Sockets::deleteQuietly);
                    Sockets.deleteQuietly(dir);
                  },
                  "gil4j-shared-memory-cleanup"));
      directory = dir;
    }
    return directory;
  }

  /**
   * The size in bytes of a C value of {@code typecode} (CPython's {@code array}/{@code ctypes}
   * codes on a 64-bit Unix).
   */
  static int size(char typecode) {
    return switch (typecode) {
      case 'c', 'b', 'B' -> 1;
      case 'h', 'H' -> 2;
      case 'i', 'I', 'f' -> 4;
      case 'l', 'L', 'q', 'Q', 'd' -> 8;
      default ->
          throw new IllegalArgumentException(
              "bad typecode (must be c, b, B, h, H, i, I, l, L, q, Q, f or d): '" + typecode + "'");
    };
  }

  static boolean isFloat(char typecode) {
    return typecode == 'f' || typecode == 'd';
  }

  char typecode() {
    return typecode;
  }

  int length() {
    return length;
  }

  Path file() {
    return file;
  }

  /**
   * Element {@code i} as a long: signed codes sign-extended, unsigned ones zero-extended ({@code L}
   * and {@code Q} above {@link Long#MAX_VALUE} read negative, as Java's unsigned longs do).
   */
  long getLong(int i) {
    return switch (typecode) {
      case 'c', 'b' -> byteAt(i);
      case 'B' -> byteAt(i) & 0xffL;
      case 'h' -> (short) SHORT.getVolatile(buffer, i * 2);
      case 'H' -> (short) SHORT.getVolatile(buffer, i * 2) & 0xffffL;
      case 'i' -> (int) INT.getVolatile(buffer, i * 4);
      case 'I' -> (int) INT.getVolatile(buffer, i * 4) & 0xffff_ffffL;
      case 'f' -> (long) (float) FLOAT.getVolatile(buffer, i * 4);
      case 'd' -> (long) (double) DOUBLE.getVolatile(buffer, i * 8);
      default -> (long) LONG.getVolatile(buffer, i * 8);
    };
  }

  /** Element {@code i} as a double. */
  double getDouble(int i) {
    return switch (typecode) {
      case 'f' -> (float) FLOAT.getVolatile(buffer, i * 4);
      case 'd' -> (double) DOUBLE.getVolatile(buffer, i * 8);
      case 'L', 'Q' -> {
        long v = getLong(i);
        yield v >= 0 ? v : (v >>> 1) * 2.0 + (v & 1);
      }
      default -> getLong(i);
    };
  }

  /** Stores {@code v} in element {@code i}, truncated to the C type's width as ctypes does. */
  void setLong(int i, long v) {
    switch (typecode) {
      case 'c', 'b', 'B' -> {
        buffer.put(i, (byte) v);
        // release and acquire: the plain store is ordered as the volatile ones are
        VarHandle.fullFence();
      }
      case 'h', 'H' -> SHORT.setVolatile(buffer, i * 2, (short) v);
      case 'i', 'I' -> INT.setVolatile(buffer, i * 4, (int) v);
      case 'f' -> FLOAT.setVolatile(buffer, i * 4, (float) v);
      case 'd' -> DOUBLE.setVolatile(buffer, i * 8, (double) v);
      default -> LONG.setVolatile(buffer, i * 8, v);
    }
  }

  /**
   * Stores {@code v} in element {@code i} of a float typecode.
   *
   * @throws IllegalArgumentException for an integer typecode ("int expected instead of float",
   *     ctypes' {@code TypeError})
   */
  void setDouble(int i, double v) {
    switch (typecode) {
      case 'f' -> FLOAT.setVolatile(buffer, i * 4, (float) v);
      case 'd' -> DOUBLE.setVolatile(buffer, i * 8, v);
      default -> throw new IllegalArgumentException("int expected instead of float");
    }
  }

  private byte byteAt(int i) {
    VarHandle.fullFence();
    return buffer.get(i);
  }

  /** ctypes' name of the C type, as in {@code c_int}. */
  String ctypeName() {
    return switch (typecode) {
      case 'c' -> "c_char";
      case 'b' -> "c_byte";
      case 'B' -> "c_ubyte";
      case 'h' -> "c_short";
      case 'H' -> "c_ushort";
      case 'i' -> "c_int";
      case 'I' -> "c_uint";
      case 'l' -> "c_long";
      case 'L' -> "c_ulong";
      case 'q' -> "c_longlong";
      case 'Q' -> "c_ulonglong";
      case 'f' -> "c_float";
      default -> "c_double";
    };
  }

  /** Element {@code i} as Python prints it. */
  String format(int i) {
    if (isFloat(typecode)) {
      return Double.toString(getDouble(i));
    }
    if (typecode == 'L' || typecode == 'Q') {
      return Long.toUnsignedString(getLong(i));
    }
    return Long.toString(getLong(i));
  }
}

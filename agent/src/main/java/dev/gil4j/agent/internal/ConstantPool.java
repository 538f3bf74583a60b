package dev.gil4j.agent.internal;

import java.nio.charset.StandardCharsets;
import java.util.Collection;

/**
 * Reads a class file's constant pool, and nothing else, to tell whether it names any of a few
 * strings: a class, a method or a field it refers to. Much cheaper than parsing the class, so that
 * classes the weaver would leave as they are never reach it (with the GIL off, most of them: only a
 * class that constructs a synchronizer or calls {@code wait} changes).
 */
final class ConstantPool {
  private ConstantPool() {}

  /** {@code names} as {@link #namesAny} takes them. */
  static byte[][] ascii(Collection<String> names) {
    byte[][] out = new byte[names.size()][];
    int i = 0;
    for (String n : names) {
      out[i++] = n.getBytes(StandardCharsets.US_ASCII);
    }
    return out;
  }

  /**
   * Whether one of the constant pool's strings ({@code CONSTANT_Utf8}) is one of {@code wanted}
   * ({@link #ascii}: class names in internal form, member names). True also for a class file this
   * cannot read, so that the caller looks closer.
   */
  static boolean namesAny(byte[] classFile, byte[][] wanted) {
    try {
      int count = u2(classFile, 8);
      int at = 10;
      for (int i = 1; i < count; i++) {
        int tag = classFile[at];
        switch (tag) {
          case 1 -> { // Utf8: length, bytes
            int length = u2(classFile, at + 1);
            for (byte[] name : wanted) {
              if (equal(classFile, at + 3, length, name)) {
                return true;
              }
            }
            at += 3 + length;
          }
          case 7, 8, 16, 19, 20 -> at += 3; // Class, String, MethodType, Module, Package
          case 15 -> at += 4; // MethodHandle
          case 3, 4, 9, 10, 11, 12, 17, 18 ->
              at += 5; // Integer, Float, refs, NameAndType, (Invoke)Dynamic
          case 5, 6 -> { // Long, Double: two entries
            at += 9;
            i++;
          }
          default -> {
            return true;
          }
        }
      }
      return false;
    } catch (ArrayIndexOutOfBoundsException truncated) {
      return true;
    }
  }

  private static int u2(byte[] b, int at) {
    return (b[at] & 0xFF) << 8 | (b[at + 1] & 0xFF);
  }

  private static boolean equal(byte[] b, int at, int length, byte[] name) {
    if (length != name.length) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      if (b[at + i] != name[i]) {
        return false;
      }
    }
    return true;
  }
}

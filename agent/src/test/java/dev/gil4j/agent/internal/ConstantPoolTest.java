package dev.gil4j.agent.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gil4j.agent.internal.fixtures.LoopShapes;
import dev.gil4j.agent.internal.fixtures.Monitored;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;

class ConstantPoolTest {
  private static final List<String> NAMES = new ArrayList<>(AppTransformer.SWAPS.keySet());

  static {
    NAMES.add("wait");
  }

  private static final byte[][] WANTED = ConstantPool.ascii(NAMES);

  @Test
  void findsWhatTheWeaverChangesWithoutTheGil() throws IOException {
    assertTrue(ConstantPool.namesAny(classFile(Monitored.class), WANTED), "calls wait");
    assertTrue(
        ConstantPool.namesAny(classFile(java.util.concurrent.ArrayBlockingQueue.class), WANTED),
        "constructs a ReentrantLock");
    assertFalse(ConstantPool.namesAny(classFile(LoopShapes.class), WANTED));
    assertFalse(ConstantPool.namesAny(classFile(String.class), WANTED));
  }

  /**
   * Every class file of java.base (Long and Double constants, method handles, dynamic constants,
   * module-info's Module and Package entries) and of these tests: the answer is ASM's.
   */
  @Test
  void readsTheConstantPoolAsAsmDoes() throws IOException {
    int checked = 0;
    int found = 0;
    FileSystem jrt = FileSystems.getFileSystem(URI.create("jrt:/"));
    try (Stream<Path> files = Files.walk(jrt.getPath("/modules/java.base"))) {
      for (Path p : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".class"))::iterator) {
        byte[] file = Files.readAllBytes(p);
        boolean expected = asmNamesAny(file);
        assertEquals(expected, ConstantPool.namesAny(file, WANTED), p.toString());
        checked++;
        found += expected ? 1 : 0;
      }
    }
    for (Class<?> c : new Class<?>[] {Monitored.class, LoopShapes.class, getClass()}) {
      byte[] file = classFile(c);
      assertEquals(asmNamesAny(file), ConstantPool.namesAny(file, WANTED), c.getName());
    }
    assertTrue(checked > 5000 && found > 50 && found < checked / 2, checked + " / " + found);
  }

  @Test
  void aFileItCannotReadIsLookedAtCloser() {
    assertTrue(ConstantPool.namesAny(new byte[] {(byte) 0xCA, (byte) 0xFE, 0, 0, 0, 0}, WANTED));
    byte[] unknownTag = {(byte) 0xCA, (byte) 0xFE, (byte) 0xBA, (byte) 0xBE, 0, 0, 0, 61, 0, 2, 99};
    assertTrue(ConstantPool.namesAny(unknownTag, WANTED));
  }

  private static boolean asmNamesAny(byte[] file) {
    ClassReader r = new ClassReader(file);
    Set<String> wanted = new HashSet<>(NAMES);
    for (int i = 1; i < r.getItemCount(); i++) {
      // ASM's offset of entry i is just past its tag; the second slot of a Long or Double is 0
      int at = r.getItem(i);
      if (at > 0 && file[at - 1] == 1) {
        String utf8 =
            new String(file, at + 2, r.readUnsignedShort(at), StandardCharsets.ISO_8859_1);
        if (wanted.contains(utf8)) {
          return true;
        }
      }
    }
    return false;
  }

  private static byte[] classFile(Class<?> c) throws IOException {
    try (InputStream in = c.getResourceAsStream(c.getSimpleName() + ".class")) {
      return in.readAllBytes();
    }
  }
}

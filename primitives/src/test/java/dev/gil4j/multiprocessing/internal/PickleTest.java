package dev.gil4j.multiprocessing.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.NotSerializableException;
import java.io.StreamCorruptedException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Pickle}'s limits; {@code PickleInteropTest} checks every type against CPython. */
class PickleTest {
  @Test
  void deepNestingIsReadWithoutRecursion() throws Exception {
    int depth = 200_000;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(new byte[] {(byte) 0x80, 5});
    for (int i = 0; i < depth; i++) {
      out.write(']');
    }
    for (int i = 0; i < depth - 1; i++) {
      out.write('a');
    }
    out.write('.');
    byte[] data = out.toByteArray();
    Object o = Pickle.read(data, 0, data.length);
    for (int i = 0; i < depth - 1; i++) {
      o = ((List<?>) o).get(0);
    }
    assertEquals(List.of(), o);
  }

  @Test
  void aGlobalIsRefusedBeforeAnythingRuns() {
    // pickle.dumps(os.system) with protocol 2 names posix.system
    byte[] data =
        "\u0080\u0002cposix\nsystem\nq\u0000."
            .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    StreamCorruptedException e =
        assertThrows(StreamCorruptedException.class, () -> Pickle.read(data, 0, data.length));
    assertTrue(e.getMessage().contains("refusing to unpickle global posix.system"), e.getMessage());
  }

  @Test
  void truncatedAndForeignBytesAreRefused() {
    byte[] javaSerialized = {(byte) 0xac, (byte) 0xed, 0, 5};
    assertThrows(
        StreamCorruptedException.class, () -> Pickle.read(javaSerialized, 0, 4), "not a pickle");
    byte[] truncated = {(byte) 0x80, 5, 'X', 10, 0, 0, 0, 'a'};
    assertThrows(StreamCorruptedException.class, () -> Pickle.read(truncated, 0, 8));
  }

  @Test
  void aTupleThatHoldsItselfCannotBeWritten() {
    Object[] tuple = new Object[1];
    List<Object> list = new ArrayList<>();
    tuple[0] = list;
    list.add(tuple);
    assertThrows(NotSerializableException.class, () -> Pickle.write(tuple));
    List<Object> self = new ArrayList<>();
    self.add(self);
    assertEquals(self.size(), 1);
    byte[] data = assertDoesNotThrowWrite(self);
    assertTrue(data.length > 0, "a list that holds itself is written with a memo reference");
  }

  private static byte[] assertDoesNotThrowWrite(Object o) {
    try {
      return Pickle.write(o);
    } catch (NotSerializableException e) {
      throw new AssertionError(e);
    }
  }
}

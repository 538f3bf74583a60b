package dev.gil4j.agent.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gil4j.agent.internal.fixtures.LoopShapes;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.JumpInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.util.CheckClassAdapter;

/**
 * Strip-mines real loops of every shape javac emits, verifies the class, loads it, and checks that
 * each method computes what the original does, at the edges of the int range too, while passing a
 * checkpoint once per chunk — with chunks so small that every loop is cut many times.
 */
class StripMinerTest {
  private static byte[] original;

  @BeforeAll
  static void read() throws IOException {
    try (InputStream in = LoopShapes.class.getResourceAsStream("LoopShapes.class")) {
      original = in.readAllBytes();
    }
  }

  /** Checks counted instead of made: the woven class calls this in place of the hooks. */
  public static final class CountingHooks {
    /** Chunk ends that looked for the GIL's request. */
    public static long checkpoints;

    /** Whether the GIL requests checkpoints, as chunk ends see it. */
    public static boolean requested;

    /** Checkpoints passed. */
    public static long taken;

    private CountingHooks() {}

    public static boolean checkpointRequested() {
      checkpoints++;
      return requested;
    }

    public static void checkpoint() {
      taken++;
    }
  }

  private static Map<String, MethodNode> methods(byte[] bytes) {
    ClassNode cn = new ClassNode();
    new ClassReader(bytes).accept(cn, 0);
    Map<String, MethodNode> out = new HashMap<>();
    for (MethodNode m : cn.methods) {
      out.put(m.name, m);
    }
    return out;
  }

  /** The woven class with its checkpoints counted, verified and defined in a loader of its own. */
  private static Class<?> wovenCounting(int chunk) {
    byte[] woven = CheckpointWeaver.weave(original, true, Map.of(), chunk);
    assertNotNull(woven);
    StringWriter problems = new StringWriter();
    CheckClassAdapter.verify(new ClassReader(woven), false, new PrintWriter(problems));
    assertEquals("", problems.toString());
    ClassNode cn = new ClassNode();
    new ClassReader(woven).accept(cn, 0);
    String counting = CountingHooks.class.getName().replace('.', '/');
    for (MethodNode m : cn.methods) {
      for (AbstractInsnNode i : m.instructions) {
        if (i instanceof MethodInsnNode call && call.owner.equals(CheckpointWeaver.HOOKS)) {
          call.owner = counting;
        }
      }
    }
    ClassWriter writer = new ClassWriter(0);
    cn.accept(writer);
    byte[] bytes = writer.toByteArray();
    return new Loader().define(LoopShapes.class.getName(), bytes);
  }

  /**
   * The instructions of the innermost loop (between a backward jump and its target) that contains
   * an instruction with {@code opcode}, and whether a checkpoint lies in it.
   */
  static boolean innermostLoopWithHasCheckpoint(MethodNode m, int opcode) {
    AbstractInsnNode[] insns = m.instructions.toArray();
    Map<AbstractInsnNode, Integer> index = new HashMap<>();
    for (int i = 0; i < insns.length; i++) {
      index.put(insns[i], i);
    }
    int bestFrom = -1;
    int bestTo = Integer.MAX_VALUE / 2;
    for (int i = 0; i < insns.length; i++) {
      if (insns[i] instanceof JumpInsnNode j && index.get(j.label) < i) {
        int from = index.get(j.label);
        boolean has = false;
        for (int k = from; k <= i; k++) {
          has |= insns[k].getOpcode() == opcode;
        }
        if (has && i - from < bestTo - bestFrom) {
          bestFrom = from;
          bestTo = i;
        }
      }
    }
    assertTrue(bestFrom >= 0, m.name + " has no loop with opcode " + opcode);
    for (int k = bestFrom; k <= bestTo; k++) {
      if (insns[k] instanceof MethodInsnNode c && c.name.equals("checkpoint")) {
        return true;
      }
    }
    return false;
  }

  @Test
  void countedPureLoopsGetCheckpointsOutsideTheirInnerChunkLoop() {
    Map<String, MethodNode> woven = methods(CheckpointWeaver.weave(original, true, Map.of(), 0));
    // iaload/iastore: the array work; imul: the arithmetic of loops without arrays
    for (String name : List.of("dot", "down", "whileLoop", "forEach", "indexOf", "divideAll")) {
      assertTrue(
          !innermostLoopWithHasCheckpoint(woven.get(name), org.objectweb.asm.Opcodes.IALOAD),
          name + ": the array loop C2 vectorizes must stay free of checkpoints");
      assertTrue(hasCheckpoint(woven.get(name)), name + ": one checkpoint per chunk");
    }
    for (String name :
        List.of(
            "upToInclusive",
            "downByThree",
            "byTwo",
            "limitFirst",
            "countDownToZero",
            "doWhile",
            "doWhileContinue",
            "skipOdd",
            "fieldLimit")) {
      assertTrue(
          !innermostLoopWithHasCheckpoint(woven.get(name), org.objectweb.asm.Opcodes.IMUL),
          name + " is counted: its chunk loop must stay free of checkpoints");
    }
    for (String name : List.of("lcg", "longCounterIntLimit", "doWhileLong", "staticLimit")) {
      assertTrue(
          !innermostLoopWithHasCheckpoint(woven.get(name), org.objectweb.asm.Opcodes.LMUL),
          name + " has a long counter: its chunk loop must stay free of checkpoints");
    }
  }

  /**
   * An innermost loop whose rest fits in its budget runs as javac compiled it: its instructions,
   * test and back-edge included, appear unchanged in the woven method, so that C2 compiles the loop
   * it would without the agent; the strip-mined copy beside it runs only when the rest does not
   * fit.
   */
  @Test
  void anInnermostLoopThatFitsItsBudgetRunsUnchanged() {
    Map<String, MethodNode> before = methods(original);
    Map<String, MethodNode> woven = methods(CheckpointWeaver.weave(original, true, Map.of(), 0));
    for (String name : List.of("add", "dot", "nested", "skipOdd", "lcg", "down", "mixedLocals")) {
      List<Integer> loop = innermostLoopOpcodes(before.get(name));
      List<Integer> all = opcodes(woven.get(name).instructions.toArray(), 0, Integer.MAX_VALUE);
      assertTrue(
          Collections.indexOfSubList(all, loop) >= 0, name + ": the original loop, unchanged");
    }
    // A handler inside the loop: one strip-mined copy only, as copying it would copy the handler.
    List<Integer> loop = innermostLoopOpcodes(before.get("divideAll"));
    List<Integer> all =
        opcodes(woven.get("divideAll").instructions.toArray(), 0, Integer.MAX_VALUE);
    assertTrue(Collections.indexOfSubList(all, loop) < 0, "divideAll is strip-mined in place");
  }

  /** The opcodes of the innermost loop: from its head to its back-edge, the shortest such span. */
  private static List<Integer> innermostLoopOpcodes(MethodNode m) {
    AbstractInsnNode[] insns = m.instructions.toArray();
    List<AbstractInsnNode> list = Arrays.asList(insns);
    int from = -1;
    int to = insns.length;
    for (int i = 0; i < insns.length; i++) {
      if (insns[i] instanceof JumpInsnNode j) {
        int head = list.indexOf(j.label);
        if (head < i && i - head < to - from) {
          from = head;
          to = i;
        }
      }
    }
    assertTrue(from >= 0, m.name + " has no loop");
    return opcodes(insns, from, to);
  }

  private static List<Integer> opcodes(AbstractInsnNode[] insns, int from, int to) {
    List<Integer> out = new ArrayList<>();
    for (int i = from; i <= Math.min(to, insns.length - 1); i++) {
      if (insns[i].getOpcode() >= 0) {
        out.add(insns[i].getOpcode());
      }
    }
    return out;
  }

  @Test
  void loopsThatAreNotCountedCheckAtTheirBackEdge() {
    Map<String, MethodNode> woven = methods(CheckpointWeaver.weave(original, true, Map.of(), 0));
    assertTrue(
        innermostLoopWithHasCheckpoint(woven.get("collatz"), org.objectweb.asm.Opcodes.LMUL));
    assertTrue(
        innermostLoopWithHasCheckpoint(woven.get("movingLimit"), org.objectweb.asm.Opcodes.IADD));
  }

  private static boolean hasCheckpoint(MethodNode m) {
    for (AbstractInsnNode i : m.instructions) {
      if (i instanceof MethodInsnNode c && c.name.equals("checkpoint")) {
        return true;
      }
    }
    return false;
  }

  @ParameterizedTest(name = "chunk {0}")
  @ValueSource(ints = {1, 3, 4, 64, 0})
  void stripMinedLoopsComputeWhatTheOriginalsCompute(int chunk) throws Exception {
    Class<?> c = wovenCounting(chunk);
    SplittableRandom random = new SplittableRandom(7);
    int[] a = random.ints(1000, -50, 50).toArray();
    int[] b = random.ints(1000, -50, 50).toArray();
    int max = Integer.MAX_VALUE;
    int min = Integer.MIN_VALUE;

    same(c, "dot", a, b);
    int[] sum = new int[1000];
    call(c, null, "add", a, b, sum);
    int[] expected = new int[1000];
    LoopShapes.add(a, b, expected);
    assertArrayEquals(expected, sum);
    for (int[] range :
        new int[][] {{0, 100}, {5, 4}, {5, 5}, {max - 10, max - 1}, {min, min + 20}, {-7, 7}}) {
      same(c, "upToInclusive", range[0], range[1]);
      // (stepping below Integer.MIN_VALUE would wrap around and never end)
      same(c, "downByThree", range[1], Math.max(range[0], min + 3));
    }
    // (a range ending within a stride of Integer.MAX_VALUE would overflow and never end)
    same(c, "wideRange", -2_000_000_000, 2_000_000_000);
    same(c, "wideRange", min, max - 1000);
    same(c, "wideRange", 5, 4);
    same(c, "downByThree", max, max - 1000);
    for (int n : new int[] {-3, 0, 1, 2, 3, 4, 5, 99, 1000}) {
      same(c, "byTwo", n);
      same(c, "limitFirst", n);
      same(c, "countDownToZero", n);
      same(c, "doWhile", n);
      same(c, "doWhileLong", (long) n);
      same(c, "doWhileContinue", n);
      same(c, "skipOdd", n);
      same(c, "longCounterIntLimit", n);
      same(c, "longDownByFive", (long) n);
      same(c, "lcg", 42L, (long) n);
      same(c, "mixedLocals", 42L, 0.5, n);
      Object o = c.getConstructor(int.class).newInstance(n);
      assertEquals(new LoopShapes(n).fieldLimit(), call(c, o, "fieldLimit"), "fieldLimit " + n);
      assertEquals(new LoopShapes(n).movingLimit(), call(c, o, "movingLimit"), "movingLimit " + n);
      LoopShapes.setLimit(n);
      call(c, null, "setLimit", (long) n);
      same(c, "staticLimit");
    }
    same(c, "lcg", 42L, 100_000L);
    same(c, "down", a);
    same(c, "whileLoop", a);
    same(c, "forEach", a);
    same(c, "indexOf", a, a[517]);
    same(c, "indexOf", a, 1000);
    same(c, "prefixSums", a.clone());
    same(c, "nested", (Object) new int[][] {a, {}, b, {1}});
    same(c, "continueOuter", (Object) new int[][] {a, {}, {0, 5}, b, {1}});
    same(c, "continueOuter", (Object) new int[][] {a, {1, 2, 0, 3}, withoutZeros(b)});
    same(c, "collatz", 27L);
    int[] withZeros = a.clone();
    withZeros[3] = 0;
    withZeros[999] = 0;
    same(c, "divideAll", withZeros);
    same(c, "down", new int[0]);
    sameThrow(c, "dot", null, b);
    sameThrow(c, "whileLoop", (Object) null);
  }

  @Test
  void aChunkEndsWithACheckpoint() throws Exception {
    Class<?> c = wovenCounting(64);
    CountingHooks.checkpoints = 0;
    int[] a = new int[64 * 100];
    call(c, null, "add", a, a, new int[a.length]);
    // one between chunks, none before the first: a loop within one chunk never checks
    assertEquals(99, CountingHooks.checkpoints);
    CountingHooks.checkpoints = 0;
    call(c, null, "lcg", 1L, 64L * 1000);
    assertEquals(999, CountingHooks.checkpoints);
    CountingHooks.checkpoints = 0;
    call(c, null, "doWhile", 64 * 10);
    assertEquals(9, CountingHooks.checkpoints);
  }

  @Test
  void aRequestIsServedAtTheSecondChunkEndThatSeesIt() throws Exception {
    Class<?> c = wovenCounting(64);
    CountingHooks.requested = true;
    try {
      CountingHooks.checkpoints = 0;
      CountingHooks.taken = 0;
      int[] a = new int[64 * 100];
      call(c, null, "add", a, a, new int[a.length]);
      // 99 chunk ends and a request that nothing else serves: one looks, the next passes it
      assertEquals(50, CountingHooks.checkpoints);
      assertEquals(49, CountingHooks.taken);
      CountingHooks.taken = 0;
      call(c, null, "add", new int[128], new int[128], new int[128]);
      // two chunks, one chunk end: a request there waits for the caller's own checkpoints
      assertEquals(0, CountingHooks.taken);
    } finally {
      CountingHooks.requested = false;
    }
  }

  @Test
  void theInnerLoopOfANestSpendsOneBudgetAcrossItsRows() throws Exception {
    Class<?> c = wovenCounting(64);
    CountingHooks.checkpoints = 0;
    int[][] rows = new int[1000][8];
    call(c, null, "nested", (Object) rows);
    // 8,000 inner passes in chunks of 64, and 1,000 rows in chunks of 64: neither one check per
    // row, which costs a short row its vectorization, nor none, which never hands over.
    assertEquals(8000 / 64 - 1 + 1000 / 64, CountingHooks.checkpoints);
  }

  @Test
  void shortBodiesGetTheLongestChunks() throws Exception {
    Class<?> c = wovenCounting(0);
    CountingHooks.checkpoints = 0;
    int n = StripMiner.MAX_CHUNK * 4;
    call(c, null, "add", new int[n], new int[n], new int[n]);
    assertEquals(3, CountingHooks.checkpoints);
  }

  private static int[] withoutZeros(int[] a) {
    int[] out = a.clone();
    for (int i = 0; i < out.length; i++) {
      out[i] = out[i] == 0 ? 1 : out[i];
    }
    return out;
  }

  private static void same(Class<?> woven, String name, Object... args) throws Exception {
    Object expected = call(LoopShapes.class, null, name, copies(args));
    Object actual = call(woven, null, name, copies(args));
    assertEquals(expected, actual, name + Arrays.deepToString(args));
  }

  private static void sameThrow(Class<?> woven, String name, Object... args) throws Exception {
    Throwable expected = thrown(LoopShapes.class, name, args);
    Throwable actual = thrown(woven, name, args);
    assertNotNull(expected);
    assertEquals(expected.getClass(), actual == null ? null : actual.getClass(), name);
  }

  private static Throwable thrown(Class<?> c, String name, Object... args) throws Exception {
    try {
      call(c, null, name, args);
      return null;
    } catch (InvocationTargetException e) {
      return e.getCause();
    }
  }

  private static Object[] copies(Object[] args) {
    List<Object> out = new ArrayList<>();
    for (Object a : args) {
      out.add(a instanceof int[] ints ? ints.clone() : a);
    }
    return out.toArray();
  }

  private static Object call(Class<?> c, Object target, String name, Object... args)
      throws Exception {
    for (Method m : c.getMethods()) {
      if (m.getName().equals(name) && m.getParameterCount() == args.length) {
        return m.invoke(target, args);
      }
    }
    throw new NoSuchMethodException(name);
  }

  /** Defines the woven class in a loader of its own, so the JVM verifies it. */
  private static final class Loader extends ClassLoader {
    Loader() {
      super(StripMinerTest.class.getClassLoader());
    }

    Class<?> define(String name, byte[] bytes) {
      return defineClass(name, bytes, 0, bytes.length);
    }
  }
}

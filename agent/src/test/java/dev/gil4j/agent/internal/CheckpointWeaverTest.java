package dev.gil4j.agent.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gil4j.agent.internal.fixtures.Shapes;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.JumpInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.util.CheckClassAdapter;

/** Weaves a real class, checks where checkpoints landed, verifies it, loads it and runs it. */
class CheckpointWeaverTest {
  private static byte[] original;
  private static byte[] woven;
  private static Map<String, MethodNode> methods;

  @BeforeAll
  static void weave() throws IOException {
    try (InputStream in = Shapes.class.getResourceAsStream("Shapes.class")) {
      original = in.readAllBytes();
    }
    woven = CheckpointWeaver.weave(original, true, Map.of());
    assertNotNull(woven);
    ClassNode cn = new ClassNode();
    new ClassReader(woven).accept(cn, 0);
    methods = new HashMap<>();
    for (MethodNode m : cn.methods) {
      methods.put(m.name, m);
    }
  }

  /** Where the hook calls named {@code hook} are: at entry, inside a loop, or elsewhere. */
  private record Placement(boolean atEntry, int inLoops, int total) {}

  private static Placement placement(String method, String hook) {
    MethodNode m = methods.get(method);
    AbstractInsnNode[] insns = m.instructions.toArray();
    Map<AbstractInsnNode, Integer> index = new HashMap<>();
    for (int i = 0; i < insns.length; i++) {
      index.put(insns[i], i);
    }
    List<int[]> loops = new ArrayList<>();
    for (int i = 0; i < insns.length; i++) {
      if (insns[i] instanceof JumpInsnNode j && index.get(j.label) < i) {
        loops.add(new int[] {index.get(j.label), i});
      }
    }
    boolean atEntry = false;
    int inLoops = 0;
    int total = 0;
    for (int i = 0; i < insns.length; i++) {
      if (insns[i] instanceof MethodInsnNode c
          && c.owner.equals(CheckpointWeaver.HOOKS)
          && c.name.equals(hook)) {
        total++;
        atEntry |= insns[i] == m.instructions.getFirst();
        int at = i;
        if (loops.stream().anyMatch(l -> l[0] <= at && at <= l[1])) {
          inLoops++;
        }
      }
    }
    return new Placement(atEntry, inLoops, total);
  }

  @Test
  void pureArrayLoopsAreStripMinedWithTheArrayWorkFreeOfCheckpoints() {
    Placement p = placement("pureSum", "checkpoint");
    assertEquals(1, p.total(), "one checkpoint, between chunks");
    assertFalse(
        StripMinerTest.innermostLoopWithHasCheckpoint(methods.get("pureSum"), Opcodes.IALOAD));
    assertFalse(p.atEntry(), "a method that calls nothing needs no entry checkpoint");
  }

  @Test
  void nestedPureLoopsAreBothStripMined() {
    Placement p = placement("pureNested", "checkpoint");
    assertEquals(2, p.total());
    assertFalse(
        StripMinerTest.innermostLoopWithHasCheckpoint(methods.get("pureNested"), Opcodes.IALOAD));
  }

  @Test
  void loopsThatCallOrReadVolatileFieldsKeepTheirCheckpoint() {
    Placement calling = placement("callingLoop", "checkpoint");
    assertTrue(calling.atEntry());
    assertEquals(1, calling.inLoops());
    assertEquals(1, placement("volatileSpin", "checkpoint").inLoops());
  }

  @Test
  void aLoopReadingOnlyPlainFieldsOfItsOwnClassIsPure() {
    assertEquals(1, placement("plainFieldLoop", "checkpoint").total());
    assertFalse(
        StripMinerTest.innermostLoopWithHasCheckpoint(
            methods.get("plainFieldLoop"), Opcodes.GETFIELD));
  }

  @Test
  void leavesStayFreeAndCallersGetAnEntryCheckpoint() {
    assertEquals(0, placement("leaf", "checkpoint").total());
    assertTrue(placement("fib", "checkpoint").atEntry());
  }

  /**
   * Without profiling too, a {@code synchronized} block is woven for the GIL: the arrival before
   * the entry, the entry's end and then a checkpoint after it; its exits (the normal one and the
   * exception handler's) are left as they are.
   */
  @Test
  void monitorsAreWovenForTheGilWithoutProfiling() {
    List<String> calls = new ArrayList<>();
    for (AbstractInsnNode i = methods.get("locked").instructions.getFirst();
        i != null;
        i = i.getNext()) {
      if (i.getOpcode() == Opcodes.MONITORENTER || i.getOpcode() == Opcodes.MONITOREXIT) {
        calls.add(i.getOpcode() == Opcodes.MONITORENTER ? "ENTER" : "EXIT");
      } else if (i instanceof MethodInsnNode c && c.owner.equals(CheckpointWeaver.HOOKS)) {
        calls.add(c.name);
      }
    }
    assertEquals(
        List.of(
            "checkpoint", "monitorArrive", "ENTER", "monitorEntered", "checkpoint", "EXIT", "EXIT"),
        calls);
  }

  @Test
  void nativeBlockingCallsGoThroughTheHooks() {
    assertEquals(1, placement("waitBriefly", "objectWait").total());
    assertEquals(1, placement("nap", "sleep").total());
    assertEquals(1, placement("nap", "yieldThread").total());
  }

  @Test
  void staticInitializersAreGuardedAgainstHandOffs() {
    assertEquals(1, placement("<clinit>", "enterNoSwitch").total());
    assertEquals(0, placement("<clinit>", "checkpoint").total());
    // the normal return and the exception handler both leave the guard
    assertEquals(2, placement("<clinit>", "exitNoSwitch").total());
  }

  @Test
  void wovenClassVerifiesLoadsAndComputesTheSameResults() throws Exception {
    StringWriter problems = new StringWriter();
    CheckClassAdapter.verify(new ClassReader(woven), false, new PrintWriter(problems));
    assertEquals("", problems.toString());

    Class<?> c = new Loader().define(Shapes.class.getName(), woven);
    Object o = c.getConstructor().newInstance();
    int[] a = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    int[][] m = {{1, 2}, {3, 4, 5}};
    assertEquals(Shapes.pureSum(a), call(c, null, "pureSum", a));
    assertEquals(Shapes.pureNested(m), call(c, null, "pureNested", (Object) m));
    assertEquals(Shapes.callingLoop(100), call(c, null, "callingLoop", 100));
    assertEquals(new Shapes().plainFieldLoop(10), call(c, o, "plainFieldLoop", 10));
    assertEquals(1000, call(c, o, "volatileSpin", 1000));
    assertEquals(Shapes.fib(15), call(c, null, "fib", 15));
    assertEquals(6, call(c, o, "locked", new Object()));
    assertEquals(225, call(c, null, "table", 15));
    call(c, o, "waitBriefly");
    call(c, null, "nap");
  }

  private static Object call(Class<?> c, Object target, String name, Object... args)
      throws Exception {
    for (Method m : c.getMethods()) {
      if (m.getName().equals(name)) {
        return m.invoke(target, args);
      }
    }
    throw new NoSuchMethodException(name);
  }

  /** Defines the woven class in a loader of its own, so the JVM verifies it. */
  private static final class Loader extends ClassLoader {
    Loader() {
      super(CheckpointWeaverTest.class.getClassLoader());
    }

    Class<?> define(String name, byte[] bytes) {
      return defineClass(name, bytes, 0, bytes.length);
    }
  }
}

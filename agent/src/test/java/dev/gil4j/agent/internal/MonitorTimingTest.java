package dev.gil4j.agent.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import dev.gil4j.agent.internal.fixtures.Monitored;
import dev.gil4j.profiler.ContentionRecorder;
import dev.gil4j.profiler.Monitors;
import dev.gil4j.runtime.Hooks;
import dev.gil4j.runtime.internal.ProfilingHooks;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.util.CheckClassAdapter;

/**
 * Weaves {@link Monitored} as the agent does with profiling on and the GIL installed (a GIL that
 * never holds, so that entries are woven and nothing else changes), verifies and loads it, and
 * checks that it behaves as before while contended entries in blocks and waits land in {@link
 * ContentionRecorder}; and that without the GIL only waits are woven.
 */
class MonitorTimingTest {
  private static final String NAME = Monitored.class.getName();
  private static byte[] original;
  private static Class<?> woven;

  /**
   * A GIL that never holds: the hooks behave as with the GIL on, blocking points release nothing.
   */
  private static final class IdleGil implements Hooks.Gil {
    @Override
    public void checkpoint() {}

    @Override
    public boolean beforeBlocking() {
      return false;
    }

    @Override
    public void afterBlocking() {}

    @Override
    public boolean threadStarting(Thread child) {
      return false;
    }

    @Override
    public void threadStartFailed(Thread child) {}

    @Override
    public void threadBegins() {}

    @Override
    public int nativeMethod(String name) {
      return -1;
    }

    @Override
    public int enterNative(int method) {
      return Hooks.NATIVE_NOTHING;
    }

    @Override
    public void exitNative(int entered) {}

    @Override
    public void threadEnded() {}

    @Override
    public void enterNoSwitch() {}

    @Override
    public void exitNoSwitch() {}

    @Override
    public void enterClassLoading() {}

    @Override
    public void exitClassLoading() {}

    @Override
    public boolean inside() {
      return false;
    }

    @Override
    public boolean acquireBegins() {
      return false;
    }

    @Override
    public void acquireEnds() {}

    @Override
    public void unparked(Thread thread) {}

    @Override
    public boolean monitorHeld(Object monitor) {
      return false;
    }

    @Override
    public boolean beforeMonitorEntry(Object monitor) {
      return false;
    }

    @Override
    public void afterBlockingOwning(Object monitor) {}

    @Override
    public void enteredKeeping(Object monitor) {}

    @Override
    public void reportOnce(String what, Throwable t) {
      throw new AssertionError(what, t);
    }
  }

  @BeforeAll
  static void weave() throws Exception {
    try (InputStream in = Monitored.class.getResourceAsStream("Monitored.class")) {
      original = in.readAllBytes();
    }
    Hooks.installProfiling(ProfilingHooks.INSTANCE);
    Hooks.installGil(new IdleGil());
    byte[] bytes = CheckpointWeaver.weave(original, false, LockSwap.SWAPS);
    assertNotNull(bytes);
    assertVerifies(bytes);
    woven = new Loader().define(NAME, bytes);
    assertTrue(Monitors.detectsContention(), "this JDK's headers are readable in tests");
  }

  private static void assertVerifies(byte[] bytes) {
    StringWriter problems = new StringWriter();
    CheckClassAdapter.verify(new ClassReader(bytes), false, new PrintWriter(problems));
    assertEquals("", problems.toString());
  }

  @Test
  void wovenWithCheckpointsTooTheClassVerifiesAndRuns() throws Exception {
    byte[] bytes = CheckpointWeaver.weave(original, true, LockSwap.SWAPS);
    assertVerifies(bytes);
    Class<?> c = new Loader().define(NAME, bytes);
    Object o = c.getConstructor().newInstance();
    assertEquals(1, c.getMethod("increment").invoke(o));
    assertEquals(2, c.getMethod("incrementInBlock").invoke(o));
    assertEquals(55, c.getMethod("manyReturns", int.class).invoke(o, 10));
  }

  @Test
  void synchronizedMethodsAndBlocksComputeAsBefore() throws Exception {
    Object o = woven.getConstructor().newInstance();
    assertEquals(1, call(o, "increment"));
    assertEquals(2, call(o, "incrementInBlock"));
    assertEquals(3, call(o, "nested"));
    assertEquals(3, call(o, "throwing", false));
    assertEquals(-1, call(o, "caught"));
    assertEquals(-1, call(o, "manyReturns", -5));
    assertEquals(0, call(o, "manyReturns", 0));
    assertEquals(55, call(o, "manyReturns", 10));
    assertEquals(new Monitored().wide(5, 1.5), call(o, "wide", 5L, 1.5));
    int total = (int) call(null, "incrementTotal");
    assertEquals(total + 1, call(null, "incrementTotal"));
    assertEquals(true, call(o, "holdsOwnMonitorInside"));
    assertEquals(false, call(o, "holdsOwnMonitorNow"));
  }

  @Test
  void synchronizedMethodsKeepTheirFlag() throws Exception {
    assertTrue(Modifier.isSynchronized(woven.getMethod("increment").getModifiers()));
  }

  @Test
  void withoutTheGilOnlyWaitsAreWoven() throws Exception {
    Hooks.installGil(null);
    byte[] bytes;
    try {
      bytes = CheckpointWeaver.weave(original, false, LockSwap.SWAPS);
    } finally {
      Hooks.installGil(new IdleGil());
    }
    assertVerifies(bytes);
    ClassReader reader = new ClassReader(bytes);
    StringBuilder calls = new StringBuilder();
    reader.accept(
        new org.objectweb.asm.ClassVisitor(Opcodes.ASM9) {
          @Override
          public MethodVisitor visitMethod(
              int access, String name, String desc, String sig, String[] exceptions) {
            return new MethodVisitor(Opcodes.ASM9) {
              @Override
              public void visitMethodInsn(
                  int op, String owner, String method, String d, boolean itf) {
                if (owner.equals(CheckpointWeaver.HOOKS)) {
                  calls.append(method).append(' ');
                }
              }
            };
          }
        },
        0);
    assertTrue(calls.toString().contains("objectWait"), calls.toString());
    assertFalse(calls.toString().contains("monitorArrive"), calls.toString());
    Class<?> c = new Loader().define(NAME, bytes);
    Object o = c.getConstructor().newInstance();
    assertEquals(55, c.getMethod("manyReturns", int.class).invoke(o, 10));
  }

  @Test
  void aContendedBlockRecordsItsWaitAtItsLine() throws Exception {
    Object o = woven.getConstructor().newInstance();
    blockBehind(o, "holdBlockFor", () -> call(o, "incrementInBlock"));
    assertWaited(
        Monitors.ENTRY, "java.lang.Object " + NAME + ".incrementInBlock(Monitored.java:", 100);
  }

  @Test
  void waitsAreRecordedWhereTheyAreCalled() throws Exception {
    Object o = woven.getConstructor().newInstance();
    call(o, "waitFor", 60L);
    call(o, "waitOnThis", 60L);
    assertWaited(Monitors.WAIT, "java.lang.Object " + NAME + ".waitFor(Monitored.java:", 50);
    assertWaited(Monitors.WAIT, NAME + " " + NAME + ".waitOnThis(Monitored.java:", 50);
  }

  @Test
  void uncontendedEntriesRecordNothingAndAllocateNothing() throws Exception {
    Object o = woven.getConstructor().newInstance();
    Method rounds = woven.getMethod("rounds", int.class);
    for (int i = 0; i < 20; i++) {
      rounds.invoke(o, 1_000);
    }
    ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    long before = mx.getThreadAllocatedBytes(Thread.currentThread().getId());
    rounds.invoke(o, 100_000);
    long allocated = mx.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
    // A few hundred bytes go to the JIT's and reflection's own bookkeeping; an allocation per
    // entry would be megabytes.
    assertTrue(allocated < 16_384, "allocated " + allocated + " bytes in 300000 monitor entries");
    assertTrue(site(Monitors.ENTRY, ".rounds(").isEmpty());
    assertTrue(site(Monitors.ENTRY, ".nested(").isEmpty(), "nor in the methods it calls");
  }

  @Test
  void anOldClassFileKeepsWorking() throws Exception {
    byte[] old = oldClass();
    byte[] rewritten = CheckpointWeaver.weave(old, false, LockSwap.SWAPS);
    // synchronized methods keep their flag, and this class has no block: nothing to change
    Class<?> c = new Loader().define("Old", rewritten == null ? old : rewritten);
    Object o = c.getConstructor().newInstance();
    assertEquals(42, c.getMethod("get").invoke(o));
    assertEquals(7, c.getMethod("staticGet").invoke(null));
    assertTrue(Modifier.isSynchronized(c.getMethod("get").getModifiers()));
  }

  /** A Java 1.4 class file (no stack map frames) with an instance and a static synchronized. */
  private static byte[] oldClass() {
    ClassWriter w = new ClassWriter(ClassWriter.COMPUTE_MAXS);
    w.visit(Opcodes.V1_4, Opcodes.ACC_PUBLIC, "Old", null, "java/lang/Object", null);
    MethodVisitor init = w.visitMethod(Opcodes.ACC_PUBLIC, "<init>", "()V", null, null);
    init.visitCode();
    init.visitVarInsn(Opcodes.ALOAD, 0);
    init.visitMethodInsn(Opcodes.INVOKESPECIAL, "java/lang/Object", "<init>", "()V", false);
    init.visitInsn(Opcodes.RETURN);
    init.visitMaxs(0, 0);
    init.visitEnd();
    MethodVisitor get =
        w.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_SYNCHRONIZED, "get", "()I", null, null);
    get.visitCode();
    get.visitIntInsn(Opcodes.BIPUSH, 42);
    get.visitInsn(Opcodes.IRETURN);
    get.visitMaxs(0, 0);
    get.visitEnd();
    MethodVisitor staticGet =
        w.visitMethod(
            Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC | Opcodes.ACC_SYNCHRONIZED,
            "staticGet",
            "()I",
            null,
            null);
    staticGet.visitCode();
    staticGet.visitIntInsn(Opcodes.BIPUSH, 7);
    staticGet.visitInsn(Opcodes.IRETURN);
    staticGet.visitMaxs(0, 0);
    staticGet.visitEnd();
    w.visitEnd();
    return w.toByteArray();
  }

  /** What a test does while another thread holds the monitor. */
  private interface Action {
    void run() throws Exception;
  }

  /**
   * Starts a thread that holds a monitor for 300 ms with {@code holder}, waits until it sleeps
   * holding it, then runs {@code blocked}, which must wait for it.
   */
  private static void blockBehind(Object target, String holder, Action blocked) throws Exception {
    Thread t = new Thread(() -> callUnchecked(target, holder, 300L));
    t.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (t.getState() != Thread.State.TIMED_WAITING && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    blocked.run();
    t.join(10_000);
  }

  private static void assertWaited(String kind, String namePrefix, long atLeastMillis) {
    ContentionRecorder.SiteSnapshot s =
        site(kind, namePrefix)
            .orElseThrow(
                () ->
                    new AssertionError(
                        kind + " " + namePrefix + "… not in " + ContentionRecorder.snapshot()));
    assertTrue(
        s.waits().getMaxValue() >= TimeUnit.MILLISECONDS.toNanos(atLeastMillis),
        s.name() + " max " + s.waits().getMaxValue());
  }

  private static Optional<ContentionRecorder.SiteSnapshot> site(String kind, String fragment) {
    return ContentionRecorder.snapshot().stream()
        .filter(s -> s.kind().equals(kind) && s.name().contains(fragment))
        .findFirst();
  }

  private static Object call(Object target, String name, Object... args) throws Exception {
    for (Method m : woven.getMethods()) {
      if (m.getName().equals(name) && m.getParameterCount() == args.length) {
        return m.invoke(target, args);
      }
    }
    throw new NoSuchMethodException(name);
  }

  private static void callUnchecked(Object target, String name, Object... args) {
    try {
      call(target, name, args);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Defines a woven class in a loader of its own, so the JVM verifies it. */
  private static final class Loader extends ClassLoader {
    Loader() {
      super(MonitorTimingTest.class.getClassLoader());
    }

    Class<?> define(String name, byte[] bytes) {
      return defineClass(name, bytes, 0, bytes.length);
    }
  }
}

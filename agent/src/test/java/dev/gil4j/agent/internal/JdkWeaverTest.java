package dev.gil4j.agent.internal;

import static dev.gil4j.agent.internal.JdkPoint.of;
import static dev.gil4j.agent.internal.JdkPoint.returning;
import static dev.gil4j.agent.internal.JdkPoint.taking;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gil4j.agent.internal.fixtures.Facade;
import dev.gil4j.agent.internal.fixtures.JdkLike;
import dev.gil4j.profiler.Pipes;
import dev.gil4j.runtime.Hooks;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.util.CheckClassAdapter;

/**
 * Weaves JDK-shaped test classes ({@link JdkLike}) with every kind of {@link JdkAdvice}, calling a
 * recording stand-in for the facades ({@link Facade}), verifies them, loads them (the JVM verifies
 * them again) and checks which facade calls happen, in which order, on normal returns and on
 * exceptions; then weaves the real JDK classes of the agent's table, as this JDK has them, and
 * verifies those.
 */
class JdkWeaverTest {
  private static final String LIKE = JdkLike.class.getName();
  private static final String FACADE = Type.getInternalName(Facade.class);

  private static final List<JdkPoint> POINTS =
      List.of(
          of(LIKE, "sleep", JdkAdvice.BLOCKING),
          of(LIKE, "caught", JdkAdvice.BLOCKING),
          of(LIKE + "$Starter", "start", JdkAdvice.THREAD_START),
          taking(LIKE, "read", "()", JdkAdvice.READ_BYTE),
          taking(LIKE, "read", "([BII)", JdkAdvice.READ_COUNT),
          returning(LIKE, "read", "J", JdkAdvice.READ_LONG),
          taking(LIKE, "write", "([B)", JdkAdvice.WRITE_ARRAY),
          taking(LIKE, "write", "([BII)", JdkAdvice.WRITE_RANGE),
          of(LIKE, "pipedRead", JdkAdvice.PIPED_READ_BYTE),
          taking(LIKE, "receive", "(I)", JdkAdvice.PIPED_RECEIVE_BYTE),
          taking(LIKE, "receive", "([BII)", JdkAdvice.PIPED_RECEIVE),
          of(LIKE + "$Pipe", "<init>", JdkAdvice.NIO_PIPE_OPENED),
          of(LIKE + "$Process", "<init>", JdkAdvice.PROCESS_STARTED));

  private static Class<?> like;
  private static Class<?> pipe;
  private static Class<?> process;
  private static Class<?> starter;

  @BeforeAll
  static void weave() throws Exception {
    JdkWeaver weaver =
        new JdkWeaver(
            POINTS,
            FACADE,
            FACADE,
            e -> {
              throw new AssertionError(e);
            });
    Loader loader = new Loader();
    like = loader.define(LIKE, woven(weaver, JdkLike.class));
    pipe = loader.define(LIKE + "$Pipe", woven(weaver, JdkLike.Pipe.class));
    process = loader.define(LIKE + "$Process", woven(weaver, JdkLike.Process.class));
    starter = loader.define(LIKE + "$Starter", woven(weaver, JdkLike.Starter.class));
  }

  private static byte[] woven(JdkWeaver weaver, Class<?> c) throws IOException {
    byte[] bytes =
        weaver.transform(null, Type.getInternalName(c), null, null, classFile(c.getName()));
    assertNotNull(bytes, c + " was not woven");
    assertVerifies(bytes, JdkWeaverTest.class.getClassLoader());
    return bytes;
  }

  @BeforeEach
  void reset() {
    Facade.reset();
  }

  @Test
  void aBlockingPointReleasesBeforeAndRetakesAfterItsBody() throws Throwable {
    assertEquals(45L, call(null, "sleep", 10L, 1.0));
    assertEquals(List.of("beforeBlocking", "body", "afterBlocking"), Facade.calls);
  }

  @Test
  void aBlockingPointRetakesWhenItsBodyThrowsAndTheExceptionPassesUnchanged() throws Throwable {
    Throwable t = assertThrows(IllegalArgumentException.class, () -> call(null, "sleep", -1L, 1.0));
    assertEquals("timeout value is negative", t.getMessage());
    assertEquals(List.of("beforeBlocking", "body", "afterBlocking"), Facade.calls);
  }

  @Test
  void aBlockingPointThatReleasedNothingRetakesNothing() throws Throwable {
    Facade.releases = false;
    assertEquals(1_056L, call(null, "sleep", 1_000L, 2.0));
    assertEquals(List.of("beforeBlocking", "body"), Facade.calls);
  }

  @Test
  void anExceptionTheBodyCatchesIsANormalReturn() throws Throwable {
    Object o = like.getConstructor().newInstance();
    assertEquals(-1, call(o, "caught", "x"));
    assertEquals(42, call(o, "caught", "42"));
    assertEquals(
        List.of(
            "beforeBlocking", "body", "afterBlocking", "beforeBlocking", "body", "afterBlocking"),
        Facade.calls);
  }

  @Test
  void threadStartIsRegisteredAtEntryAndSettledAtExit() throws Throwable {
    ((Thread) starter.getConstructor().newInstance()).start();
    assertEquals(
        List.of("threadStarting(starter)", "body", "threadStartEnded(returned, starter, true)"),
        Facade.calls);
  }

  @Test
  void readsAreTimedWithTheBytesTheyMoved() throws Throwable {
    Object o = like.getConstructor().newInstance();
    set(o, "next", 65);
    assertEquals(65, call(o, "read"));
    set(o, "next", -1);
    assertEquals(-1, call(o, "read"));
    set(o, "next", 7);
    assertEquals(7, call(o, "read", new byte[8], 0, 8));
    set(o, "next", -1);
    assertEquals(-1, call(o, "read", new byte[8], 0, 8));
    set(o, "next", 9);
    assertEquals(9L, call(o, "read", (Object) new Object[0]));
    assertEquals(
        List.of(
            timed("readBegins", 1),
            timed("readBegins", 0),
            timed("readBegins", 7),
            timed("readBegins", 0),
            timed("readBegins", 9)),
        groups());
  }

  @Test
  void writesAreTimedWithTheBytesTheyMoved() throws Throwable {
    Object o = like.getConstructor().newInstance();
    call(o, "write", (Object) new byte[5]);
    call(o, "write", new byte[8], 2, 3);
    assertEquals(List.of(timed("writeBegins", 5), timed("writeBegins", 3)), groups());
  }

  @Test
  void aTimedCallThatThrowsEndsWithNoBytesAndRetakes() throws Throwable {
    Object o = like.getConstructor().newInstance();
    set(o, "fail", true);
    assertThrows(IOException.class, () -> call(o, "read"));
    assertThrows(IOException.class, () -> call(o, "read", new byte[8], 0, 8));
    assertThrows(IOException.class, () -> call(o, "write", new byte[8], 0, 8));
    assertEquals(
        List.of(timed("readBegins", 0), timed("readBegins", 0), timed("writeBegins", 0)), groups());
  }

  @Test
  void anUntimedCallStillReleasesAndRetakes() throws Throwable {
    Object o = like.getConstructor().newInstance();
    Facade.times = false;
    set(o, "next", 3);
    call(o, "read", new byte[8], 0, 8);
    assertEquals(List.of("beforeBlocking", "readBegins", "body", "afterBlocking"), Facade.calls);
  }

  @Test
  void aPipedReadIsTimedOnlyWhenTheBufferIsEmpty() throws Throwable {
    Object o = like.getConstructor().newInstance();
    set(o, "next", 1);
    call(o, "pipedRead");
    call(o, "buffered", 3);
    Facade.calls.clear();
    call(o, "pipedRead");
    assertEquals(List.of("beforeBlocking", "body", "afterBlocking"), Facade.calls);
  }

  @Test
  void aPipedWriteIsTimedOnlyWhenItDoesNotFit() throws Throwable {
    Object o = like.getConstructor().newInstance();
    call(o, "buffered", 3);
    Facade.calls.clear();
    call(o, "receive", 1);
    call(o, "receive", new byte[8], 0, 5);
    assertEquals(
        List.of(
            "pipedFree",
            "beforeBlocking",
            "body",
            "afterBlocking",
            "pipedFree",
            "beforeBlocking",
            "body",
            "afterBlocking"),
        Facade.calls);
    call(o, "buffered", 8);
    Facade.calls.clear();
    call(o, "receive", 1);
    call(o, "buffered", 3);
    // The body counts len down to 0: what was asked for is what is recorded.
    call(o, "receive", new byte[8], 0, 6);
    assertEquals(
        List.of(
            "pipedFree",
            "beforeBlocking",
            "writeBegins",
            "body",
            "ends(1)",
            "afterBlocking",
            "pipedFree",
            "beforeBlocking",
            "writeBegins",
            "body",
            "ends(6)",
            "afterBlocking"),
        Facade.calls);
  }

  @Test
  void constructorsReportTheirFieldsAfterANormalReturnOnly() throws Throwable {
    pipe.getConstructor(boolean.class).newInstance(false);
    InvocationTargetException e =
        assertThrows(
            InvocationTargetException.class,
            () -> pipe.getConstructor(boolean.class).newInstance(true));
    assertSame(IllegalStateException.class, e.getCause().getClass());
    process.getConstructor().newInstance();
    assertEquals(
        List.of("nioPipeOpened(source,sink)", "processStarted(true,true,false)"), Facade.calls);
  }

  /**
   * Every class of the agent's table that this JDK has is woven, and verifies; every point matches
   * a method unless its class is missing; and every facade method the advice calls exists, public
   * and static, in {@link Hooks} or {@link Pipes}.
   */
  @Test
  void theAgentsTableWeavesThisJdksClassesIntoCodeThatVerifies() throws Exception {
    List<JdkPoint> all = new ArrayList<>(JdkInstrumentation.POINTS);
    all.addAll(JdkInstrumentation.PROFILING);
    all.addAll(JdkInstrumentation.RECORDER);
    JdkWeaver weaver =
        new JdkWeaver(
            all,
            JdkWeaver.HOOKS,
            JdkWeaver.PIPES,
            e -> {
              throw new AssertionError(e);
            });
    Set<String> types = new TreeSet<>();
    all.forEach(p -> types.add(p.type()));
    Set<String> called = new TreeSet<>();
    int woven = 0;
    for (String type : types) {
      byte[] original;
      try {
        original = classFile(type.replace('/', '.'));
      } catch (IOException absent) {
        continue; // VirtualThread before JDK 21, sun.nio.ch.SocketInputStream before JDK 22
      }
      byte[] bytes = weaver.transform(null, type, null, null, original);
      assertNotNull(bytes, type + ": no method matched");
      assertVerifies(bytes, ClassLoader.getSystemClassLoader());
      woven++;
      ClassNode cn = new ClassNode();
      new ClassReader(bytes).accept(cn, 0);
      for (JdkPoint p : all) {
        if (p.type().equals(type)) {
          assertTrue(
              cn.methods.stream().anyMatch(m -> p.matches(m.name, m.desc)),
              p + " matches nothing in " + type);
        }
      }
      for (MethodNode m : cn.methods) {
        for (AbstractInsnNode insn : m.instructions) {
          if (insn instanceof MethodInsnNode c
              && (c.owner.equals(JdkWeaver.HOOKS) || c.owner.equals(JdkWeaver.PIPES))) {
            called.add(c.owner + "." + c.name + c.desc);
          }
        }
      }
    }
    assertTrue(woven >= 20, "woven: " + woven);
    for (String call : called) {
      String owner = call.substring(0, call.indexOf('.')).replace('/', '.');
      String name = call.substring(call.indexOf('.') + 1, call.indexOf('('));
      Type desc = Type.getMethodType(call.substring(call.indexOf('(')));
      Method target = facadeMethod(Class.forName(owner), name, desc);
      assertTrue(Modifier.isStatic(target.getModifiers()), call);
      assertTrue(Modifier.isPublic(target.getModifiers()), call);
    }
    assertFalse(called.isEmpty());
  }

  private static Method facadeMethod(Class<?> facade, String name, Type desc) {
    for (Method m : facade.getMethods()) {
      if (m.getName().equals(name) && Type.getMethodDescriptor(m).equals(desc.getDescriptor())) {
        return m;
      }
    }
    throw new AssertionError("no " + facade.getName() + "." + name + desc);
  }

  /** A timed call's facade calls: released, timing began, the body, ended with {@code bytes}. */
  private static List<String> timed(String begins, long bytes) {
    return List.of("beforeBlocking", begins, "body", "ends(" + bytes + ")", "afterBlocking");
  }

  /** The calls so far in groups of five, one per timed call. */
  private static List<List<String>> groups() {
    List<List<String>> groups = new ArrayList<>();
    for (int i = 0; i < Facade.calls.size(); i += 5) {
      groups.add(Facade.calls.subList(i, Math.min(i + 5, Facade.calls.size())));
    }
    return groups;
  }

  private static void set(Object o, String field, Object value) throws Exception {
    like.getField(field).set(o, value);
  }

  /**
   * Calls the woven method {@code name} whose parameters fit {@code args}; rethrows its exception.
   */
  private static Object call(Object target, String name, Object... args) throws Throwable {
    for (Method m : like.getDeclaredMethods()) {
      if (m.getName().equals(name) && fits(m.getParameterTypes(), args)) {
        try {
          return m.invoke(target, args);
        } catch (InvocationTargetException e) {
          throw e.getCause();
        }
      }
    }
    throw new AssertionError("no method " + name);
  }

  private static boolean fits(Class<?>[] types, Object[] args) {
    if (types.length != args.length) {
      return false;
    }
    for (int i = 0; i < types.length; i++) {
      Class<?> t = types[i];
      Class<?> boxed =
          t == long.class
              ? Long.class
              : t == int.class
                  ? Integer.class
                  : t == double.class ? Double.class : t == boolean.class ? Boolean.class : t;
      if (!boxed.isInstance(args[i])) {
        return false;
      }
    }
    return true;
  }

  private static byte[] classFile(String name) throws IOException {
    try (InputStream in =
        ClassLoader.getSystemResourceAsStream(name.replace('.', '/') + ".class")) {
      if (in == null) {
        throw new IOException("no class file for " + name);
      }
      return in.readAllBytes();
    }
  }

  private static void assertVerifies(byte[] bytes, ClassLoader loader) {
    StringWriter problems = new StringWriter();
    CheckClassAdapter.verify(new ClassReader(bytes), loader, false, new PrintWriter(problems));
    assertEquals("", problems.toString());
  }

  /** Defines woven classes beside the test's, so that they see the same {@link Facade}. */
  private static final class Loader extends ClassLoader {
    Loader() {
      super(JdkWeaverTest.class.getClassLoader());
    }

    Class<?> define(String name, byte[] bytes) {
      return defineClass(name, bytes, 0, bytes.length);
    }
  }
}

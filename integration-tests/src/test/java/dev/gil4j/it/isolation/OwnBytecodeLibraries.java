package dev.gil4j.it.isolation;

import java.lang.invoke.MethodHandles;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongUnaryOperator;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.dynamic.loading.ClassLoadingStrategy;
import net.bytebuddy.implementation.MethodDelegation;
import net.bytebuddy.implementation.bind.annotation.Argument;
import net.bytebuddy.implementation.bind.annotation.RuntimeType;
import net.bytebuddy.implementation.bind.annotation.SuperCall;
import net.bytebuddy.matcher.ElementMatchers;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * An application that brings its own bytecode libraries, other versions than the ones shaded into
 * gil4j's agent — ByteBuddy 1.12 and ASM 9.2 on its class path — and uses them while its threads
 * contend: {@code java … OwnBytecodeLibraries THREADS CLASSES ROUNDS}. Each thread makes {@code
 * CLASSES} classes with each library: a ByteBuddy subclass whose method is intercepted by a
 * delegation that calls the original and takes a shared lock (loaded alternately into a new class
 * loader and, through a {@code Lookup}, into the application's own), and an ASM-generated {@code
 * LongUnaryOperator} defined by a class loader of its own; then steps a chain through both, {@code
 * ROUNDS} times per class, adding to a shared sum under {@code synchronized}.
 *
 * <p>gil4j sees all of it as application code: the libraries' own classes and the classes they
 * generate are woven like any other. The result does not depend on the schedule: it prints {@code
 * checksum SUM expected SUM} and {@code ok}, and exits 0, only if the sum equals the one computed
 * without generated classes and every intercepted call was counted; any exception makes it print
 * {@code FAILED} and exit 1. It also prints which jar each library came from.
 */
public final class OwnBytecodeLibraries {
  private static final long MULTIPLIER = 6364136223846793005L;
  private static final ReentrantLock INTERCEPTIONS_LOCK = new ReentrantLock();
  private static final AtomicReference<Throwable> FAILURE = new AtomicReference<>();
  private static long interceptions;
  private static long sum;

  private OwnBytecodeLibraries() {}

  /** What the ByteBuddy subclasses extend. */
  public static class Counter {
    public long next(long x) {
      return x + 1;
    }
  }

  /** The interception: the original call, doubled, counted under a shared lock. */
  public static final class Doubling {
    private Doubling() {}

    @RuntimeType
    public static long next(@SuperCall Callable<Long> original, @Argument(0) long x)
        throws Exception {
      INTERCEPTIONS_LOCK.lock();
      try {
        interceptions++;
      } finally {
        INTERCEPTIONS_LOCK.unlock();
      }
      return original.call() * 2;
    }
  }

  /** Defines one ASM-generated class. */
  private static final class OneClassLoader extends ClassLoader {
    OneClassLoader() {
      super(OwnBytecodeLibraries.class.getClassLoader());
    }

    Class<?> define(String name, byte[] code) {
      return defineClass(name, code, 0, code.length);
    }
  }

  public static void main(String[] args) throws Exception {
    int threads = Integer.parseInt(args[0]);
    int classes = Integer.parseInt(args[1]);
    int rounds = Integer.parseInt(args[2]);
    Thread.setDefaultUncaughtExceptionHandler((t, e) -> FAILURE.compareAndSet(null, e));
    List<Thread> workers = new ArrayList<>();
    for (int w = 0; w < threads; w++) {
      int me = w;
      Thread t = new Thread(() -> work(me, classes, rounds), "worker-" + w);
      workers.add(t);
      t.start();
    }
    for (Thread t : workers) {
      t.join();
    }
    long expected = 0;
    for (int w = 0; w < threads; w++) {
      for (int c = 0; c < classes; c++) {
        long v = seed(w, c);
        for (int r = 0; r < rounds; r++) {
          v = step(v, (v + 1) * 2, v * MULTIPLIER + c);
        }
        expected += v;
      }
    }
    long calls = (long) threads * classes * rounds;
    System.out.println("checksum " + sum + " expected " + expected);
    System.out.println("ByteBuddy from " + where(ByteBuddy.class));
    System.out.println("ASM from " + where(ClassWriter.class));
    Throwable failure = FAILURE.get();
    if (failure != null || sum != expected || interceptions != calls) {
      System.out.println("FAILED interceptions=" + interceptions + " of " + calls);
      if (failure != null) {
        failure.printStackTrace(System.out);
      }
      System.exit(1);
    }
    System.out.println("ok");
  }

  private static String where(Class<?> c) {
    return c.getProtectionDomain().getCodeSource().getLocation().toString();
  }

  private static long seed(int worker, int cls) {
    return worker * 7919L + cls;
  }

  private static long step(long v, long counted, long stepped) {
    return counted ^ stepped ^ (v >>> 7);
  }

  private static void work(int me, int classes, int rounds) {
    try {
      for (int c = 0; c < classes; c++) {
        Counter counter = subclass(me, c).getDeclaredConstructor().newInstance();
        LongUnaryOperator lcg =
            (LongUnaryOperator)
                new OneClassLoader()
                    .define(lcgName(me, c), lcgClass(me, c))
                    .getDeclaredConstructor()
                    .newInstance();
        long v = seed(me, c);
        for (int r = 0; r < rounds; r++) {
          v = step(v, counter.next(v), lcg.applyAsLong(v));
        }
        synchronized (OwnBytecodeLibraries.class) {
          sum += v;
        }
      }
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Class<? extends Counter> subclass(int me, int c) throws IllegalAccessException {
    String name = Counter.class.getName() + "$ByteBuddy" + me + "x" + c;
    ClassLoadingStrategy<ClassLoader> strategy =
        c % 2 == 0
            ? ClassLoadingStrategy.Default.WRAPPER
            : ClassLoadingStrategy.UsingLookup.of(
                MethodHandles.privateLookupIn(Counter.class, MethodHandles.lookup()));
    return new ByteBuddy()
        .subclass(Counter.class)
        .name(name)
        .method(ElementMatchers.named("next"))
        .intercept(MethodDelegation.to(Doubling.class))
        .make()
        .load(Counter.class.getClassLoader(), strategy)
        .getLoaded();
  }

  private static String lcgName(int me, int c) {
    return OwnBytecodeLibraries.class.getName() + "$Asm" + me + "x" + c;
  }

  /** {@code x -> x * MULTIPLIER + c}, as a class of its own. */
  private static byte[] lcgClass(int me, int c) {
    String internal = lcgName(me, c).replace('.', '/');
    ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_MAXS);
    cw.visit(
        Opcodes.V17,
        Opcodes.ACC_PUBLIC | Opcodes.ACC_FINAL,
        internal,
        null,
        "java/lang/Object",
        new String[] {"java/util/function/LongUnaryOperator"});
    MethodVisitor init = cw.visitMethod(Opcodes.ACC_PUBLIC, "<init>", "()V", null, null);
    init.visitCode();
    init.visitVarInsn(Opcodes.ALOAD, 0);
    init.visitMethodInsn(Opcodes.INVOKESPECIAL, "java/lang/Object", "<init>", "()V", false);
    init.visitInsn(Opcodes.RETURN);
    init.visitMaxs(0, 0);
    init.visitEnd();
    MethodVisitor apply = cw.visitMethod(Opcodes.ACC_PUBLIC, "applyAsLong", "(J)J", null, null);
    apply.visitCode();
    apply.visitVarInsn(Opcodes.LLOAD, 1);
    apply.visitLdcInsn(MULTIPLIER);
    apply.visitInsn(Opcodes.LMUL);
    apply.visitLdcInsn((long) c);
    apply.visitInsn(Opcodes.LADD);
    apply.visitInsn(Opcodes.LRETURN);
    apply.visitMaxs(0, 0);
    apply.visitEnd();
    cw.visitEnd();
    return cw.toByteArray();
  }
}

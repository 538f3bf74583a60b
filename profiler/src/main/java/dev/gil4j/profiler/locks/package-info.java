/**
 * Drop-in subclasses of {@code java.util.concurrent}'s synchronizers that record their contention:
 * {@link dev.gil4j.profiler.locks.ProfiledReentrantLock}, {@link
 * dev.gil4j.profiler.locks.ProfiledReentrantReadWriteLock}, {@link
 * dev.gil4j.profiler.locks.ProfiledSemaphore}, {@link
 * dev.gil4j.profiler.locks.ProfiledCountDownLatch}, {@link
 * dev.gil4j.profiler.locks.ProfiledCyclicBarrier} and {@link
 * dev.gil4j.profiler.locks.ProfiledPhaser}.
 *
 * <p>gil4j's agent rewrites {@code new java.util.concurrent.X(args)} in application classes to
 * {@code new dev.gil4j.profiler.locks.ProfiledX(args, site)}: every public constructor of a JDK
 * class has a twin here with one trailing {@code String site}, the creation site such as {@code
 * com.acme.Cache.<init>(Cache.java:42)}. Being subclasses, the results fit every field and
 * parameter typed as the JDK class.
 *
 * <p>Each class delegates every operation to the JDK class and times only its contended path: a
 * wait goes into {@link dev.gil4j.profiler.ContentionRecorder} under the kind (the JDK class's
 * simple name, or {@code ReentrantReadWriteLock.read}, {@code .write}, {@code
 * ReentrantLock.condition}…) and the site, and becomes a {@link
 * dev.gil4j.profiler.jfr.LockWaitEvent}. The classes depend only on the JDK and the profiler's own
 * classes, so they can live on the bootstrap class path, and call no instrumented code.
 */
package dev.gil4j.profiler.locks;

/**
 * Python's {@code threading} synchronization primitives with CPython 3.12's semantics: {@link
 * dev.gil4j.threading.Lock}, {@link dev.gil4j.threading.RLock}, {@link
 * dev.gil4j.threading.Condition}, {@link dev.gil4j.threading.Semaphore}, {@link
 * dev.gil4j.threading.BoundedSemaphore}, {@link dev.gil4j.threading.Event}, {@link
 * dev.gil4j.threading.Barrier} and {@link dev.gil4j.threading.Timer}, so that experiments written
 * the Python way run on the JVM, under gil4j's GIL or without it.
 *
 * <p>Conventions, everywhere in this package:
 *
 * <ul>
 *   <li>Timeouts are seconds as a {@code double}; {@code -1} means Python's "no timeout" ({@code
 *       -1} for locks, {@code None} elsewhere).
 *   <li>Python's {@code ValueError} is {@link java.lang.IllegalArgumentException}, {@code
 *       OverflowError} is {@link java.lang.ArithmeticException}, and the {@code RuntimeError} of
 *       lock misuse (releasing a lock one does not hold, waiting or notifying without it) is {@link
 *       java.lang.IllegalMonitorStateException}, as for {@code ReentrantLock} and {@code
 *       Object.wait}. Messages are Python's.
 *   <li>{@code with x:} is {@code try (Held held = x.enter()) { ... }}.
 *   <li>Methods whose Python names clash with {@code java.lang.Object} are renamed: {@code wait} is
 *       {@code await}, {@code wait_for} is {@code awaitFor}, {@code notify} is {@code signal},
 *       {@code notify_all} is {@code signalAll}.
 *   <li>No wait is interruptible: an interrupt is kept and re-asserted when the wait ends.
 *   <li>A blocking call tries without blocking first, then releases the GIL while it waits
 *       (CPython's {@code acquire_timed}); waits and holds are recorded per creation site in {@link
 *       dev.gil4j.profiler.ContentionRecorder}, timing only the slow path.
 * </ul>
 */
package dev.gil4j.threading;

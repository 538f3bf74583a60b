package dev.gil4j.profiler.jfr;

import dev.gil4j.profiler.Deferred;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.HashSet;
import java.util.Set;
import jdk.jfr.Event;
import jdk.jfr.EventType;

/**
 * Keeps gil4j's own frames out of the stack traces of its events, as the JDK keeps its
 * instrumentation out of its own: the top frame of a {@code gil4j.LockWait} is the application's
 * call to {@code lock()}, not gil4j's drop-in, so that JMC's stack-trace and hot-method views rank
 * the application's code.
 *
 * <p><b>Assumptions and guarantees.</b> It uses JFR's internals ({@code jdk.jfr.internal}), which
 * gil4j's agent opens to gil4j's runtime ({@link Deferred#JDK_ACCESS}, run here); where they are
 * not open, or not as this class expects, an event type keeps its stacks as they are, and nothing
 * throws. Call {@link #hide} once an event class is registered, before its first commit.
 *
 * <ul>
 *   <li>JDK 22 and later: the event type gets a stack filter (what the JDK's {@code
 *       jdk.jfr.events.StackFilter} annotation registers), which leaves out every frame of the
 *       named classes.
 *   <li>Before: the event type's stack-trace offset, the number of frames JFR skips above the
 *       commit, grows by a fixed count. Every commit of that type must then happen exactly that
 *       many gil4j frames below the application's frame.
 * </ul>
 */
public final class OwnFrames {
  private static final Set<Class<?>> HIDDEN = new HashSet<>();

  private OwnFrames() {}

  /**
   * Leaves gil4j's frames out of the stack traces of {@code type}.
   *
   * @param type a registered event class
   * @param frames how many frames, counted from the one that calls {@code commit()}, are gil4j's at
   *     every commit of {@code type}
   * @param classes the classes whose methods those frames are in (binary names)
   * @return whether the stacks of {@code type} leave gil4j's frames out from now on
   */
  public static synchronized boolean hide(
      Class<? extends Event> type, int frames, String... classes) {
    if (HIDDEN.contains(type)) {
      return true;
    }
    try {
      Deferred.JDK_ACCESS.run();
      Object platformType = platformEventType(type);
      if (!filter(platformType, classes)) {
        skip(platformType, frames);
      }
      HIDDEN.add(type);
      return true;
    } catch (Throwable t) {
      // JFR's internals are closed or not what this JDK has: stacks stay as they are.
      return false;
    }
  }

  private static Object platformEventType(Class<? extends Event> type) throws Exception {
    Class<?> access = Class.forName("jdk.jfr.internal.PrivateAccess");
    Method instance = access.getMethod("getInstance");
    Method platform = access.getMethod("getPlatformEventType", EventType.class);
    instance.setAccessible(true);
    platform.setAccessible(true);
    return platform.invoke(instance.invoke(null), EventType.getEventType(type));
  }

  /** JDK 22+: a stack filter for {@code classes}. Whether this JDK has stack filters. */
  private static boolean filter(Object platformType, String[] classes) throws Exception {
    Class<?> repository = Class.forName("jdk.jfr.internal.MetadataRepository");
    Method register;
    Method setFilter;
    try {
      register = repository.getMethod("registerStackFilter", String[].class, String[].class);
      setFilter = platformType.getClass().getMethod("setStackFilterId", long.class);
    } catch (NoSuchMethodException before22) {
      return false;
    }
    Method instance = repository.getMethod("getInstance");
    instance.setAccessible(true);
    register.setAccessible(true);
    setFilter.setAccessible(true);
    String[] types = new String[classes.length];
    for (int i = 0; i < classes.length; i++) {
      types[i] = classes[i].replace('.', '/');
    }
    // a null method: every method of the class
    long id = (long) register.invoke(instance.invoke(null), types, new String[classes.length]);
    setFilter.invoke(platformType, id);
    return true;
  }

  /** Before JDK 22: {@code frames} more frames skipped at every commit. */
  private static void skip(Object platformType, int frames) throws Exception {
    Field offset = platformType.getClass().getDeclaredField("stackTraceOffset");
    offset.setAccessible(true);
    offset.setInt(platformType, offset.getInt(platformType) + frames);
  }
}

package dev.gil4j.it.apps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gil4j.testkit.Child;
import dev.gil4j.testkit.ChildRun;
import dev.gil4j.testkit.Jdk;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Netty's native epoll transport under the GIL ({@link NettyEcho}): its event loops wait in a JNI
 * call, {@code Native.epollWait}, which gil4j knows only as a native method of a library. Such a
 * method is a place where the GIL may be released, as CPython's extension modules release it around
 * their blocking calls; without that, every wait held the GIL until the safety net revoked it
 * (1,700–2,000 revocations per run, throughput 5–10% of no agent). The echo must work, with
 * revocations near 0 and the GIL released in native calls instead.
 *
 * <p>Prints throughput beside Netty's Java-NIO transport under the GIL and the same epoll server
 * without the agent:
 *
 * <pre>
 * netty: [JDK 17] epoll gil=on 9100 echoes/s (0.45x of no agent), nio gil=on 8800 echoes/s ...
 * </pre>
 */
class NativeTransportTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final String SECONDS = "4";
  private static final String CONNECTIONS = "8";

  /** Revocations seen on a loaded 2-core machine come from class loading, not the transport. */
  private static final int MAX_REVOCATIONS = 3;

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.gil4j.testkit.Jdk#available")
  void nettyEpollReleasesTheGilInItsNativeWaits(Jdk jdk) {
    ChildRun epoll = run(jdk, "gil=on", "epoll");
    ChildRun nio = run(jdk, "gil=on", "nio");
    ChildRun alone = run(jdk, null, "epoll");
    double revocations = epoll.report().value("revocations");
    double released = epoll.report().value("released in native calls");
    System.out.printf(
        "netty: [%s] epoll gil=on %.0f echoes/s (%.2fx of no agent), nio gil=on %.0f echoes/s,"
            + " epoll no agent %.0f echoes/s; epoll revocations %.0f, released in native calls"
            + " %.0f, GIL wait p50 %.2f ms%n",
        jdk,
        epoll.metric("echoes_per_s"),
        epoll.metric("echoes_per_s") / alone.metric("echoes_per_s"),
        nio.metric("echoes_per_s"),
        alone.metric("echoes_per_s"),
        revocations,
        released,
        epoll.report().value("GIL wait p50"));
    for (ChildRun run : new ChildRun[] {epoll, nio, alone}) {
      assertTrue(run.metric("echoes") > 0, run::describe);
      assertEquals(0, run.metric("bad_echoes"), run::describe);
      assertTrue(run.metric("echoed_bytes") > 0, run::describe);
    }
    assertTrue(
        revocations <= MAX_REVOCATIONS,
        () -> String.format("%.0f revocations%n%s", revocations, epoll.describe()));
    assertTrue(released > 0, () -> "no release in a native call\n" + epoll.describe());
  }

  private static ChildRun run(Jdk jdk, String options, String transport) {
    Child child =
        Child.java(jdk, List.of(ThirdPartyAppsTest.classPathJar()), NettyEcho.class.getName())
            .withArgs(transport, SECONDS, CONNECTIONS)
            .withTimeout(TIMEOUT);
    return (options == null ? child : child.withAgent(options)).run().assertSucceeded();
  }
}

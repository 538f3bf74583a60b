package dev.gil4j.multiprocessing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gil4j.multiprocessing.internal.ChildMain;
import java.io.EOFException;
import java.io.IOException;
import java.io.NotSerializableException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Real child JVMs: lifecycle, exit codes as Python reports them, and pipe ends handed to children.
 * Every test runs under a hard time limit; a child that overstays is thread-dumped and killed.
 */
@ExtendWith(Children.NoneLeftBehind.class)
class ProcessTest {
  private static final Duration LIMIT = Duration.ofSeconds(40);

  /** Round trips before timing: the child's JIT compiles its echo loop meanwhile. */
  private static final int WARM_UP = 50;

  /** A main class for {@link Process#forMain}: exits with the status given as its argument. */
  public static final class ExitWith {
    private ExitWith() {}

    public static void main(String[] args) {
      System.exit(Integer.parseInt(args[0]));
    }
  }

  @Test
  void childrenWriteTheirReportRecordingAndSummaryToFilesOfTheirOwn() {
    assertEquals(
        "-javaagent:/a/gil4j-agent.jar=switch=1ms,report=/tmp/r-%p.txt,jfr=out/app-%p.jfr",
        Process.childOutputs(
            "-javaagent:/a/gil4j-agent.jar=switch=1ms,report=/tmp/r.txt,jfr=out/app.jfr"));
    assertEquals(
        "-javaagent:/a/gil4j-agent.jar=gil=on,summary=out/run.summary-%p.json",
        Process.childOutputs("-javaagent:/a/gil4j-agent.jar=gil=on,summary=out/run.summary.json"));
    assertEquals(
        "-javaagent:/a/gil4j-agent.jar=report=/tmp/r-%p,jfr=run.d/app-%p",
        Process.childOutputs("-javaagent:/a/gil4j-agent.jar=report=/tmp/r,jfr=run.d/app"));
    for (String kept :
        List.of(
            "-javaagent:/a/gil4j-agent.jar",
            "-javaagent:/a/gil4j-agent.jar=report=stderr,gil=off",
            "-javaagent:/a/gil4j-agent.jar=report=off",
            "-javaagent:/a/gil4j-agent.jar=jfr=/tmp/%p.jfr")) {
      assertEquals(kept, Process.childOutputs(kept));
    }
  }

  @Test
  void aTaskRunsInAChildJvmAndTalksOverAPipe() throws Exception {
    Children.within(
        LIMIT,
        () -> {
          Pipe pipe = Pipe.open();
          Connection child = pipe.second();
          Process p =
              new Process(
                  () -> {
                    child.send(ProcessHandle.current().pid());
                    child.send(System.getProperty(ChildMain.NAME_PROPERTY));
                    child.send(System.getProperty("gil4j.test.marker"));
                    child.send(((Number) child.recv()).longValue() * 2);
                  });
          p.setJvmOptions(List.of("-Dgil4j.test.marker=42"));
          p.start();
          assertTrue(child.closed(), "the given end is closed in the parent");
          Connection parent = pipe.first();
          long pid = ((Number) parent.recv()).longValue();
          assertEquals(p.pid(), pid);
          assertNotEquals(ProcessHandle.current().pid(), pid);
          assertEquals(p.name(), parent.recv());
          assertEquals("42", parent.recv());
          parent.send(21L);
          assertEquals(
              42, parent.recv(), "a Python int arrives as the smallest type that holds it");
          Children.awaitEnd(p, LIMIT);
          assertEquals(0, p.exitCode());
          assertFalse(p.isAlive());
          assertThrows(EOFException.class, parent::recv);
          parent.close();
        });
  }

  @Test
  void lifecycleStatesAndMisuseFollowPython() throws Exception {
    Children.within(
        LIMIT,
        () -> {
          Process p = Process.forMain(ExitWith.class.getName(), "3");
          assertTrue(p.name().matches("Process-\\d+"), p.name());
          assertNull(p.pid());
          assertNull(p.exitCode());
          assertFalse(p.isAlive());
          assertThrows(IllegalStateException.class, p::join);
          assertThrows(IllegalStateException.class, p::terminate);
          p.setName("exit-three");
          p.start();
          assertEquals(
              "cannot start a process twice",
              assertThrows(IllegalStateException.class, p::start).getMessage());
          assertThrows(IllegalStateException.class, () -> p.setName("x"));
          assertThrows(IllegalStateException.class, () -> p.setDaemon(true));
          Children.awaitEnd(p, LIMIT);
          assertEquals(3, p.exitCode(), "a main class's exit status");
          assertEquals("exit-three", p.name());
        });
  }

  @Test
  void aTaskThatThrowsExitsWithCode1AndSystemExitWithItsStatus() throws Exception {
    Children.within(
        LIMIT,
        () -> {
          Process failing =
              new Process(
                  () -> {
                    throw new IllegalStateException("expected failure in a child, not a bug");
                  });
          Process exiting = new Process(() -> System.exit(7));
          failing.start();
          exiting.start();
          Children.awaitEnd(failing, LIMIT);
          Children.awaitEnd(exiting, LIMIT);
          assertEquals(1, failing.exitCode());
          assertEquals(7, exiting.exitCode());
        });
  }

  /** A child that says it is ready, then sleeps until it is stopped. */
  private static Process sleeper(Connection parentEnd, Connection childEnd) throws IOException {
    Process p =
        new Process(
            () -> {
              childEnd.send("ready");
              Thread.sleep(120_000);
            });
    p.start();
    assertEquals("ready", parentEnd.recv());
    return p;
  }

  @Test
  void terminateEndsAChildWithMinus15AndJoinTimesOutBefore() throws Exception {
    Children.within(
        LIMIT,
        () -> {
          Pipe pipe = Pipe.open();
          Process p = sleeper(pipe.first(), pipe.second());
          long start = System.nanoTime();
          assertFalse(p.join(0.2), "still running");
          assertTrue(System.nanoTime() - start >= 150_000_000L, "join(0.2) waited");
          assertTrue(p.isAlive());
          assertNull(p.exitCode());
          assertTrue(Process.activeChildren().contains(p));
          p.terminate();
          Children.awaitEnd(p, LIMIT);
          assertEquals(-15, p.exitCode());
          assertThrows(EOFException.class, pipe.first()::recv, "the child's end closed with it");
          pipe.first().close();
        });
  }

  @Test
  void killEndsAChildWithMinus9() throws Exception {
    Children.within(
        LIMIT,
        () -> {
          Pipe pipe = Pipe.open();
          Process p = sleeper(pipe.first(), pipe.second());
          p.kill();
          Children.awaitEnd(p, LIMIT);
          assertEquals(-9, p.exitCode());
          pipe.first().close();
        });
  }

  @Test
  void aMessageSentJustBeforeTheChildEndsIsNotLost() throws Exception {
    Children.within(
        LIMIT,
        () -> {
          Pipe pipe = Pipe.open();
          Connection child = pipe.second();
          Process p = new Process(() -> child.send(7L));
          p.start();
          Children.awaitEnd(p, LIMIT);
          assertEquals(7, pipe.first().recv(), "read after the child ended");
          assertThrows(EOFException.class, pipe.first()::recv);
          pipe.first().close();
        });
  }

  @Test
  void aChildThatNeverStartsLeavesTheParentAtEndOfFile() throws Exception {
    Children.within(
        LIMIT,
        () -> {
          Pipe pipe = Pipe.open();
          Connection child = pipe.second();
          Process p = new Process(() -> child.send("unreachable"));
          p.setJvmOptions(List.of("-XX:+ThisOptionDoesNotExist"));
          p.start();
          Children.awaitEnd(p, LIMIT);
          assertEquals(1, p.exitCode(), "the JVM refused to start");
          assertThrows(EOFException.class, pipe.first()::recv);
          assertTrue(pipe.first().poll(), "end of file is input");
          pipe.first().close();
        });
  }

  @Test
  void echoChildRoundTripsSmallAndLargeMessages() throws Exception {
    Children.within(
        LIMIT,
        () -> {
          Pipe pipe = Pipe.open();
          Connection child = pipe.second();
          Process p =
              new Process(
                  () -> {
                    byte[] buf = new byte[1 << 20];
                    while (true) {
                      int n;
                      try {
                        n = child.recvBytesInto(buf);
                      } catch (EOFException e) {
                        return;
                      }
                      child.sendBytes(buf, 0, n);
                    }
                  });
          p.start();
          Connection parent = pipe.first();
          byte[] small = new byte[64];
          byte[] large = new byte[1 << 20];
          new java.util.Random(1).nextBytes(large);
          double smallUs = roundTripMicros(parent, small, 20_000);
          double largeUs = roundTripMicros(parent, large, 200);
          System.out.printf(
              "pipe round trip parent<->child JVM: 64 B %.1f us, 1 MiB %.0f us (%.0f MB/s each"
                  + " way)%n",
              smallUs, largeUs, (1 << 20) / largeUs);
          assertEquals(20_200 + 2 * WARM_UP, parent.messagesSent());
          assertEquals(20_200 + 2 * WARM_UP, parent.messagesReceived());
          assertEquals(parent.bytesSent(), parent.bytesReceived());
          parent.close();
          Children.awaitEnd(p, LIMIT);
          assertEquals(0, p.exitCode());
        });
  }

  /** Times {@code count} echoed round trips of {@code message}, after {@link #WARM_UP} more. */
  private static double roundTripMicros(Connection c, byte[] message, int count)
      throws IOException {
    for (int i = 0; i < WARM_UP; i++) {
      c.sendBytes(message);
      c.recvBytes();
    }
    long start = System.nanoTime();
    for (int i = 0; i < count; i++) {
      c.sendBytes(message);
      assertArrayEquals(message, c.recvBytes());
    }
    return (System.nanoTime() - start) / 1e3 / count;
  }

  @Test
  void theWriteEndOfASimplexPipeCanGoToTheChild() throws Exception {
    Children.within(
        LIMIT,
        () -> {
          Pipe pipe = Pipe.open(false);
          Connection writer = pipe.second();
          Process p =
              new Process(
                  () -> {
                    if (writer.readable() || !writer.writable()) {
                      throw new AssertionError("the child's end is not write-only");
                    }
                    writer.send("from the child");
                  });
          p.start();
          assertEquals("from the child", pipe.first().recv());
          Children.awaitEnd(p, LIMIT);
          assertEquals(0, p.exitCode());
          pipe.first().close();
        });
  }

  @Test
  void aPipeCannotBeSplitAfterUseNorLoseBothEnds() throws Exception {
    Pipe used = Pipe.open();
    Connection a = used.first();
    Connection b = used.second();
    a.sendBytes(new byte[] {1});
    b.recvBytes();
    NotSerializableException e =
        assertThrows(NotSerializableException.class, () -> new Process(() -> b.close()).start());
    assertTrue(e.getMessage().contains("before either end has sent"), e.getMessage());
    a.sendBytes(new byte[] {2});
    assertArrayEquals(new byte[] {2}, b.recvBytes(), "both ends still work");

    Pipe fresh = Pipe.open();
    Connection c = fresh.first();
    Connection d = fresh.second();
    assertThrows(
        NotSerializableException.class,
        () ->
            new Process(
                    () -> {
                      c.close();
                      d.close();
                    })
                .start());
    c.sendBytes(new byte[] {3});
    assertArrayEquals(new byte[] {3}, d.recvBytes(), "a failed start hands nothing over");
    for (Connection x : List.of(a, b, c, d)) {
      x.close();
    }
    assertEquals(List.of(), Process.activeChildren());
  }

  @Test
  void aChildNamesItsChildrenAfterItselfAndADaemonCannotHaveAny() throws Exception {
    Children.within(
        LIMIT,
        () -> {
          Pipe pipe = Pipe.open();
          Connection up = pipe.second();
          Process p =
              new Process(
                  () -> {
                    Pipe inner = Pipe.open();
                    Connection innerUp = inner.second();
                    Process grandchild =
                        new Process(
                            () -> innerUp.send(System.getProperty(ChildMain.NAME_PROPERTY)));
                    grandchild.start();
                    up.send(grandchild.name());
                    up.send(inner.first().recv());
                    grandchild.join();
                    up.send(grandchild.exitCode());
                  });
          p.start();
          String name = (String) pipe.first().recv();
          assertTrue(name.startsWith(p.name() + ":"), name + " is a child of " + p.name());
          assertEquals(name, pipe.first().recv(), "the grandchild knows its name");
          assertEquals(0, pipe.first().recv());
          Children.awaitEnd(p, LIMIT);
          assertEquals(0, p.exitCode());
          pipe.first().close();

          Pipe daemonPipe = Pipe.open();
          Connection daemonUp = daemonPipe.second();
          Process daemon =
              new Process(
                  () -> {
                    try {
                      new Process(() -> {}).start();
                      daemonUp.send("started a child");
                    } catch (IllegalStateException e) {
                      daemonUp.send(e.getMessage());
                    }
                  });
          daemon.setDaemon(true);
          assertTrue(daemon.isDaemon());
          daemon.start();
          assertEquals(
              "daemonic processes are not allowed to have children", daemonPipe.first().recv());
          Children.awaitEnd(daemon, LIMIT);
          daemonPipe.first().close();
        });
  }

  @Test
  void anExitStatusAbove128IsTheStatusWhenNoSignalWasSent() throws Exception {
    Children.within(
        LIMIT,
        () -> {
          Process p = new Process(() -> System.exit(130));
          Process q = Process.forMain(ExitWith.class.getName(), "143");
          p.start();
          q.start();
          Children.awaitEnd(p, LIMIT);
          Children.awaitEnd(q, LIMIT);
          assertEquals(130, p.exitCode(), "Python reports sys.exit(130) as 130");
          assertEquals(143, q.exitCode());
        });
  }

  @Test
  void theSentinelReadsTheEndOfTheStreamWhenTheChildEnds() throws Exception {
    Children.within(
        LIMIT,
        () -> {
          Pipe pipe = Pipe.open();
          Process p = sleeper(pipe.first(), pipe.second());
          Connection sentinel = p.sentinel();
          assertTrue(sentinel == p.sentinel(), "one sentinel per process");
          assertFalse(sentinel.writable());
          assertEquals(List.of(), Connection.waitAny(List.of(sentinel, pipe.first()), 0.1));
          p.terminate();
          assertEquals(List.of(sentinel), Connection.waitAny(List.of(sentinel), 30));
          assertThrows(EOFException.class, sentinel::recvBytes);
          Children.awaitEnd(p, LIMIT);
          pipe.first().close();
        });
  }

  @Test
  void closeRefusesARunningChildAndThenTheObjectIsClosed() throws Exception {
    Children.within(
        LIMIT,
        () -> {
          Pipe pipe = Pipe.open();
          Process p = sleeper(pipe.first(), pipe.second());
          Connection sentinel = p.sentinel();
          assertEquals(
              "Cannot close a process while it is still running. "
                  + "You should first call join() or terminate().",
              assertThrows(IllegalStateException.class, p::close).getMessage());
          p.kill();
          Children.awaitEnd(p, LIMIT);
          p.close();
          p.close();
          assertTrue(sentinel.closed());
          for (org.junit.jupiter.api.function.Executable use :
              List.<org.junit.jupiter.api.function.Executable>of(
                  p::isAlive, p::exitCode, p::pid, p::join, p::start, p::sentinel, p::kill)) {
            assertEquals(
                "process object is closed",
                assertThrows(IllegalStateException.class, use).getMessage());
          }
          assertTrue(p.name().startsWith("Process-"), "the name stays readable");
          pipe.first().close();
        });
  }

  @Test
  void currentIsThisJvmHereAndTheNamedChildThere() throws Exception {
    Process me = Process.current();
    assertTrue(me == Process.current());
    assertEquals("MainProcess", me.name());
    assertEquals(ProcessHandle.current().pid(), me.pid());
    assertTrue(me.isAlive());
    assertNull(me.exitCode());
    assertEquals(
        "can only join a child process",
        assertThrows(IllegalStateException.class, me::join).getMessage());
    assertThrows(IllegalStateException.class, me::start);
    assertThrows(IllegalStateException.class, me::close);
    Children.within(
        LIMIT,
        () -> {
          Pipe pipe = Pipe.open();
          Connection child = pipe.second();
          Process p =
              new Process(
                  () -> {
                    Process self = Process.current();
                    child.send(self.name() + " " + self.pid() + " " + self.isDaemon());
                  });
          p.setName("worker-7");
          p.setDaemon(true);
          p.start();
          assertEquals("worker-7 " + p.pid() + " true", pipe.first().recv());
          Children.awaitEnd(p, LIMIT);
          pipe.first().close();
        });
  }
}

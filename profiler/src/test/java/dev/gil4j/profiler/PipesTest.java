package dev.gil4j.profiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import java.io.PipedInputStream;
import java.lang.management.ManagementFactory;
import java.nio.channels.Pipe;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * What {@link Pipes} records when the agent's advice calls it, called here directly: which objects
 * count as pipe ends, how they are named, which calls are timed, and what that costs.
 */
class PipesTest {
  @Test
  void aNioPipeIsNamedByTheApplicationFrameThatOpenedIt() throws Exception {
    Pipe pipe = Pipe.open();
    int line = new Throwable().getStackTrace()[0].getLineNumber() + 1;
    Pipes.nioPipeOpened(pipe.source(), pipe.sink());
    assertTrue(Pipes.readBegins(pipe.source()));
    Pipes.ends(10);
    assertTrue(Pipes.writeBegins(pipe.sink()));
    Pipes.ends(10);
    assertFalse(Pipes.writeBegins(pipe.source()), "a source is not written");
    assertFalse(Pipes.readBegins(pipe.sink()), "a sink is not read");
    String site = PipesTest.class.getName() + ".aNioPipeIsNamedByTheApplicationFrameThatOpenedIt";
    assertEquals(1, waits(Pipes.NIO_SOURCE, site).orElseThrow().waits().getTotalCount());
    assertEquals(1, waits(Pipes.NIO_SINK, site).orElseThrow().waits().getTotalCount());
    assertTrue(
        waits(Pipes.NIO_SOURCE, site)
            .orElseThrow()
            .name()
            .endsWith("(PipesTest.java:" + line + ")"),
        waits(Pipes.NIO_SOURCE, site).orElseThrow().name());
  }

  @Test
  void aPipedStreamIsTimedOnBothSidesAtTheInputStream() {
    PipedInputStream in = new PipedInputStream();
    Pipes.pipedStreamCreated(in);
    assertTrue(Pipes.readBegins(in));
    Pipes.ends(1);
    assertTrue(Pipes.writeBegins(in));
    Pipes.ends(1);
    String site = PipesTest.class.getName() + ".aPipedStreamIsTimedOnBothSidesAtTheInputStream";
    assertTrue(waits(Pipes.PIPED_INPUT, site).isPresent());
    assertTrue(waits(Pipes.PIPED_OUTPUT, site).isPresent());
  }

  @Test
  void aCallInsideATimedCallIsPartOfItsTime() throws Exception {
    PipedInputStream in = new PipedInputStream();
    Pipes.pipedStreamCreated(in);
    assertTrue(Pipes.readBegins(in));
    assertFalse(Pipes.readBegins(in), "read(byte[]…) reading its first byte with read()");
    Pipes.ends(5);
    assertTrue(Pipes.readBegins(in), "the next call is timed again");
    Pipes.ends(5);
    String site = PipesTest.class.getName() + ".aCallInsideATimedCallIsPartOfItsTime";
    assertEquals(2, waits(Pipes.PIPED_INPUT, site).orElseThrow().waits().getTotalCount());
  }

  @Test
  void aNonBlockingChannelIsNeverTimed() throws Exception {
    Pipe pipe = Pipe.open();
    Pipes.nioPipeOpened(pipe.source(), pipe.sink());
    pipe.source().configureBlocking(false);
    assertFalse(Pipes.readBegins(pipe.source()));
    assertTrue(Pipes.writeBegins(pipe.sink()));
    Pipes.ends(0);
  }

  @Test
  void anythingElseIsNotTimedAndCostsNoAllocation() {
    Object stranger = new Object();
    Pipes.pipedStreamCreated(new PipedInputStream());
    ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    long id = Thread.currentThread().getId();
    for (int i = 0; i < 20_000; i++) {
      Pipes.readBegins(stranger);
    }
    long before = mx.getThreadAllocatedBytes(id);
    boolean any = false;
    for (int i = 0; i < 100_000; i++) {
      any |= Pipes.readBegins(stranger) | Pipes.writeBegins(stranger);
    }
    long allocated = mx.getThreadAllocatedBytes(id) - before;
    assertFalse(any);
    assertTrue(allocated < 1024, "allocated " + allocated + " bytes in 200000 look-ups");
  }

  @Test
  void endsWithoutABeginningRecordsNothing() {
    Pipes.ends(3);
    Object o = new Object();
    assertFalse(Pipes.readBegins(o));
    Pipes.ends(3);
  }

  private static Optional<ContentionRecorder.SiteSnapshot> waits(String kind, String sitePrefix) {
    return ContentionRecorder.snapshot().stream()
        .filter(s -> s.kind().equals(kind) && s.name().startsWith(sitePrefix + "("))
        .findFirst();
  }
}

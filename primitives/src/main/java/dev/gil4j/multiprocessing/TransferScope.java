package dev.gil4j.multiprocessing;

import java.io.IOException;
import java.io.NotSerializableException;
import java.util.ArrayList;
import java.util.List;

/**
 * The pipe ends met while one {@link Process} serializes its task, on the thread that starts it.
 * Each becomes a {@link Handover}; once the child has been launched, {@link #commit} closes the
 * ends here and points their peers at the handovers, and the child's exit ends whatever it did not
 * connect. If the launch fails, {@link #abort} leaves the ends as they were.
 */
final class TransferScope {
  private static final ThreadLocal<TransferScope> CURRENT = new ThreadLocal<>();

  private final List<Connection> ends = new ArrayList<>();
  private final List<Connection> stays = new ArrayList<>();
  private final List<Handover> handovers = new ArrayList<>();

  private TransferScope() {}

  /** The scope of the task being serialized on this thread, or null. */
  static TransferScope current() {
    return CURRENT.get();
  }

  /** Opens a scope on this thread; {@link #close()} ends it. */
  static TransferScope open() {
    TransferScope scope = new TransferScope();
    CURRENT.set(scope);
    return scope;
  }

  /** Stops collecting: serialization is over. */
  void close() {
    CURRENT.remove();
  }

  /** Prepares {@code end} for a child: the listener it will connect to. */
  Handover transfer(Connection end) throws NotSerializableException {
    if (end.closed()) {
      throw new NotSerializableException(
          "cannot give a closed Connection to a child: " + end.name());
    }
    Connection stay = end.localPeer();
    if (stay == null || stays.contains(end)) {
      throw new NotSerializableException(
          "only an end of a Pipe made in this process, whose other end stays in this process, can"
              + " be given to a child: "
              + end.name());
    }
    if (end.used() || stay.used()) {
      throw new NotSerializableException(
          "a Pipe end can be given to a child only before either end has sent or received a"
              + " message: "
              + end.name());
    }
    Handover h;
    try {
      h = Handover.open();
    } catch (IOException e) {
      NotSerializableException failure =
          new NotSerializableException("cannot hand " + end.name() + " to a child: " + e);
      failure.initCause(e);
      throw failure;
    }
    ends.add(end);
    stays.add(stay);
    handovers.add(h);
    return h;
  }

  /** The child was launched: the ends are its now. */
  void commit(java.lang.Process child) {
    for (int i = 0; i < ends.size(); i++) {
      Handover h = handovers.get(i);
      Connection stay = stays.get(i);
      stay.arm(h);
      ends.get(i).transferred();
      child.onExit().thenRun(h::end);
      if (stay.closed()) {
        h.end();
        h.closeResult();
      }
    }
  }

  /** The child was not launched: nothing was handed over. */
  void abort() {
    for (Handover h : handovers) {
      h.end();
      h.closeResult();
    }
  }
}

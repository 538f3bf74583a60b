package dev.gil4j.multiprocessing;

import dev.gil4j.multiprocessing.internal.CreationSite;
import dev.gil4j.profiler.ContentionRecorder;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectStreamException;
import java.io.Serializable;
import java.nio.file.Path;

/**
 * What the cross-process primitives share: where their state lives and how a child reaches it. See
 * {@link Shared} for the design.
 */
abstract sealed class SharedPrimitive implements Serializable
    permits Lock, RLock, Semaphore, Event, Condition, Barrier {
  private static final long serialVersionUID = 1L;

  /** The kind the profiler names, as the threading primitive's: {@code Lock}, {@code Event}… */
  final transient String kind;

  /** Where the application created it, kept across processes. */
  final transient String site;

  /** The owner's sync server, in a child; null in the owner. */
  private final transient Path owner;

  /** The id at the owner: in a child, given; in the owner, set when first shared. */
  private transient volatile long id;

  private transient volatile ContentionRecorder.Site recorder;

  /** A primitive owned by this process. */
  SharedPrimitive(String kind) {
    this.kind = kind;
    this.site = CreationSite.ofCaller();
    this.owner = null;
  }

  /** A child's stand-in for the owner's primitive {@code h}. */
  SharedPrimitive(Handle h) {
    this.kind = h.kind();
    this.site = h.site();
    this.owner = Path.of(h.address());
    this.id = h.id();
  }

  /** Whether this process owns the state (else calls travel to the owner). */
  final boolean owned() {
    return owner == null;
  }

  /**
   * What else a child's stand-in needs, carried in its {@link Handle}: a condition's lock, a
   * barrier's parties.
   */
  Serializable extra() {
    return null;
  }

  /** Runs {@code op} on the state: in the owner, for its own threads or for a child's. */
  abstract Shared.Result serve(byte op, boolean blocking, double timeout, int n);

  /** Undoes what {@code serve} did for a caller that left before it heard the result. */
  void undo(byte op, long value, int n) {}

  /** {@code op} here in the owner, or at the owner from a child. */
  final Shared.Result call(byte op, boolean blocking, double timeout, int n) throws IOException {
    if (owner == null) {
      return serve(op, blocking, timeout, n);
    }
    ContentionRecorder.Site r = recorder;
    if (r == null) {
      r = ContentionRecorder.site(kind, site);
      recorder = r;
    }
    return Shared.call(owner, id, op, blocking, timeout, n, r);
  }

  /** Python's {@code block}/{@code timeout} rule: a non-blocking call ignores the timeout. */
  static double timeoutFor(boolean blocking, double timeout) {
    if (Double.isNaN(timeout)) {
      throw new IllegalArgumentException("Invalid value NaN (not a number)");
    }
    return blocking ? timeout : -1;
  }

  /**
   * What crosses to a child: the owner's address, the id there, what to call it, and what else its
   * stand-in needs ({@link #extra}).
   */
  record Handle(String kind, String address, long id, String site, Serializable extra)
      implements Serializable {
    private Object readResolve() {
      return switch (kind) {
        case "Lock" -> new Lock(this);
        case "RLock" -> new RLock(this);
        case "Semaphore" -> new Semaphore(this);
        case "BoundedSemaphore" -> new BoundedSemaphore(this);
        case "Condition" -> new Condition(this);
        case "Barrier" -> new Barrier(this);
        default -> new Event(this);
      };
    }
  }

  /** Serialization gives a child a stand-in that calls this process. */
  final Object writeReplace() throws ObjectStreamException {
    if (owner != null) {
      return new Handle(kind, owner.toString(), id, site, extra());
    }
    try {
      Path address = Shared.address();
      synchronized (this) {
        if (id == 0) {
          id = Shared.register(this);
        }
      }
      return new Handle(kind, address.toString(), id, site, extra());
    } catch (IOException e) {
      NotSerializableException failure =
          new NotSerializableException("cannot share " + kind + " with another process: " + e);
      failure.initCause(e);
      throw failure;
    }
  }

  @Override
  public String toString() {
    return "<" + kind + " created at " + site + (owned() ? "" : ", owned by another process") + ">";
  }
}

package dev.gil4j.multiprocessing;

import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.NotSerializableException;
import java.io.ObjectStreamException;
import java.io.Serializable;
import java.nio.file.Path;

/** What {@link Value} and {@link Array} share: their memory, their lock, how they reach a child. */
abstract sealed class SharedCData implements Serializable permits Value, Array {
  private static final long serialVersionUID = 1L;

  final transient SharedMemory memory;

  /** Null when created with {@code lock=false}. */
  final transient SharedLock lock;

  SharedCData(char typecode, int length, SharedLock lock) {
    try {
      this.memory = SharedMemory.create(typecode, length, this);
    } catch (IOException e) {
      throw new IllegalStateException("cannot create shared memory: " + e.getMessage(), e);
    }
    this.lock = lock;
  }

  SharedCData(SharedMemory memory, SharedLock lock) {
    this.memory = memory;
    this.lock = lock;
  }

  /** Python's {@code lock=True}: a new {@link RLock}; {@code false}: none. */
  static SharedLock lockFor(boolean lock) {
    return lock ? new RLock() : null;
  }

  /**
   * The lock that guards every access; Python's {@code get_lock()}.
   *
   * @throws IllegalStateException if created with {@code lock=false} (Python: {@code
   *     AttributeError}, a raw object has no {@code get_lock})
   */
  public final SharedLock getLock() {
    if (lock == null) {
      throw new IllegalStateException("created with lock=false: it has no lock");
    }
    return lock;
  }

  /** The typecode, as given. */
  public final char typecode() {
    return memory.typecode();
  }

  final long loadLong(int i) throws IOException {
    if (lock == null) {
      return memory.getLong(i);
    }
    lock.acquire();
    try {
      return memory.getLong(i);
    } finally {
      lock.release();
    }
  }

  final double loadDouble(int i) throws IOException {
    if (lock == null) {
      return memory.getDouble(i);
    }
    lock.acquire();
    try {
      return memory.getDouble(i);
    } finally {
      lock.release();
    }
  }

  final void storeLong(int i, long v) throws IOException {
    if (lock == null) {
      memory.setLong(i, v);
      return;
    }
    lock.acquire();
    try {
      memory.setLong(i, v);
    } finally {
      lock.release();
    }
  }

  final void storeDouble(int i, double v) throws IOException {
    if (lock == null) {
      memory.setDouble(i, v);
      return;
    }
    lock.acquire();
    try {
      memory.setDouble(i, v);
    } finally {
      lock.release();
    }
  }

  /** What crosses to a child: where the memory is, its shape, and the lock. */
  record Handle(char typecode, int length, String file, SharedLock lock, boolean array)
      implements Serializable {
    private Object readResolve() throws ObjectStreamException {
      SharedMemory memory;
      try {
        memory = SharedMemory.map(typecode, length, Path.of(file));
      } catch (IOException e) {
        InvalidObjectException failure =
            new InvalidObjectException(
                "the shared memory of this "
                    + (array ? "Array" : "Value")
                    + " is gone (its creating process ended or dropped it): "
                    + e);
        failure.initCause(e);
        throw failure;
      }
      return array ? new Array(memory, lock) : new Value(memory, lock);
    }
  }

  final Object writeReplace() throws ObjectStreamException {
    if (memory == null) {
      throw new NotSerializableException("no shared memory");
    }
    return new Handle(
        memory.typecode(), memory.length(), memory.file().toString(), lock, this instanceof Array);
  }
}

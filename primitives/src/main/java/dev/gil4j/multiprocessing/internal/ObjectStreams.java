package dev.gil4j.multiprocessing.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;

/**
 * Java serialization for messages and tasks, gil4j's counterpart of pickle.
 *
 * <p>Classes are resolved through the thread's context class loader (else the system class loader),
 * not through the caller's loader: under the agent, gil4j's own classes live on the bootstrap class
 * path, whose loader cannot see the application's classes.
 */
public final class ObjectStreams {
  private ObjectStreams() {}

  /** {@code value} serialized. */
  public static byte[] toBytes(Object value) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(value);
    }
    return bytes.toByteArray();
  }

  /** The object serialized in {@code buf[off, off + len)}. */
  public static Object fromBytes(byte[] buf, int off, int len) throws IOException {
    return read(new ByteArrayInputStream(buf, off, len));
  }

  /** The one object serialized on {@code in}. */
  public static Object read(InputStream in) throws IOException {
    try (ObjectInputStream objects = new ApplicationObjectInputStream(in)) {
      return objects.readObject();
    } catch (ClassNotFoundException e) {
      throw new IOException("cannot deserialize: class not found: " + e.getMessage(), e);
    }
  }

  private static final class ApplicationObjectInputStream extends ObjectInputStream {
    ApplicationObjectInputStream(InputStream in) throws IOException {
      super(in);
    }

    @Override
    protected Class<?> resolveClass(ObjectStreamClass desc)
        throws IOException, ClassNotFoundException {
      ClassLoader loader = Thread.currentThread().getContextClassLoader();
      if (loader == null) {
        loader = ClassLoader.getSystemClassLoader();
      }
      try {
        return Class.forName(desc.getName(), false, loader);
      } catch (ClassNotFoundException e) {
        // primitive types and arrays of them are resolved by the default rule
        return super.resolveClass(desc);
      }
    }
  }
}

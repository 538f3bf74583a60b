package dev.gil4j.it.apps;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs a driver's {@code main} in a class loader over a third-party application's jars, as an
 * application server or an executable-jar launcher does: {@code java -cp test-classes AppLauncher
 * DRIVER CLASSPATH_FILE ARGS…}, where {@code DRIVER} names a class of this package and {@code
 * CLASSPATH_FILE} lists the jars separated by the path separator.
 *
 * <p>The child JVM's own class path is the one directory that {@link dev.gil4j.it.ChildJvm} takes,
 * so the jars join here. The loader's parent is the platform loader, so that the driver, loaded
 * again by this loader from the test classes, sees the application's classes; gil4j instruments
 * classes of any loader but the bootstrap and platform ones. The driver runs on {@code main}, a
 * thread the GIL knows, with this loader as its context class loader, which JDBC's and the JDK's
 * service lookups use. An exception from the driver propagates, so the JVM exits with status 1.
 */
public final class AppLauncher {
  private AppLauncher() {}

  public static void main(String[] args) throws Throwable {
    List<URL> urls = new ArrayList<>();
    urls.add(AppLauncher.class.getProtectionDomain().getCodeSource().getLocation());
    for (String jar :
        Files.readString(Path.of(args[1])).strip().split(java.io.File.pathSeparator)) {
      urls.add(Path.of(jar).toUri().toURL());
    }
    ClassLoader loader =
        new URLClassLoader("app", urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
    Thread.currentThread().setContextClassLoader(loader);
    Method main =
        Class.forName(AppLauncher.class.getPackageName() + "." + args[0], true, loader)
            .getMethod("main", String[].class);
    try {
      main.invoke(null, (Object) Arrays.copyOfRange(args, 2, args.length));
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}

package dev.gil4j.profiler;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Files written whole or not at all: every file gil4j leaves behind (reports, recordings, results)
 * goes through a temporary file beside it that is then moved into place, so that a reader, or a run
 * killed halfway, sees the old file or the whole new one, never half of one.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** Writes {@code text} as UTF-8 to {@code file}, replacing it whole. */
  public static void writeString(Path file, String text) throws IOException {
    Path target = file.toAbsolutePath();
    // A name of our own rather than createTempFile's, whose files are private to the user.
    Path temp =
        target.resolveSibling(
            "." + target.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
    try {
      Files.writeString(temp, text, StandardCharsets.UTF_8);
      moveIntoPlace(temp, target);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /** Moves a finished {@code temp} file onto {@code file}, atomically where the file system can. */
  public static void moveIntoPlace(Path temp, Path file) throws IOException {
    try {
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}

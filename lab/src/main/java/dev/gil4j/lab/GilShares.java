package dev.gil4j.lab;

import dev.gil4j.profiler.ExitSummary;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How a run's registered threads used the GIL, read from the summaries its agent wrote at exit
 * ({@code summary=FILE}, see docs/options.md): shares of their registered time spent holding it,
 * waiting for it and released (blocked elsewhere), the GIL's hand-offs per second, the safety net's
 * revocations, and the application's most waited-for locks.
 *
 * @param held share of registered thread time holding the GIL, 0..1; NaN (as the other GIL figures)
 *     when the run had no GIL
 * @param waiting share waiting for it
 * @param released share released at blocking calls
 * @param handOffsPerSecond hand-offs of the GIL per second of the GIL's life
 * @param revocations times the safety net took the GIL from a holder
 * @param topLocks the locks with the most total wait, most first, at most three
 */
public record GilShares(
    double held,
    double waiting,
    double released,
    double handOffsPerSecond,
    long revocations,
    List<LockWait> topLocks) {

  /** One lock's total wait over the run. */
  public record LockWait(String lock, double waitMs) {}

  static final int TOP_LOCKS = 3;

  /**
   * Adds up the summaries of one run: the parent's and, in mode {@code procs}, its children's.
   * Returns null when they hold neither GIL time nor lock waits.
   *
   * @throws IOException when a file cannot be read
   * @throws IllegalArgumentException naming the file, when it is not a gil4j summary of a version
   *     this lab reads
   */
  static GilShares read(List<Path> summaries) throws IOException {
    long held = 0;
    long waiting = 0;
    long released = 0;
    long handOffs = 0;
    long revocations = 0;
    double seconds = 0;
    Map<String, Long> waits = new HashMap<>();
    for (Path file : summaries) {
      Map<String, Object> s;
      try {
        s = object(Json.parse(Files.readString(file, StandardCharsets.UTF_8)), "the summary");
        Object version = s.get("gil4j_summary");
        if (!Long.valueOf(ExitSummary.VERSION).equals(version)) {
          throw new IllegalArgumentException(
              "gil4j_summary is " + version + ", this lab reads " + ExitSummary.VERSION);
        }
        Map<String, Object> gil = s.get("gil") == null ? null : object(s.get("gil"), "gil");
        if (gil != null && number(gil, "registered_ns") > 0) {
          held += number(gil, "held_ns");
          waiting += number(gil, "waiting_ns");
          released += number(gil, "released_ns");
          handOffs += number(gil, "hand_offs");
          revocations += number(gil, "revocations");
          seconds = Math.max(seconds, number(s, "elapsed_ns") / 1e9);
        }
        if (!(s.get("locks") instanceof List<?> locks)) {
          throw new IllegalArgumentException("no list of locks");
        }
        for (Object l : locks) {
          Map<String, Object> lock = object(l, "a lock");
          long wait = number(lock, "wait_total_ns");
          if (wait > 0) {
            waits.merge(text(lock, "kind") + " " + text(lock, "site"), wait, Long::sum);
          }
        }
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
      }
    }
    long total = held + waiting + released;
    if (total == 0 && waits.isEmpty()) {
      return null;
    }
    List<LockWait> top = new ArrayList<>();
    waits.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()))
        .limit(TOP_LOCKS)
        .forEach(e -> top.add(new LockWait(e.getKey(), e.getValue() / 1e6)));
    return new GilShares(
        share(held, total),
        share(waiting, total),
        share(released, total),
        seconds > 0 ? handOffs / seconds : Double.NaN,
        revocations,
        List.copyOf(top));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> object(Object value, String what) {
    if (!(value instanceof Map<?, ?>)) {
      throw new IllegalArgumentException(what + " is not a JSON object");
    }
    return (Map<String, Object>) value;
  }

  private static long number(Map<String, Object> object, String key) {
    if (!(object.get(key) instanceof Long n) || n < 0) {
      throw new IllegalArgumentException(key + " is not a whole number of at least 0");
    }
    return n;
  }

  private static String text(Map<String, Object> object, String key) {
    if (!(object.get(key) instanceof String t)) {
      throw new IllegalArgumentException(key + " is not a string");
    }
    return t;
  }

  private static double share(long part, long total) {
    return total == 0 ? Double.NaN : (double) part / total;
  }

  /** Whether a GIL was imposed, so that the shares are numbers. */
  boolean hasGil() {
    return !Double.isNaN(held);
  }
}

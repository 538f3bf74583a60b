package dev.gil4j.analysis.rules;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.openjdk.jmc.common.IMCThread;
import org.openjdk.jmc.common.item.Attribute;
import org.openjdk.jmc.common.item.IAttribute;
import org.openjdk.jmc.common.item.IItem;
import org.openjdk.jmc.common.item.IItemCollection;
import org.openjdk.jmc.common.item.IItemIterable;
import org.openjdk.jmc.common.item.IMemberAccessor;
import org.openjdk.jmc.common.unit.IQuantity;
import org.openjdk.jmc.common.unit.UnitLookup;
import org.openjdk.jmc.common.util.IPreferenceValueProvider;
import org.openjdk.jmc.flightrecorder.CouldNotLoadRecordingException;
import org.openjdk.jmc.flightrecorder.JfrLoaderToolkit;
import org.openjdk.jmc.flightrecorder.rules.IResult;
import org.openjdk.jmc.flightrecorder.rules.IRule;
import org.openjdk.jmc.flightrecorder.rules.ResultToolkit;
import org.openjdk.jmc.flightrecorder.rules.util.RulesToolkit;

/**
 * gil4j's JDK Mission Control rules ({@link GilContentionRule}, {@link HotLockRule}), the event
 * fields they read, and a way to run them on a recording outside JMC.
 *
 * <p>The rules are also registered for {@code ServiceLoader} ({@code
 * META-INF/services/org.openjdk.jmc.flightrecorder.rules.IRule}), so JMC's {@code RuleRegistry} and
 * its command-line report ({@code org.openjdk.jmc.flightrecorder.rules.report.JfrRulesReport}) find
 * them on the class path.
 */
public final class Gil4jRules {
  static final String STATISTICS = "gil4j.GilStatistics";
  static final String HISTOGRAM = "gil4j.ContentionHistogram";
  static final String LOCK_WAIT = "gil4j.LockWait";

  static final IAttribute<String> THREAD_NAME =
      Attribute.attr("thread", "Thread", UnitLookup.PLAIN_TEXT);
  static final IAttribute<Boolean> OVERALL = Attribute.attr("overall", "Overall", UnitLookup.FLAG);
  static final IAttribute<IQuantity> HELD_TIME =
      Attribute.attr("heldTime", "Held Time", UnitLookup.TIMESPAN);
  static final IAttribute<IQuantity> WAITING_TIME =
      Attribute.attr("waitingTime", "Waiting Time", UnitLookup.TIMESPAN);
  static final IAttribute<IQuantity> RELEASED_TIME =
      Attribute.attr("releasedTime", "Released Time", UnitLookup.TIMESPAN);
  static final IAttribute<String> LOCK_CLASS =
      Attribute.attr("lockClass", "Lock Class", UnitLookup.PLAIN_TEXT);
  static final IAttribute<String> SITE = Attribute.attr("site", "Site", UnitLookup.PLAIN_TEXT);
  static final IAttribute<String> KIND = Attribute.attr("kind", "Kind", UnitLookup.PLAIN_TEXT);
  static final IAttribute<IQuantity> TOTAL = Attribute.attr("total", "Total", UnitLookup.TIMESPAN);

  /** JMC reads a plain {@code long} field as a raw number. */
  static final IAttribute<Number> COUNT = Attribute.attr("count", "Count", UnitLookup.RAW_NUMBER);

  static final IAttribute<IMCThread> OWNER = Attribute.attr("owner", "Owner", UnitLookup.THREAD);

  private Gil4jRules() {}

  /** A rule's result as text. */
  public record Outcome(
      String id, String name, String severity, String summary, String explanation) {}

  /** New instances of gil4j's rules. */
  public static List<IRule> all() {
    return List.of(new GilContentionRule(), new HotLockRule());
  }

  /**
   * Loads {@code file} with JMC's parser and evaluates gil4j's rules on it with their default
   * preferences, in {@link #all} order.
   *
   * @throws IOException if JMC cannot read or parse the file
   */
  public static List<Outcome> evaluate(Path file) throws IOException {
    IItemCollection items;
    try {
      items = JfrLoaderToolkit.loadEvents(file.toFile());
    } catch (CouldNotLoadRecordingException e) {
      throw new IOException("JMC could not load " + file + ": " + e.getMessage(), e);
    }
    List<IRule> rules = all();
    Map<IRule, Future<IResult>> futures =
        RulesToolkit.evaluateParallel(rules, items, IPreferenceValueProvider.DEFAULT_VALUES, 1);
    List<Outcome> out = new ArrayList<>();
    for (IRule rule : rules) {
      try {
        IResult r = futures.get(rule).get();
        out.add(
            new Outcome(
                rule.getId(),
                rule.getName(),
                r.getSeverity().name(),
                text(r, r.getSummary()),
                text(r, r.getExplanation())));
      } catch (ExecutionException e) {
        out.add(
            new Outcome(rule.getId(), rule.getName(), "ERROR", String.valueOf(e.getCause()), ""));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while evaluating " + rule.getName(), e);
      }
    }
    return out;
  }

  private static String text(IResult r, String template) {
    String s = ResultToolkit.populateMessage(r, template, false);
    return s == null ? "" : s;
  }

  static <T> IMemberAccessor<T, IItem> accessor(IItemIterable it, IAttribute<T> attribute) {
    return attribute.getAccessor(it.getType());
  }

  static <T> T get(IMemberAccessor<T, IItem> accessor, IItem item) {
    return accessor == null ? null : accessor.getMember(item);
  }

  /** A time in nanoseconds, 0 for a missing value. */
  static long nanos(IMemberAccessor<IQuantity, IItem> accessor, IItem item) {
    IQuantity q = get(accessor, item);
    return q == null ? 0 : q.clampedLongValueIn(UnitLookup.NANOSECOND);
  }

  static IQuantity score(double score) {
    return UnitLookup.NUMBER_UNITY.quantity(Math.max(0, Math.min(100, score)));
  }
}

package dev.gil4j.analysis.rules;

import static dev.gil4j.analysis.rules.Gil4jRules.accessor;
import static dev.gil4j.analysis.rules.Gil4jRules.get;
import static dev.gil4j.analysis.rules.Gil4jRules.nanos;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RunnableFuture;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.openjdk.jmc.common.IMCThread;
import org.openjdk.jmc.common.item.IItem;
import org.openjdk.jmc.common.item.IItemCollection;
import org.openjdk.jmc.common.item.IItemIterable;
import org.openjdk.jmc.common.item.IMemberAccessor;
import org.openjdk.jmc.common.item.ItemFilters;
import org.openjdk.jmc.common.unit.IQuantity;
import org.openjdk.jmc.common.unit.UnitLookup;
import org.openjdk.jmc.common.util.IPreferenceValueProvider;
import org.openjdk.jmc.common.util.TypedPreference;
import org.openjdk.jmc.flightrecorder.JfrAttributes;
import org.openjdk.jmc.flightrecorder.rules.IResult;
import org.openjdk.jmc.flightrecorder.rules.IResultValueProvider;
import org.openjdk.jmc.flightrecorder.rules.IRule;
import org.openjdk.jmc.flightrecorder.rules.ResultBuilder;
import org.openjdk.jmc.flightrecorder.rules.Severity;
import org.openjdk.jmc.flightrecorder.rules.TypedResult;
import org.openjdk.jmc.flightrecorder.rules.util.JfrRuleTopics;
import org.openjdk.jmc.flightrecorder.rules.util.RulesToolkit;
import org.openjdk.jmc.flightrecorder.rules.util.RulesToolkit.EventAvailability;

/**
 * JMC rule "Hot lock": one lock (class and creation site) on which threads waited a long time in
 * all, from {@code gil4j.ContentionHistogram} (every wait) or, for a lock without histograms, from
 * {@code gil4j.LockWait} (waits over its threshold, with their owners). The measure is the total
 * wait over the recording's wall time — 100% is one thread waiting all the time; it warns at {@link
 * #WARNING_SHARE} (default 25%), informs from a third of it. Locks whose class matches {@link
 * #EXCLUDED_CLASSES} (default the GIL, which "GIL contention" covers) are left out. JMC's own lock
 * rule reads only {@code jdk.JavaMonitorEnter}; this one sees {@code java.util.concurrent}.
 */
public final class HotLockRule implements IRule {
  public static final String ID = "gil4j.HotLock";

  public static final TypedPreference<IQuantity> WARNING_SHARE =
      new TypedPreference<>(
          "gil4j.lock.wait.warning",
          "Lock wait share for a warning",
          "Total wait on one lock over the recording's wall time at which the rule warns (100% is"
              + " one thread waiting all the time); from a third of it, the rule informs",
          UnitLookup.PERCENTAGE.getPersister(),
          UnitLookup.PERCENT.quantity(25));
  public static final TypedPreference<String> EXCLUDED_CLASSES =
      new TypedPreference<>(
          "gil4j.lock.excluded",
          "Lock classes left out",
          "A regular expression: locks whose class matches it are left out",
          UnitLookup.PLAIN_TEXT.getPersister(),
          "GIL");

  public static final TypedResult<String> HOT_LOCK =
      new TypedResult<>(
          "hotLock",
          "Hot lock",
          "The lock's class and creation site",
          UnitLookup.PLAIN_TEXT,
          String.class);
  public static final TypedResult<IQuantity> TOTAL_WAIT =
      new TypedResult<>(
          "hotLockTotalWait",
          "Total wait",
          "The time threads waited for the lock, in all",
          UnitLookup.TIMESPAN,
          IQuantity.class);
  public static final TypedResult<IQuantity> WAIT_SHARE =
      new TypedResult<>(
          "hotLockShare",
          "Wait share",
          "The total wait over the recording's wall time",
          UnitLookup.PERCENTAGE,
          IQuantity.class);
  public static final TypedResult<IQuantity> WAITS =
      new TypedResult<>(
          "hotLockWaits", "Waits", "How many waits", UnitLookup.NUMBER, IQuantity.class);
  public static final TypedResult<String> OWNERS =
      new TypedResult<>(
          "hotLockOwners",
          "Owners",
          "Threads that held the lock while others waited (gil4j.LockWait), most wait first",
          UnitLookup.PLAIN_TEXT,
          String.class);

  @Override
  public String getId() {
    return ID;
  }

  @Override
  public String getName() {
    return "Hot lock";
  }

  @Override
  public String getTopic() {
    return JfrRuleTopics.LOCK_INSTANCES;
  }

  @Override
  public Map<String, EventAvailability> getRequiredEvents() {
    // Either of two event types will do; the evaluation says when neither is there.
    return Map.of();
  }

  @Override
  public Collection<TypedPreference<?>> getConfigurationAttributes() {
    return List.of(WARNING_SHARE, EXCLUDED_CLASSES);
  }

  @Override
  public Collection<TypedResult<?>> getResults() {
    return List.of(TypedResult.SCORE, HOT_LOCK, TOTAL_WAIT, WAIT_SHARE, WAITS, OWNERS);
  }

  @Override
  public RunnableFuture<IResult> createEvaluation(
      IItemCollection items, IPreferenceValueProvider preferences, IResultValueProvider results) {
    return new FutureTask<>(() -> evaluate(items, preferences));
  }

  /** One lock's totals: from histograms when it has any, else from wait events. */
  private static final class Totals {
    long histogramNanos;
    long histogramCount;
    long eventNanos;
    long eventCount;
    final Map<String, Long> owners = new HashMap<>();

    long nanos() {
      return histogramCount > 0 ? histogramNanos : eventNanos;
    }

    long count() {
      return histogramCount > 0 ? histogramCount : eventCount;
    }
  }

  private IResult evaluate(IItemCollection items, IPreferenceValueProvider preferences) {
    Pattern excluded;
    try {
      excluded = Pattern.compile(preferences.getPreferenceValue(EXCLUDED_CLASSES));
    } catch (PatternSyntaxException e) {
      excluded = Pattern.compile("GIL");
    }
    Map<String, Totals> locks = new LinkedHashMap<>();
    for (IItemIterable it : items.apply(ItemFilters.type(Gil4jRules.HISTOGRAM))) {
      IMemberAccessor<String, IItem> lockClass = accessor(it, Gil4jRules.LOCK_CLASS);
      IMemberAccessor<String, IItem> site = accessor(it, Gil4jRules.SITE);
      IMemberAccessor<String, IItem> kind = accessor(it, Gil4jRules.KIND);
      IMemberAccessor<IQuantity, IItem> total = accessor(it, Gil4jRules.TOTAL);
      IMemberAccessor<Number, IItem> count = accessor(it, Gil4jRules.COUNT);
      for (IItem item : it) {
        String cls = get(lockClass, item);
        if (!"wait".equals(get(kind, item)) || cls == null || excluded.matcher(cls).matches()) {
          continue;
        }
        Totals t = locks.computeIfAbsent(cls + " " + get(site, item), k -> new Totals());
        t.histogramNanos += nanos(total, item);
        Number n = get(count, item);
        t.histogramCount += n == null ? 0 : n.longValue();
      }
    }
    for (IItemIterable it : items.apply(ItemFilters.type(Gil4jRules.LOCK_WAIT))) {
      IMemberAccessor<String, IItem> lockClass = accessor(it, Gil4jRules.LOCK_CLASS);
      IMemberAccessor<String, IItem> site = accessor(it, Gil4jRules.SITE);
      IMemberAccessor<IQuantity, IItem> duration = accessor(it, JfrAttributes.DURATION);
      IMemberAccessor<IMCThread, IItem> owner = accessor(it, Gil4jRules.OWNER);
      for (IItem item : it) {
        String cls = get(lockClass, item);
        if (cls == null || excluded.matcher(cls).matches()) {
          continue;
        }
        Totals t = locks.computeIfAbsent(cls + " " + get(site, item), k -> new Totals());
        long nanos = nanos(duration, item);
        t.eventNanos += nanos;
        t.eventCount++;
        IMCThread o = get(owner, item);
        t.owners.merge(o == null ? "(unknown)" : o.getThreadName(), nanos, Long::sum);
      }
    }
    if (locks.isEmpty()) {
      return ResultBuilder.createFor(this, preferences)
          .setSeverity(Severity.NA)
          .setSummary(
              "No gil4j.ContentionHistogram or gil4j.LockWait events: record with gil4j's agent"
                  + " (jfr=FILE) or its settings (gil4j.jfc).")
          .build();
    }
    Map.Entry<String, Totals> hot = null;
    for (Map.Entry<String, Totals> e : locks.entrySet()) {
      if (hot == null || e.getValue().nanos() > hot.getValue().nanos()) {
        hot = e;
      }
    }
    // jdk.ActiveRecording spans from each recording's start, possibly long before this file's.
    IItemCollection timed = items.apply(ItemFilters.not(ItemFilters.type("jdk.ActiveRecording")));
    IQuantity start = RulesToolkit.getEarliestStartTime(timed);
    IQuantity end = RulesToolkit.getLatestEndTime(timed);
    long wall =
        start == null || end == null
            ? 0
            : end.subtract(start).clampedLongValueIn(UnitLookup.NANOSECOND);
    double share = wall <= 0 ? 0 : (double) hot.getValue().nanos() / wall;
    double warning =
        preferences.getPreferenceValue(WARNING_SHARE).doubleValueIn(UnitLookup.PERCENT_UNITY);
    double score = warning <= 0 ? 100 : 75 * share / warning;
    ResultBuilder result =
        ResultBuilder.createFor(this, preferences)
            .setSeverity(Severity.get(Math.min(100, score)))
            .addResult(TypedResult.SCORE, Gil4jRules.score(score))
            .addResult(HOT_LOCK, hot.getKey())
            .addResult(TOTAL_WAIT, UnitLookup.NANOSECOND.quantity(hot.getValue().nanos()))
            .addResult(WAIT_SHARE, UnitLookup.PERCENT.quantity(100 * share))
            .addResult(WAITS, UnitLookup.NUMBER_UNITY.quantity(hot.getValue().count()))
            .addResult(OWNERS, owners(hot.getValue().owners))
            .setSummary(
                "Threads waited {hotLockTotalWait} in all for {hotLock}, {hotLockShare} of the"
                    + " recording's wall time.");
    if (score >= Severity.INFO.getLimit()) {
      result
          .setExplanation(
              "{hotLockWaits} waits. Owners while others waited: {hotLockOwners}. Each wait is time"
                  + " a thread could not run; JMC's lock views show only synchronized, gil4j times"
                  + " java.util.concurrent locks too.")
          .setSolution(
              "Hold the lock for less time (move work out of the critical section), split it, or"
                  + " use a concurrent data structure.");
    }
    return result.build();
  }

  private static String owners(Map<String, Long> owners) {
    if (owners.isEmpty()) {
      return "unknown (no gil4j.LockWait events)";
    }
    List<Map.Entry<String, Long>> ranked = new ArrayList<>(owners.entrySet());
    ranked.sort(Map.Entry.<String, Long>comparingByValue().reversed());
    StringBuilder b = new StringBuilder();
    for (Map.Entry<String, Long> e : ranked.subList(0, Math.min(3, ranked.size()))) {
      b.append(b.length() == 0 ? "" : ", ").append(e.getKey());
    }
    return b.toString();
  }
}

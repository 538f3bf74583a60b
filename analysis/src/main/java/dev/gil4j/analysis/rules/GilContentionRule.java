package dev.gil4j.analysis.rules;

import static dev.gil4j.analysis.rules.Gil4jRules.accessor;
import static dev.gil4j.analysis.rules.Gil4jRules.get;
import static dev.gil4j.analysis.rules.Gil4jRules.nanos;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RunnableFuture;
import org.openjdk.jmc.common.item.IItem;
import org.openjdk.jmc.common.item.IItemCollection;
import org.openjdk.jmc.common.item.IItemIterable;
import org.openjdk.jmc.common.item.IMemberAccessor;
import org.openjdk.jmc.common.item.ItemFilters;
import org.openjdk.jmc.common.unit.IQuantity;
import org.openjdk.jmc.common.unit.UnitLookup;
import org.openjdk.jmc.common.util.IPreferenceValueProvider;
import org.openjdk.jmc.common.util.TypedPreference;
import org.openjdk.jmc.flightrecorder.rules.IResult;
import org.openjdk.jmc.flightrecorder.rules.IResultValueProvider;
import org.openjdk.jmc.flightrecorder.rules.IRule;
import org.openjdk.jmc.flightrecorder.rules.ResultBuilder;
import org.openjdk.jmc.flightrecorder.rules.Severity;
import org.openjdk.jmc.flightrecorder.rules.TypedResult;
import org.openjdk.jmc.flightrecorder.rules.util.JfrRuleTopics;
import org.openjdk.jmc.flightrecorder.rules.util.RulesToolkit.EventAvailability;
import org.openjdk.jmc.flightrecorder.rules.util.RulesToolkit.RequiredEventsBuilder;

/**
 * JMC rule "GIL contention": registered threads spent a large share of their time waiting for
 * gil4j's GIL, from {@code gil4j.GilStatistics}. Warns at {@link #WARNING_SHARE} (default 20%),
 * informs from a third of it; names the thread that waited most. Not applicable to a recording
 * without {@code gil4j.GilStatistics} (the GIL off, or the event not recorded).
 */
public final class GilContentionRule implements IRule {
  public static final String ID = "gil4j.GilContention";

  public static final TypedPreference<IQuantity> WARNING_SHARE =
      new TypedPreference<>(
          "gil4j.gil.waiting.warning",
          "GIL waiting share for a warning",
          "The share of their registered time that threads spend waiting for the GIL at which the"
              + " rule warns; from a third of it, the rule informs",
          UnitLookup.PERCENTAGE.getPersister(),
          UnitLookup.PERCENT.quantity(20));

  public static final TypedResult<IQuantity> WAITING_SHARE =
      new TypedResult<>(
          "gilWaitingShare",
          "GIL waiting share",
          "The share of registered threads' time spent waiting for the GIL",
          UnitLookup.PERCENTAGE,
          IQuantity.class);
  public static final TypedResult<String> MOST_WAITING_THREAD =
      new TypedResult<>(
          "gilMostWaitingThread",
          "Thread that waited most",
          "The thread with the largest share of its time waiting for the GIL",
          UnitLookup.PLAIN_TEXT,
          String.class);
  public static final TypedResult<IQuantity> MOST_WAITING_THREAD_SHARE =
      new TypedResult<>(
          "gilMostWaitingThreadShare",
          "Its waiting share",
          "The share of that thread's registered time spent waiting for the GIL",
          UnitLookup.PERCENTAGE,
          IQuantity.class);

  private static final Map<String, EventAvailability> REQUIRED =
      RequiredEventsBuilder.create()
          .addEventType(Gil4jRules.STATISTICS, EventAvailability.AVAILABLE)
          .build();

  @Override
  public String getId() {
    return ID;
  }

  @Override
  public String getName() {
    return "GIL contention";
  }

  @Override
  public String getTopic() {
    return JfrRuleTopics.LOCK_INSTANCES;
  }

  @Override
  public Map<String, EventAvailability> getRequiredEvents() {
    return REQUIRED;
  }

  @Override
  public Collection<TypedPreference<?>> getConfigurationAttributes() {
    return List.of(WARNING_SHARE);
  }

  @Override
  public Collection<TypedResult<?>> getResults() {
    return List.of(
        TypedResult.SCORE, WAITING_SHARE, MOST_WAITING_THREAD, MOST_WAITING_THREAD_SHARE);
  }

  @Override
  public RunnableFuture<IResult> createEvaluation(
      IItemCollection items, IPreferenceValueProvider preferences, IResultValueProvider results) {
    return new FutureTask<>(() -> evaluate(items, preferences));
  }

  private IResult evaluate(IItemCollection items, IPreferenceValueProvider preferences) {
    Map<String, long[]> threads = new HashMap<>();
    for (IItemIterable it : items.apply(ItemFilters.type(Gil4jRules.STATISTICS))) {
      IMemberAccessor<Boolean, IItem> overall = accessor(it, Gil4jRules.OVERALL);
      IMemberAccessor<String, IItem> name = accessor(it, Gil4jRules.THREAD_NAME);
      IMemberAccessor<IQuantity, IItem> held = accessor(it, Gil4jRules.HELD_TIME);
      IMemberAccessor<IQuantity, IItem> waiting = accessor(it, Gil4jRules.WAITING_TIME);
      IMemberAccessor<IQuantity, IItem> released = accessor(it, Gil4jRules.RELEASED_TIME);
      for (IItem item : it) {
        if (Boolean.TRUE.equals(get(overall, item))) {
          continue;
        }
        long[] t = threads.computeIfAbsent(String.valueOf(get(name, item)), k -> new long[2]);
        long w = nanos(waiting, item);
        t[0] += w;
        t[1] += nanos(held, item) + w + nanos(released, item);
      }
    }
    long wait = 0;
    long registered = 0;
    for (long[] t : threads.values()) {
      wait += t[0];
      registered += t[1];
    }
    if (registered == 0) {
      return ResultBuilder.createFor(this, preferences)
          .setSeverity(Severity.NA)
          .setSummary("No registered thread time in gil4j.GilStatistics: was the GIL on?")
          .build();
    }
    String worst = null;
    double worstShare = -1;
    for (Map.Entry<String, long[]> t : threads.entrySet()) {
      // Threads that lived only a moment would win with a share of noise.
      if (t.getValue()[1] * 100 >= registered) {
        double share = (double) t.getValue()[0] / t.getValue()[1];
        if (share > worstShare) {
          worst = t.getKey();
          worstShare = share;
        }
      }
    }
    double share = (double) wait / registered;
    double warning =
        preferences.getPreferenceValue(WARNING_SHARE).doubleValueIn(UnitLookup.PERCENT_UNITY);
    double score = warning <= 0 ? 100 : 75 * share / warning;
    ResultBuilder result =
        ResultBuilder.createFor(this, preferences)
            .setSeverity(Severity.get(Math.min(100, score)))
            .addResult(TypedResult.SCORE, Gil4jRules.score(score))
            .addResult(WAITING_SHARE, UnitLookup.PERCENT.quantity(100 * share))
            .addResult(MOST_WAITING_THREAD, worst)
            .addResult(MOST_WAITING_THREAD_SHARE, UnitLookup.PERCENT.quantity(100 * worstShare))
            .setSummary(
                "Registered threads spent {gilWaitingShare} of their time waiting for the GIL.");
    if (score >= Severity.INFO.getLimit()) {
      result
          .setExplanation(
              "The thread that waited most was {gilMostWaitingThread}, {gilMostWaitingThreadShare}"
                  + " of its time. Under a GIL one thread at a time runs Java code: threads that"
                  + " have work queue for it, and each hand-off waits up to a switch interval.")
          .setSolution(
              "Run fewer CPU-bound threads, move CPU-bound work to processes, or compare runs"
                  + " with more tokens (tokens=K) or without the GIL (gil=off) to see what it"
                  + " costs.");
    }
    return result.build();
  }
}

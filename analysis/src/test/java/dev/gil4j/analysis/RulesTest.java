package dev.gil4j.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gil4j.analysis.rules.GilContentionRule;
import dev.gil4j.analysis.rules.HotLockRule;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.openjdk.jmc.common.item.IItemCollection;
import org.openjdk.jmc.common.unit.IQuantity;
import org.openjdk.jmc.common.unit.UnitLookup;
import org.openjdk.jmc.common.util.IPreferenceValueProvider;
import org.openjdk.jmc.common.util.TypedPreference;
import org.openjdk.jmc.flightrecorder.JfrLoaderToolkit;
import org.openjdk.jmc.flightrecorder.rules.IResult;
import org.openjdk.jmc.flightrecorder.rules.IRule;
import org.openjdk.jmc.flightrecorder.rules.RuleRegistry;
import org.openjdk.jmc.flightrecorder.rules.Severity;
import org.openjdk.jmc.flightrecorder.rules.util.RulesToolkit;

/** gil4j's JMC rules, run the way JMC runs rules, on real recordings. */
class RulesTest {
  @TempDir Path dir;

  private static IResult evaluate(IRule rule, Path file, IPreferenceValueProvider preferences)
      throws Exception {
    IItemCollection items = JfrLoaderToolkit.loadEvents(file.toFile());
    Map<IRule, Future<IResult>> results =
        RulesToolkit.evaluateParallel(List.of(rule), items, preferences, 1);
    return results.get(rule).get();
  }

  /** {@code rule} on the {@link ContentionScenario}'s recording. */
  private static IResult scenario(IRule rule, IPreferenceValueProvider preferences)
      throws Exception {
    return evaluate(rule, ContentionScenario.recording(), preferences);
  }

  /** The defaults, except {@code preference} set to {@code value}. */
  private static <T> IPreferenceValueProvider with(TypedPreference<T> preference, T value) {
    return new IPreferenceValueProvider() {
      @Override
      @SuppressWarnings("unchecked")
      public <U> U getPreferenceValue(TypedPreference<U> p) {
        return p.equals(preference) ? (U) value : p.getDefaultValue();
      }
    };
  }

  @Test
  void jmcsRuleRegistryFindsGil4jsRules() {
    Set<String> ids =
        RuleRegistry.getRules().stream().map(IRule::getId).collect(Collectors.toSet());
    assertTrue(ids.contains(GilContentionRule.ID), ids.toString());
    assertTrue(ids.contains(HotLockRule.ID), ids.toString());
  }

  @Test
  void gilContentionWarnsAndNamesTheThreadThatWaitedMost() throws Exception {
    IResult r = scenario(new GilContentionRule(), null);
    assertEquals(Severity.WARNING, r.getSeverity(), r.getSummary());
    double share = r.getResult(GilContentionRule.WAITING_SHARE).doubleValueIn(UnitLookup.PERCENT);
    assertTrue(share > 20 && share < 80, "waiting share " + share);
    assertTrue(r.getResult(GilContentionRule.MOST_WAITING_THREAD).startsWith("worker-"));
  }

  @Test
  void hotLockWarnsAndNamesTheCacheLockWithItsTotalWaitAndOwners() throws Exception {
    IResult r = scenario(new HotLockRule(), null);
    assertEquals(Severity.WARNING, r.getSeverity(), r.getSummary());
    assertEquals("ReentrantLock " + ContentionScenario.CACHE, r.getResult(HotLockRule.HOT_LOCK));
    IQuantity total = r.getResult(HotLockRule.TOTAL_WAIT);
    assertTrue(total.clampedLongValueIn(UnitLookup.MILLISECOND) > 1000, total.toString());
    assertTrue(r.getResult(HotLockRule.OWNERS).contains("cache-"));
  }

  static Stream<Arguments> looserThresholds() {
    return Stream.of(
        Arguments.of(
            new GilContentionRule(),
            with(GilContentionRule.WARNING_SHARE, UnitLookup.PERCENT.quantity(1000))),
        Arguments.of(
            new HotLockRule(),
            with(HotLockRule.WARNING_SHARE, UnitLookup.PERCENT.quantity(100_000))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("looserThresholds")
  void eachRuleIsOkUnderALooserThreshold(IRule rule, IPreferenceValueProvider preferences)
      throws Exception {
    assertEquals(Severity.OK, scenario(rule, preferences).getSeverity());
  }

  @Test
  void hotLockLeavesOutExcludedLockClasses() throws Exception {
    IResult r =
        scenario(new HotLockRule(), with(HotLockRule.EXCLUDED_CLASSES, "ReentrantLock|GIL"));
    assertEquals("Semaphore " + ContentionScenario.QUIET, r.getResult(HotLockRule.HOT_LOCK));
    assertEquals(Severity.OK, r.getSeverity());
  }

  @Test
  void withoutGil4jEventsTheRulesDoNotApply() throws Exception {
    Path file = dir.resolve("plain.jfr");
    try (Recording r = new Recording(Configuration.getConfiguration("default"))) {
      for (String name :
          List.of(
              "gil4j.GilStatistics",
              "gil4j.ContentionHistogram",
              "gil4j.LockWait",
              "gil4j.GilWait",
              "gil4j.GilDrop",
              "gil4j.Flush")) {
        r.disable(name);
      }
      r.start();
      Thread.sleep(200);
      r.stop();
      r.dump(file);
    }
    assertEquals(Severity.NA, evaluate(new GilContentionRule(), file, null).getSeverity());
    assertEquals(Severity.NA, evaluate(new HotLockRule(), file, null).getSeverity());
  }
}

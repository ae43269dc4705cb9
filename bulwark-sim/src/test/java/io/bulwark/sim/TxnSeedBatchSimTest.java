package io.bulwark.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Goal: cross-shard transactions (DESIGN §5) survive the CI seed budget of the txn workload —
 * bank transfers, audits and random transactions under every fault of the register runs plus
 * crashes of coordinators and participants at chosen protocol steps — with no serializability
 * violation, no partial commit, no money created or lost, and every intent resolved after
 * healing. Method: seeds 1..{@link #SEEDS} at {@link #STEPS} transactions each, on every core;
 * then the batch must have crashed a node at every protocol step at least once (else the
 * claim "at every step" is untested).
 */
class TxnSeedBatchSimTest {
  /** The CI budget for transactions: a couple of hundred seeds, about a minute on two cores. */
  static final int SEEDS = 200;
  /** Transactions per seed in the chaos phase. */
  static final int STEPS = 60;

  @Test
  void everyTxnSeedOfTheCiBudget_passes_withCrashesAtEveryProtocolStep() {
    List<SimResult> results = SimBatch.run(1, SEEDS, STEPS, Variant.CORRECT, SimWorkload.TXN,
        SeedBatchSimTest.threads());
    assertEquals(SEEDS, results.size());
    String failures = results.stream().filter(r -> !r.passed()).map(SimMain::failureLine)
        .collect(Collectors.joining("\n"));
    assertTrue(failures.isEmpty(), "failing seeds:\n" + failures);
    Map<String, Long> counts = new TreeMap<>();
    results.forEach(r -> r.counts().forEach((k, v) -> counts.merge(k, v, Long::sum)));
    for (SimNemesis.TxnStep step : SimNemesis.TxnStep.values()) {
      assertTrue(counts.getOrDefault(step.probe, 0L) > 0, "no seed crashed a node at " + step);
    }
    assertTrue(counts.getOrDefault("coordinator:txn-recovered", 0L) > 0,
        "participants' recovery never resolved anything");
    long recoveryMax = results.stream().mapToLong(SimResult::recoveryNanos).max().orElse(0);
    System.out.println(SEEDS + " txn seeds passed; commits " + counts.get("client:txn:ok")
        + ", aborts " + counts.get("client:txn:fail") + ", step crashes "
        + counts.entrySet().stream().filter(e -> e.getKey().startsWith("fault:txn-crash:"))
            .map(e -> e.getKey().substring(16) + "=" + e.getValue())
            .collect(Collectors.joining(" "))
        + "; slowest recovery after healing " + SimTime.format(recoveryMax));
  }
}

package io.bulwark.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Goal: the real primary-backup core survives the CI seed budget — every seed's faults, then
 * healing, then judgement (invariants, liveness, durability, convergence, linearizability).
 * Method: seeds 1..{@link #SEEDS} at the default steps, on every core (runs are independent and
 * single-threaded, so parallelism changes nothing); any failure lists its seed, reason and
 * replay command. Bigger batches run from the command line: {@code SimMain --seeds N}.
 */
class SeedBatchSimTest {
  /** The CI budget: a few hundred seeds, well under a minute on two cores. */
  static final int SEEDS = 400;

  static int threads() {
    return Math.max(2, Runtime.getRuntime().availableProcessors());
  }

  @Test
  void everySeedOfTheCiBudget_passesOnTheRealCore() {
    List<SimResult> results =
        SimBatch.run(1, SEEDS, SimRun.STEPS_DEFAULT, Variant.CORRECT, threads());
    assertEquals(SEEDS, results.size());
    String failures = results.stream().filter(r -> !r.passed()).map(SimMain::failureLine)
        .collect(Collectors.joining("\n"));
    assertTrue(failures.isEmpty(), "failing seeds:\n" + failures);
    long recoveryMax = results.stream().mapToLong(SimResult::recoveryNanos).max().orElse(0);
    assertTrue(recoveryMax < SimRun.LIVENESS_BOUND_NANOS, "recovery " + recoveryMax);
    System.out.println(SEEDS + " seeds passed; slowest recovery after healing "
        + SimTime.format(recoveryMax));
  }
}

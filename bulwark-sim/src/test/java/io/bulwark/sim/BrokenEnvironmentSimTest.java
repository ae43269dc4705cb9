package io.bulwark.sim;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Goal: show that the simulator can fail (STYLE P7) — a checker that never saw a bad run
 * proves nothing. Method: each test breaks, on the simulator's side, one promise the design
 * relies on ({@link Variant}), runs the CI seeds in order until one fails, prints that seed
 * with its replay command, and checks that the correct environment passes the very same seed:
 * the failure is the broken promise's, not the core's. The core is the same in both.
 */
class BrokenEnvironmentSimTest {

  /** fsync acknowledged before the data is durable, and lost on a crash. */
  @Test
  void diskThatAcknowledgesFsyncEarly_isCaughtWithinTheCiBudget() {
    caughtWithinTheCiBudget(Variant.DISK_EARLY_DURABLE);
  }

  /** A ZooKeeper whose compare-and-set does not compare: two proposals for one epoch win. */
  @Test
  void coordinationWhoseCasIgnoresTheEpoch_isCaughtWithinTheCiBudget() {
    caughtWithinTheCiBudget(Variant.COORD_CAS_IGNORES_EPOCH);
  }

  /**
   * A coordinator that commits without every vote (its runtime reports YES for each prepare
   * it sends): some participant voted NO or never prepared, so a transaction commits partly.
   */
  @Test
  void coordinatorCommittingWithoutAllVotes_isCaughtWithinTheTxnCiBudget() {
    SimResult caught = caughtWithinTheCiBudget(Variant.TXN_COMMIT_WITHOUT_ALL_VOTES,
        TxnSeedBatchSimTest.SEEDS, TxnSeedBatchSimTest.STEPS);
    assertTrue(caught.failure().startsWith("bank:") || caught.failure().startsWith(
        "serializability:"), "caught by the money or the checker: " + caught.failure());
  }

  private static SimResult caughtWithinTheCiBudget(Variant broken) {
    return caughtWithinTheCiBudget(broken, SeedBatchSimTest.SEEDS, SimRun.STEPS_DEFAULT);
  }

  private static SimResult caughtWithinTheCiBudget(Variant broken, int seeds, int steps) {
    List<SimResult> runs = SimBatch.runUntil(1, seeds, steps, broken, SeedBatchSimTest.threads(),
        r -> !r.passed());
    SimResult caught = runs.stream().filter(r -> !r.passed()).findFirst().orElse(null);
    assertNotNull(caught, broken.cliName() + " passed all " + seeds
        + " seeds: the simulator cannot see this fault");
    System.out.println(broken.cliName() + " caught: " + SimMain.failureLine(caught));
    SimResult correct = SimRun.run(caught.seed(), caught.steps(), Variant.CORRECT,
        caught.workload(), null);
    assertTrue(correct.passed(), "seed " + caught.seed() + " fails in the correct environment "
        + "too: " + correct.failure());
    return caught;
  }
}

package io.bulwark.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Goal: every bug this simulator found in the primary-backup core stays fixed. Method: one
 * test per bug, each running the seed that fails when exactly that fix is reverted (checked
 * when the fix was made; the hand-reduced unit test of each is in bulwark-core's
 * {@code SimulationFindingsTest}). A seed's meaning depends on the simulator's code: if a
 * change to the simulator makes a seed stop reproducing its bug, find a new one by reverting
 * the fix and scanning ({@code SimMain --seeds 3000}), as docs/testing.md describes.
 */
class CoreRegressionSimTest {

  private static SimResult run(long seed) {
    SimResult r = SimRun.run(seed, SimRun.STEPS_DEFAULT, Variant.CORRECT, null);
    assertTrue(r.passed(), SimMain.failureLine(r));
    return r;
  }

  /**
   * Liveness: a follower added on a node whose clock reads negative (System.nanoTime's origin
   * is arbitrary) got nothing until the next write; with min-insync 2 there never was one.
   * First found as seed 54 (which no longer reproduces it since the simulator's controller
   * asks for handovers).
   */
  @Test
  void seed1_learnerOnANegativeClock_catchesUpWithoutAWrite() {
    run(1);
  }

  /**
   * Corrupt log: restarting after a snapshot install whose log reset was not yet durable left
   * the stale log on disk, so the next append left a gap.
   */
  @Test
  void seed197_staleLogBehindAnInstalledSnapshot_isResetOnDisk() {
    run(197);
  }

  /**
   * Two primaries: a primary without backups promoted a learner, missed that the CAS won (lost
   * answer or a pause), and kept an unbounded lease while the learner took over. First found
   * as seed 92, then kept as seed 1656 until the simulator's controller began asking for
   * handovers.
   */
  @Test
  void seed703_promotionWithAnUnknownOutcome_boundsThePrimarysLease() {
    run(703);
  }

  /**
   * Wiped replica: the same crash, but the stale log reached past the snapshot and held another
   * history at its index; it was kept, and the next primary's first prepare "diverged" below
   * the applied index and wiped the replica — which acks ALL must never need.
   */
  @Test
  void seed10680_staleLogOfAnotherHistoryAtTheSnapshotIndex_isReset() {
    run(10680);
  }

  /**
   * Liveness: a learner that had applied past the snapshot it was sent dropped it without an
   * answer, and the primary resent snapshots forever instead of promoting it.
   */
  @Test
  void seed100_snapshotNotNewerThanTheLearner_isAcked() {
    run(100);
  }

  /**
   * Linearizability: a late copy of a client's old request was applied again after its dedup
   * record had been forgotten (below firstUnackedSeq), writing an old value over a newer
   * acknowledged one. First found as seed 38.
   */
  @Test
  void seed360_staleDuplicateOfAForgottenRequest_isNotReapplied() {
    run(360);
  }

  /**
   * Liveness: snapshot chunks that arrived out of order were dropped; a learner caught up only
   * when all chunks happened to arrive in order (14.9 s after healing in this seed).
   */
  @Test
  void seed62_snapshotChunksOutOfOrder_stillInstall() {
    SimResult r = run(62);
    assertTrue(r.recoveryNanos() < 5 * SimTime.SECOND,
        "recovery after healing took " + SimTime.format(r.recoveryNanos()));
  }

  /**
   * Lost acknowledged write: a snapshot below entries a backup held durably reset its whole
   * log, dropping an entry committed with that backup's ack; the backup later became primary.
   */
  @Test
  void seed1398_snapshotInstall_keepsTheCommittedEntriesAfterIt() {
    run(1398);
  }
}

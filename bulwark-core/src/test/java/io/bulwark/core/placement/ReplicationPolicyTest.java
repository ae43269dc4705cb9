package io.bulwark.core.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.core.common.ShardConfig;
import io.bulwark.core.common.ShardId;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The controller's re-replication decisions (DESIGN §6), round by round with a manual clock: a
 * removed replica that comes back is re-added at once; another node is chosen only after the
 * missing one has been gone for replace-after; a gone learner is dropped and then replaced.
 */
class ReplicationPolicyTest {
  private static final ShardId S = new ShardId("default", 0);
  private static final long REPLACE_AFTER = 30_000;

  private final Set<String> gone = new HashSet<>();
  private final NodeLiveness liveness = gone::contains;
  private final ReplicationPolicy policy = new ReplicationPolicy(REPLACE_AFTER, 0);

  /** Nodes reporting the shard's data on disk while not its replica. */
  private final Set<String> dormant = new HashSet<>();

  private List<ReplicationPolicy.Action> round(long nowMs, ShardConfig c) {
    List<String> live = new java.util.ArrayList<>();
    for (String n : List.of("n1", "n2", "n3", "n4")) {
      if (!gone.contains(n)) {
        live.add(n);
      }
    }
    return policy.decide(nowMs, List.of(c), Map.of(S, 3), live, liveness,
        Map.of(S, Set.copyOf(dormant)));
  }

  private static ShardConfig config(long epoch, String primary, List<String> backups,
      List<String> learners) {
    return new ShardConfig(S, epoch, primary, backups, learners);
  }

  @Test
  void removedBackupThatComesBack_isReAddedAtOnce_notReplaced() {
    round(0, config(2, "n1", List.of("n2", "n3"), List.of()));
    gone.add("n3");
    ShardConfig without = config(3, "n1", List.of("n2"), List.of());
    assertEquals(List.of(), round(1_000, without), "n3 is gone only 1 s: wait");
    gone.remove("n3");
    List<ReplicationPolicy.Action> a = round(2_000, without);
    assertEquals(1, a.size());
    assertEquals("n3", a.get(0).node());
    assertEquals("rejoin", a.get(0).reason());
    assertEquals(List.of("n3"), a.get(0).learners());
  }

  @Test
  void missingNode_isReplacedByAnotherOnlyAfterReplaceAfter() {
    round(0, config(2, "n1", List.of("n2", "n3"), List.of()));
    gone.add("n3");
    ShardConfig without = config(3, "n1", List.of("n2"), List.of());
    assertEquals(List.of(), round(1_000, without));
    assertEquals(List.of(), round(1_000 + REPLACE_AFTER - 1, without));
    List<ReplicationPolicy.Action> a = round(1_000 + REPLACE_AFTER, without);
    assertEquals(1, a.size());
    assertEquals("n4", a.get(0).node());
    assertEquals("replace-after", a.get(0).reason());
  }

  @Test
  void unknownMissingNode_afterControllerTakeover_countsFromTheTakeover() {
    ShardConfig without = config(3, "n1", List.of("n2"), List.of());
    assertEquals(List.of(), round(REPLACE_AFTER - 1, without));
    assertEquals("replace-after", round(REPLACE_AFTER, without).get(0).reason());
  }

  @Test
  void unknownMissingNode_aLiveNodeHoldingTheShardDormant_isTheReturningReplica() {
    // The removed node was the old controller and came back before this one took over: no
    // configuration this controller saw names it, but it reports the shard's data on disk.
    ShardConfig without = config(3, "n1", List.of("n2"), List.of());
    assertEquals(List.of(), round(1_000, without), "n3 and n4 are live but hold nothing");
    dormant.add("n3");
    List<ReplicationPolicy.Action> a = round(2_000, without);
    assertEquals(1, a.size());
    assertEquals("n3", a.get(0).node());
    assertEquals("rejoin", a.get(0).reason());
  }

  @Test
  void dormantHolderThatIsGone_isNotRejoined_andReplaceAfterStillCounts() {
    dormant.add("n3");
    gone.add("n3");
    ShardConfig without = config(3, "n1", List.of("n2"), List.of());
    assertEquals(List.of(), round(1_000, without));
    assertEquals("n4", round(1_000 + REPLACE_AFTER, without).get(0).node());
  }

  @Test
  void goneLearner_isDroppedAfterReplaceAfter_thenReplaced() {
    ShardConfig withLearner = config(3, "n1", List.of("n2"), List.of("n3"));
    round(0, withLearner);
    gone.add("n3");
    assertEquals(List.of(), round(1_000, withLearner));
    List<ReplicationPolicy.Action> a = round(1_000 + REPLACE_AFTER, withLearner);
    assertEquals(1, a.size());
    assertEquals("learner-gone", a.get(0).reason());
    assertEquals(List.of(), a.get(0).learners());
    List<ReplicationPolicy.Action> b =
        round(2_000 + REPLACE_AFTER, config(3, "n1", List.of("n2"), List.of()));
    assertEquals("n4", b.get(0).node());
    assertEquals("replace-after", b.get(0).reason());
  }

  @Test
  void shardAtItsReplicationFactor_isLeftAlone() {
    gone.add("n4");
    assertTrue(round(REPLACE_AFTER * 2, config(2, "n1", List.of("n2", "n3"), List.of()))
        .isEmpty());
  }
}

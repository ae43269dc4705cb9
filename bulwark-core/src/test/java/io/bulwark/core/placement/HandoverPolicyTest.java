package io.bulwark.core.placement;

import static io.bulwark.core.placement.HandoverPolicy.DEGRADED_FOR_MS;
import static io.bulwark.core.placement.HandoverPolicy.SHARD_INTERVAL_MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.core.common.ShardConfig;
import io.bulwark.core.common.ShardId;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * When the controller asks a DEGRADED primary to hand over (DESIGN §6), round by round with a
 * manual clock: only after 10 s of DEGRADED, to a healthy live backup, one shard of a node at a
 * time, and at most once per shard per 30 s.
 */
class HandoverPolicyTest {
  private final Set<String> degraded = new HashSet<>();
  private final Set<String> gone = new HashSet<>();
  private final HandoverPolicy policy = new HandoverPolicy();

  private static ShardConfig shard(int n, long epoch, String primary, String... backups) {
    return new ShardConfig(new ShardId("default", n), epoch, primary, List.of(backups), List.of());
  }

  private List<HandoverPolicy.Ask> round(long nowMs, ShardConfig... shards) {
    return policy.decide(nowMs, List.of(shards), degraded::contains, gone::contains);
  }

  @Test
  void degradedPrimary_isAskedOnlyAfterTenSeconds_toAHealthyLiveBackup() {
    ShardConfig s0 = shard(0, 2, "n1", "n2", "n3");
    degraded.add("n1");
    gone.add("n2");
    assertTrue(round(0, s0).isEmpty());
    assertTrue(round(DEGRADED_FOR_MS - 1, s0).isEmpty());
    List<HandoverPolicy.Ask> asks = round(DEGRADED_FOR_MS, s0);
    assertEquals(1, asks.size());
    assertEquals("n3", asks.get(0).target(), "n2 is gone");
  }

  @Test
  void recoveringBeforeTenSeconds_resetsTheClock() {
    ShardConfig s0 = shard(0, 2, "n1", "n2", "n3");
    degraded.add("n1");
    round(0, s0);
    degraded.remove("n1");
    round(5_000, s0);
    degraded.add("n1");
    assertTrue(round(6_000, s0).isEmpty());
    assertTrue(round(DEGRADED_FOR_MS + 1_000, s0).isEmpty(), "degraded again only 5 s");
    assertEquals(1, round(6_000 + DEGRADED_FOR_MS, s0).size());
  }

  @Test
  void oneHandoverPerNodeAtATime_andOnePerShardPerThirtySeconds() {
    ShardConfig s0 = shard(0, 2, "n1", "n2", "n3");
    ShardConfig s1 = shard(1, 2, "n1", "n2", "n3");
    degraded.add("n1");
    round(0, s0, s1);
    List<HandoverPolicy.Ask> first = round(DEGRADED_FOR_MS, s0, s1);
    assertEquals(1, first.size(), "one at a time for n1");
    assertTrue(round(DEGRADED_FOR_MS + 1_000, s0, s1).isEmpty(), "s0's is outstanding");
    // s0's handover is done (epoch moved, n2 primary): n1's next shard goes.
    ShardConfig s0After = shard(0, 4, "n2", "n1", "n3");
    List<HandoverPolicy.Ask> second = round(DEGRADED_FOR_MS + 2_000, s0After, s1);
    assertEquals(1, second.size());
    assertEquals(s1.shard(), second.get(0).config().shard());
    // Had s0's handover aborted, s0 is not asked again within 30 s.
    HandoverPolicy fresh = new HandoverPolicy();
    fresh.decide(0, List.of(s0), degraded::contains, gone::contains);
    assertEquals(1, fresh.decide(DEGRADED_FOR_MS, List.of(s0), degraded::contains,
        gone::contains).size());
    assertTrue(fresh.decide(DEGRADED_FOR_MS + SHARD_INTERVAL_MS - 1, List.of(s0),
        degraded::contains, gone::contains).isEmpty());
    assertEquals(1, fresh.decide(DEGRADED_FOR_MS + SHARD_INTERVAL_MS, List.of(s0),
        degraded::contains, gone::contains).size());
  }

  @Test
  void mostNodesDegraded_noHandover_untilHalfAreHealthyAgain() {
    // The cascade this rule stops: n2 and n3 degrade together (one shared disk under load), and
    // every primary of both would move to n1, the one node not degraded yet.
    ShardConfig s0 = shard(0, 2, "n2", "n1", "n3");
    ShardConfig s1 = shard(1, 2, "n3", "n2", "n1");
    degraded.add("n2");
    degraded.add("n3");
    round(0, s0, s1);
    assertTrue(round(DEGRADED_FOR_MS, s0, s1).isEmpty(), "two of three degraded");
    assertTrue(round(DEGRADED_FOR_MS * 3, s0, s1).isEmpty(), "still two of three");
    // n3 recovers: one slow node among healthy ones is what a handover is for, at once (n2 has
    // been degraded for long enough already).
    degraded.remove("n3");
    List<HandoverPolicy.Ask> asks = round(DEGRADED_FOR_MS * 3 + 1_000, s0, s1);
    assertEquals(1, asks.size());
    assertEquals(s0.shard(), asks.get(0).config().shard());
  }

  @Test
  void aGoneNodeIsNotCounted_twoNodeClusterShedsItsSlowNode() {
    ShardConfig s0 = shard(0, 2, "n1", "n2", "n3");
    gone.add("n3");
    degraded.add("n1");
    round(0, s0);
    List<HandoverPolicy.Ask> asks = round(DEGRADED_FOR_MS, s0);
    assertEquals(1, asks.size(), "one of the two live nodes is healthy: half is enough");
    assertEquals("n2", asks.get(0).target());
  }
}

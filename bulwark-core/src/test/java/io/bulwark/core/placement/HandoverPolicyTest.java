package io.bulwark.core.placement;

import static io.bulwark.core.placement.HandoverPolicy.BALANCED_AFTER_MS;
import static io.bulwark.core.placement.HandoverPolicy.BALANCE_INTERVAL_MS;
import static io.bulwark.core.placement.HandoverPolicy.DEGRADED_FOR_MS;
import static io.bulwark.core.placement.HandoverPolicy.SHARD_INTERVAL_MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.core.common.ShardConfig;
import io.bulwark.core.common.ShardId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * When the controller asks a primary to hand over, round by round with a manual clock. A
 * DEGRADED primary (DESIGN §6): only after 10 s of DEGRADED, to a healthy live backup, one shard
 * of a node at a time, and at most once per shard per 30 s. For balance (DESIGN §2): only after
 * a minute in which the same nodes were live and healthy, one shard at a time, from a node that
 * leads two or more shards more than the target.
 */
class HandoverPolicyTest {
  private final Set<String> degraded = new HashSet<>();
  private final Set<String> gone = new HashSet<>();
  private final HandoverPolicy policy = new HandoverPolicy(BALANCED_AFTER_MS);

  private static ShardConfig shard(int n, long epoch, String primary, String... backups) {
    return new ShardConfig(new ShardId("default", n), epoch, primary, List.of(backups), List.of());
  }

  private List<HandoverPolicy.Ask> round(long nowMs, ShardConfig... shards) {
    return round(nowMs, List.of(shards));
  }

  private List<HandoverPolicy.Ask> round(long nowMs, List<ShardConfig> shards) {
    return policy.decide(nowMs, shards, degraded::contains, gone::contains);
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
    HandoverPolicy fresh = new HandoverPolicy(BALANCED_AFTER_MS);
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

  /** Shards 0..n-1 of which {@code leads[i]} has the primary, the other two nodes the backups. */
  private static List<ShardConfig> led(String... leads) {
    List<ShardConfig> shards = new ArrayList<>();
    for (int i = 0; i < leads.length; i++) {
      String p = leads[i];
      List<String> backups = new ArrayList<>(List.of("n1", "n2", "n3"));
      backups.remove(p);
      shards.add(new ShardConfig(new ShardId("default", i), 2, p, backups, List.of()));
    }
    return shards;
  }

  /** {@code shards} after {@code ask}'s handover: the target leads, the old primary backs up. */
  private static List<ShardConfig> handedOver(List<ShardConfig> shards, HandoverPolicy.Ask ask) {
    List<ShardConfig> after = new ArrayList<>();
    for (ShardConfig c : shards) {
      if (c.shard().equals(ask.config().shard())) {
        List<String> backups = new ArrayList<>(c.backups());
        backups.remove(ask.target());
        backups.add(c.primary());
        c = new ShardConfig(c.shard(), c.epoch() + 1, ask.target(), backups, List.of());
      }
      after.add(c);
    }
    return after;
  }

  private static long ledBy(List<ShardConfig> shards, String node) {
    return shards.stream().filter(c -> c.primary().equals(node)).count();
  }

  @Test
  void piledPrimaries_moveBackOneAtATime_afterAMinuteOfHealth_untilBalanced() {
    // After n3's failover and return, n1 and n2 lead everything.
    List<ShardConfig> shards = led("n1", "n2", "n1", "n2", "n1", "n2", "n1", "n2", "n1");
    assertTrue(round(0, shards).isEmpty());
    assertTrue(round(BALANCED_AFTER_MS - 1, shards).isEmpty(), "not healthy for a minute yet");
    long now = BALANCED_AFTER_MS;
    int moves = 0;
    while (moves < 20) {
      List<HandoverPolicy.Ask> asks = round(now, shards);
      if (asks.isEmpty()) {
        break;
      }
      assertEquals(1, asks.size(), "one balance ask at a time");
      HandoverPolicy.Ask a = asks.get(0);
      assertEquals(HandoverPolicy.Reason.BALANCE, a.reason());
      assertEquals("n3", a.target(), "to the node that leads the fewest");
      assertTrue(round(now + 1_000, shards).isEmpty(), "none while one is outstanding");
      shards = handedOver(shards, a);
      assertTrue(round(now + 2_000, shards).isEmpty(), "done, but within the interval");
      now += BALANCE_INTERVAL_MS;
      moves++;
    }
    assertEquals(3, moves, "5/4/0 becomes 3/3/3 in three moves");
    assertEquals(List.of(3L, 3L, 3L),
        List.of(ledBy(shards, "n1"), ledBy(shards, "n2"), ledBy(shards, "n3")));
  }

  @Test
  void offByOne_isBalancedEnough() {
    List<ShardConfig> shards = led("n1", "n2", "n3", "n1", "n2", "n3", "n1");
    round(0, shards);
    assertTrue(round(BALANCED_AFTER_MS * 2, shards).isEmpty(), "3/2/2: a move only swaps");
  }

  @Test
  void aDegradedNode_orALiveNodeChange_restartsTheMinute() {
    List<ShardConfig> shards = led("n1", "n1", "n1", "n2");
    round(0, shards);
    degraded.add("n2");
    round(30_000, shards);
    degraded.remove("n2");
    round(31_000, shards);
    assertTrue(round(31_000 + BALANCED_AFTER_MS - 1, shards).isEmpty(), "n2 was degraded");
    gone.add("n3");
    round(31_000 + BALANCED_AFTER_MS, shards);
    gone.remove("n3");
    long back = 32_000 + BALANCED_AFTER_MS;
    assertTrue(round(back, shards).isEmpty(), "n3 just came back");
    assertTrue(round(back + BALANCED_AFTER_MS - 1, shards).isEmpty());
    List<HandoverPolicy.Ask> asks = round(back + BALANCED_AFTER_MS, shards);
    assertEquals(1, asks.size());
    assertEquals("n1", asks.get(0).config().primary());
  }

  @Test
  void balanceAfterZero_neverAsksForBalance() {
    HandoverPolicy off = new HandoverPolicy(0);
    List<ShardConfig> shards = led("n1", "n1", "n1", "n1", "n2");
    off.decide(0, shards, degraded::contains, gone::contains);
    assertTrue(off.decide(BALANCED_AFTER_MS * 10, shards, degraded::contains, gone::contains)
        .isEmpty());
  }

  @Test
  void aDegradedPrimary_isMovedForItsHealth_notForBalance() {
    List<ShardConfig> shards = led("n1", "n1", "n1", "n1", "n2");
    round(0, shards);
    degraded.add("n1");
    assertTrue(round(BALANCED_AFTER_MS, shards).isEmpty(), "not healthy, not degraded long");
    List<HandoverPolicy.Ask> asks = round(BALANCED_AFTER_MS + DEGRADED_FOR_MS, shards);
    assertEquals(1, asks.size());
    assertEquals(HandoverPolicy.Reason.DEGRADED, asks.get(0).reason());
  }
}

package io.bulwark.core.placement;

import io.bulwark.core.common.ShardConfig;
import io.bulwark.core.common.ShardId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * When the controller asks a primary to hand over (DESIGN §3 rule 8), for one of two reasons:
 * <ul>
 *   <li><b>degraded</b> (DESIGN §6): its node has been DEGRADED for {@link #DEGRADED_FOR_MS};
 *   <li><b>balance</b> (DESIGN §2, "balanced"): the same nodes have been live, and all of them
 *       healthy, for {@code balanceAfterMs} (node setting {@code balance.after.ms}, default
 *       {@link #BALANCED_AFTER_MS}; 0 turns this off), and one node leads at least two shards
 *       more than another node that backs one of them up. Failovers and degraded handovers
 *       leave primaries piled on the nodes that stayed, and a node that comes back returns as a
 *       backup only; without this it would lead nothing until the next failure (Kafka's
 *       preferred-leader election closes the same gap). One such ask at a time, at most one
 *       per {@link #BALANCE_INTERVAL_MS}, and none while any ask is outstanding, so the cluster
 *       drifts back slowly instead of stalling many shards at once.
 * </ul>
 * The target is a backup on a node that is neither degraded nor gone (the primary itself waits
 * until the target holds its whole log, and aborts otherwise), and the asks are rate-limited: one
 * handover per shard per {@link #SHARD_INTERVAL_MS}, and one at a time per node, so a degraded
 * node sheds its shards one by one instead of stalling them all at once.
 *
 * <p>Asks are made only while at least half of the live nodes that replicate shards are healthy
 * (half, so that a two-node cluster can still shed its one slow node). A slow node among healthy
 * ones is a gray failure that a handover cures; most nodes degrading together has a shared cause
 * (one overloaded machine, a shared disk, the network), and moving primaries would pile every
 * shard's load on the few nodes not yet degraded, which then degrade in turn. Measured: three
 * nodes sharing one disk under full write load saw fsync p99 pass 50 ms on two of them within
 * 3 s, and every primary moved to the third.
 *
 * <p>An ask is outstanding until the shard's epoch moves on (done, or changed otherwise) or for
 * {@link #OUTSTANDING_MAX_MS} (the primary aborted or never saw it). Time is the caller's clock in
 * milliseconds. Not thread-safe: the controller's one thread calls it.
 */
public final class HandoverPolicy {
  public static final long DEGRADED_FOR_MS = 10_000;
  public static final long SHARD_INTERVAL_MS = 30_000;
  public static final long OUTSTANDING_MAX_MS = 10_000;
  /** The default of how long the same live nodes must all be healthy before balancing. */
  public static final long BALANCED_AFTER_MS = 60_000;
  /** The least time between two balance asks. */
  public static final long BALANCE_INTERVAL_MS = 10_000;

  /** Why a primary is asked to hand over. */
  public enum Reason {
    DEGRADED, BALANCE;

    /** The name in the event log: {@code degraded}, {@code balance}. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Ask the primary of {@code config} to hand over to {@code target}. */
  public record Ask(ShardConfig config, String target, Reason reason) {}

  private record Outstanding(ShardId shard, long epoch, long askedMs) {}

  private final long balanceAfterMs;
  private final Map<String, Long> degradedSinceMs = new HashMap<>();
  private final Map<ShardId, Long> lastAskedMs = new HashMap<>();
  private final Map<String, Outstanding> outstandingByNode = new HashMap<>();
  /** Since when these live nodes have been live and healthy; null while one is degraded. */
  private Long allHealthySinceMs;
  private Set<String> lastLive = Set.of();
  private Long lastBalanceAskMs;

  /** @param balanceAfterMs see the class comment; 0 = never ask for balance */
  public HandoverPolicy(long balanceAfterMs) {
    if (balanceAfterMs < 0) {
      throw new IllegalArgumentException("balanceAfterMs must be >= 0, was " + balanceAfterMs);
    }
    this.balanceAfterMs = balanceAfterMs;
  }

  public List<Ask> decide(long nowMs, List<ShardConfig> shards, NodeHealthView health,
      NodeLiveness liveness) {
    Map<ShardId, ShardConfig> byShard = new HashMap<>();
    for (ShardConfig c : shards) {
      byShard.put(c.shard(), c);
      for (String n : c.members()) {
        if (health.degraded(n)) {
          degradedSinceMs.putIfAbsent(n, nowMs);
        } else {
          degradedSinceMs.remove(n);
        }
      }
    }
    outstandingByNode.values().removeIf(o -> nowMs - o.askedMs() > OUTSTANDING_MAX_MS
        || byShard.get(o.shard()) == null || byShard.get(o.shard()).epoch() != o.epoch());
    Set<String> live = liveMembers(shards, liveness);
    long healthy = live.stream().filter(n -> !health.degraded(n)).count();
    if (healthy < live.size()) {
      allHealthySinceMs = null;
    } else if (allHealthySinceMs == null || !live.equals(lastLive)) {
      allHealthySinceMs = nowMs; // a node that just came back gets the same settling time
    }
    lastLive = live;
    List<Ask> asks = new ArrayList<>();
    if (healthy * 2 < live.size()) {
      return asks; // most nodes degraded together: a shared cause (see the class comment)
    }
    for (ShardConfig c : shards) {
      String p = c.primary();
      Long since = degradedSinceMs.get(p);
      if (since == null || nowMs - since < DEGRADED_FOR_MS || outstandingByNode.containsKey(p)) {
        continue;
      }
      Long last = lastAskedMs.get(c.shard());
      if (last != null && nowMs - last < SHARD_INTERVAL_MS) {
        continue;
      }
      String target = healthyBackup(c, health, liveness);
      if (target != null) {
        ask(asks, new Ask(c, target, Reason.DEGRADED), nowMs);
      }
    }
    if (balanceAfterMs > 0 && asks.isEmpty() && outstandingByNode.isEmpty()
        && allHealthySinceMs != null && nowMs - allHealthySinceMs >= balanceAfterMs
        && (lastBalanceAskMs == null || nowMs - lastBalanceAskMs >= BALANCE_INTERVAL_MS)) {
      Ask balance = balanceAsk(nowMs, shards, live);
      if (balance != null) {
        ask(asks, balance, nowMs);
        lastBalanceAskMs = nowMs;
      }
    }
    return asks;
  }

  private void ask(List<Ask> asks, Ask a, long nowMs) {
    ShardConfig c = a.config();
    asks.add(a);
    lastAskedMs.put(c.shard(), nowMs);
    outstandingByNode.put(c.primary(), new Outstanding(c.shard(), c.epoch(), nowMs));
  }

  /**
   * The move that narrows the primaries' spread the most: the shard whose primary leads the most
   * shards, to its backup that leads the fewest, if they differ by two or more (by one, a move
   * would only swap which node leads one more). Null if no shard may move. Every node counted is
   * live and healthy here (the caller checked).
   */
  private Ask balanceAsk(long nowMs, List<ShardConfig> shards, Set<String> live) {
    Map<String, Integer> led = new HashMap<>();
    for (String n : live) {
      led.put(n, 0);
    }
    for (ShardConfig c : shards) {
      led.computeIfPresent(c.primary(), (n, k) -> k + 1);
    }
    List<ShardConfig> ordered = new ArrayList<>(shards);
    ordered.sort(Comparator.comparing(ShardConfig::shard));
    Ask best = null;
    int bestGap = 1;
    for (ShardConfig c : ordered) {
      Integer fromCount = led.get(c.primary());
      Long last = lastAskedMs.get(c.shard());
      if (fromCount == null || (last != null && nowMs - last < SHARD_INTERVAL_MS)) {
        continue;
      }
      for (String b : c.backups()) {
        Integer toCount = led.get(b);
        if (toCount != null && fromCount - toCount > bestGap) {
          best = new Ask(c, b, Reason.BALANCE);
          bestGap = fromCount - toCount;
        }
      }
    }
    return best;
  }

  /** The live nodes replicating any of {@code shards}. */
  private static Set<String> liveMembers(List<ShardConfig> shards, NodeLiveness liveness) {
    Set<String> live = new HashSet<>();
    for (ShardConfig c : shards) {
      for (String n : c.members()) {
        if (!liveness.gone(n)) {
          live.add(n);
        }
      }
    }
    return live;
  }

  private static String healthyBackup(ShardConfig c, NodeHealthView health,
      NodeLiveness liveness) {
    List<String> backups = new ArrayList<>(c.backups());
    backups.sort(null);
    for (String b : backups) {
      if (!health.degraded(b) && !liveness.gone(b)) {
        return b;
      }
    }
    return null;
  }
}

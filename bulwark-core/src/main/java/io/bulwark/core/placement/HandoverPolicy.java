package io.bulwark.core.placement;

import io.bulwark.core.common.ShardConfig;
import io.bulwark.core.common.ShardId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * When the controller asks a primary to hand over (DESIGN §6): its node has been DEGRADED for
 * {@link #DEGRADED_FOR_MS}, the target is a backup on a node that is neither degraded nor gone
 * (the primary itself waits until the target holds its whole log, and aborts otherwise), and the
 * asks are rate-limited: one handover per shard per {@link #SHARD_INTERVAL_MS}, and one at a time
 * per node, so a degraded node sheds its shards one by one instead of stalling them all at once.
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

  /** Ask the primary of {@code config} to hand over to {@code target}. */
  public record Ask(ShardConfig config, String target) {}

  private record Outstanding(ShardId shard, long epoch, long askedMs) {}

  private final Map<String, Long> degradedSinceMs = new HashMap<>();
  private final Map<ShardId, Long> lastAskedMs = new HashMap<>();
  private final Map<String, Outstanding> outstandingByNode = new HashMap<>();

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
    List<Ask> asks = new ArrayList<>();
    if (!atLeastHalfHealthy(shards, health, liveness)) {
      return asks;
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
        asks.add(new Ask(c, target));
        lastAskedMs.put(c.shard(), nowMs);
        outstandingByNode.put(p, new Outstanding(c.shard(), c.epoch(), nowMs));
      }
    }
    return asks;
  }

  /** True if at least half of the live nodes replicating any of {@code shards} are healthy. */
  private static boolean atLeastHalfHealthy(List<ShardConfig> shards, NodeHealthView health,
      NodeLiveness liveness) {
    Set<String> live = new HashSet<>();
    for (ShardConfig c : shards) {
      for (String n : c.members()) {
        if (!liveness.gone(n)) {
          live.add(n);
        }
      }
    }
    long healthy = live.stream().filter(n -> !health.degraded(n)).count();
    return healthy * 2 >= live.size();
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

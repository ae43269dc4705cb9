package io.bulwark.coord;

import io.bulwark.core.common.KeyspaceSpec;
import io.bulwark.core.common.ShardConfig;
import io.bulwark.core.common.ShardId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The controller's initial placement of a keyspace (DESIGN §2): the epoch-1
 * {@link ShardConfig} of every shard, with replicas spread and balanced over the live nodes.
 * Pure and deterministic: the same nodes and spec always give the same placement; no clock, no
 * randomness, no I/O. Static methods, safe from any thread.
 *
 * <p><b>Rules.</b> Replication factor {@code RF = min(spec.replicas(), N)} for {@code N} nodes;
 * each shard has RF distinct members and no learners. Nodes are put in a ring (sorted by id;
 * zone-aware: zones interleaved). Shards are placed in rounds of {@code N}:
 * <ul>
 *   <li>In a full round {@code q}, shard {@code s} has its primary at ring position
 *       {@code s mod N} (round-robin rotation) and its backups at fixed distinct offsets from
 *       it. Each node is then primary exactly once and a replica exactly RF times per round.
 *       Without zones the offsets shift every round, as Kafka's replica assignment does, so a
 *       node's shards are backed up by different nodes and a failed primary's load spreads;
 *       with zones the offsets are 1..RF-1, so a shard takes RF ring-consecutive nodes, which
 *       lie in distinct zones when the zones are of equal size.</li>
 *   <li>The last, partial round ({@code shards mod N} shards) lays windows of RF consecutive
 *       ring positions end to end, so replica counts stay within one of each other, and picks
 *       the primaries as distinct members of their windows (a bipartite matching).</li>
 * </ul>
 * Hence primaries per node differ by at most one, and so do replicas per node.
 */
public final class Placement {
  private Placement() {}

  /**
   * Places {@code spec} on nodes without zones.
   *
   * @param liveNodeIds distinct node ids, in any order (they are sorted first)
   * @throws IllegalArgumentException if there are no nodes, ids repeat, or the spec is invalid
   */
  public static List<ShardConfig> initialConfigs(List<String> liveNodeIds, KeyspaceSpec spec) {
    Objects.requireNonNull(liveNodeIds, "liveNodeIds");
    TreeMap<String, String> zones = new TreeMap<>();
    for (String id : liveNodeIds) {
      if (zones.put(Objects.requireNonNull(id, "node id"), "") != null) {
        throw new IllegalArgumentException("node id " + id + " is listed twice");
      }
    }
    return place(zones, spec);
  }

  /**
   * Places {@code spec} on {@code liveNodes}, spreading each shard's replicas over as many
   * distinct zones as possible.
   *
   * @throws IllegalArgumentException if there are no nodes, ids repeat, or the spec is invalid
   */
  public static List<ShardConfig> initialConfigsZoneAware(
      List<NodeRecord> liveNodes, KeyspaceSpec spec) {
    Objects.requireNonNull(liveNodes, "liveNodes");
    TreeMap<String, String> zones = new TreeMap<>();
    for (NodeRecord n : liveNodes) {
      if (zones.put(n.id(), n.zone()) != null) {
        throw new IllegalArgumentException("node id " + n.id() + " is listed twice");
      }
    }
    return place(zones, spec);
  }

  private static List<ShardConfig> place(TreeMap<String, String> zoneById, KeyspaceSpec spec) {
    Objects.requireNonNull(spec, "spec");
    String invalid = spec.validate();
    if (invalid != null) {
      throw new IllegalArgumentException(invalid);
    }
    if (zoneById.isEmpty()) {
      throw new IllegalArgumentException("no live nodes to place keyspace " + spec.name() + " on");
    }
    boolean zoned = zoneById.values().stream().anyMatch(z -> !z.isEmpty());
    List<String> ring = zoned ? interleaveZones(zoneById) : new ArrayList<>(zoneById.keySet());
    int n = ring.size();
    int rf = Math.min(spec.replicas(), n);
    int shards = spec.shards();
    int fullRounds = shards / n;
    List<ShardConfig> out = new ArrayList<>(shards);
    for (int s = 0; s < fullRounds * n; s++) {
      int primary = s % n;
      List<Integer> members = new ArrayList<>(rf);
      members.add(primary);
      for (int j = 1; j < rf; j++) {
        members.add((primary + backupOffset(zoned, n, s / n, j)) % n);
      }
      out.add(config(spec, s, ring, members));
    }
    List<List<Integer>> tail = partialRound(n, rf, shards - fullRounds * n);
    for (int i = 0; i < tail.size(); i++) {
      out.add(config(spec, fullRounds * n + i, ring, tail.get(i)));
    }
    return List.copyOf(out);
  }

  /**
   * The ring distance from a shard's primary to its {@code j}-th backup (1 <= j < RF <= N) in
   * full round {@code round}: distinct for distinct j, never 0.
   */
  private static int backupOffset(boolean zoned, int n, int round, int j) {
    return zoned ? j : 1 + (round + j - 1) % (n - 1);
  }

  /**
   * Members (primary first) of the {@code count < n} shards of the partial round: windows of
   * {@code rf} consecutive positions laid end to end, so every position is covered
   * floor(count·rf/n) or ceil(count·rf/n) times; the primaries are distinct positions, one
   * from each window, found by augmenting paths (Kuhn's algorithm), trying each window's
   * positions in order so that the window start is preferred.
   */
  private static List<List<Integer>> partialRound(int n, int rf, int count) {
    List<List<Integer>> windows = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      List<Integer> w = new ArrayList<>(rf);
      for (int m = 0; m < rf; m++) {
        w.add((i * rf + m) % n);
      }
      windows.add(w);
    }
    int[] shardOfPosition = new int[n];
    Arrays.fill(shardOfPosition, -1);
    for (int i = 0; i < count; i++) {
      boolean matched = augment(i, windows, shardOfPosition, new boolean[n]);
      // Hall's condition holds: k windows cover at least k positions when count < n.
      if (!matched) {
        throw new IllegalStateException("no distinct primaries for partial round " + windows);
      }
    }
    int[] primaryOf = new int[count];
    for (int pos = 0; pos < n; pos++) {
      if (shardOfPosition[pos] >= 0) {
        primaryOf[shardOfPosition[pos]] = pos;
      }
    }
    List<List<Integer>> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      List<Integer> members = new ArrayList<>(rf);
      members.add(primaryOf[i]);
      for (int pos : windows.get(i)) {
        if (pos != primaryOf[i]) {
          members.add(pos);
        }
      }
      out.add(members);
    }
    return out;
  }

  private static boolean augment(
      int shard, List<List<Integer>> windows, int[] shardOfPosition, boolean[] visited) {
    for (int pos : windows.get(shard)) {
      if (visited[pos]) {
        continue;
      }
      visited[pos] = true;
      if (shardOfPosition[pos] < 0
          || augment(shardOfPosition[pos], windows, shardOfPosition, visited)) {
        shardOfPosition[pos] = shard;
        return true;
      }
    }
    return false;
  }

  /**
   * Node ids ordered zone by zone in turn (zones sorted, nodes sorted within a zone; nodes
   * without a zone form one more zone), so that consecutive ring positions are in different
   * zones as long as zones last.
   */
  private static List<String> interleaveZones(TreeMap<String, String> zoneById) {
    TreeMap<String, List<String>> byZone = new TreeMap<>();
    zoneById.forEach((id, zone) -> byZone.computeIfAbsent(zone, z -> new ArrayList<>()).add(id));
    List<String> ring = new ArrayList<>(zoneById.size());
    for (int rank = 0; ring.size() < zoneById.size(); rank++) {
      for (List<String> ids : byZone.values()) {
        if (rank < ids.size()) {
          ring.add(ids.get(rank));
        }
      }
    }
    return ring;
  }

  private static ShardConfig config(
      KeyspaceSpec spec, int shard, List<String> ring, List<Integer> members) {
    List<String> backups = new ArrayList<>(members.size() - 1);
    for (int b : members.subList(1, members.size())) {
      backups.add(ring.get(b));
    }
    return new ShardConfig(
        new ShardId(spec.name(), shard), 1, ring.get(members.get(0)), backups, List.of());
  }
}

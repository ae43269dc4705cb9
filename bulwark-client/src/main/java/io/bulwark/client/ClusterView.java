package io.bulwark.client;

import io.bulwark.core.common.KeyspaceSpec;
import io.bulwark.proto.v1.KeyspaceSpecMsg;
import io.bulwark.proto.v1.NodeInfo;
import io.bulwark.proto.v1.ShardInfo;
import io.bulwark.proto.v1.StatusReply;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The client's cached picture of the cluster: node addresses (from Status), each shard's primary
 * and its client address (from Status, DescribeKeyspace, Locate and NOT_PRIMARY hints) and each
 * keyspace's spec (from DescribeKeyspace and ListKeyspaces; only its shard count is used, for
 * routing).
 *
 * <p>It is a cache, never an authority: a wrong entry costs a redirect or a retry, not
 * correctness, because every node checks that it is the shard's primary before it serves.
 * Thread-safe: fields are concurrent maps or volatile immutable snapshots; no method blocks.
 */
final class ClusterView {
  /** The primary of a shard as last learned. {@code epoch} is -1 when it came from a hint. */
  record ShardRoute(long epoch, String primary, String primaryAddress) {}

  record ShardKey(String keyspace, int shard) {}

  private final List<String> seeds;
  private final ConcurrentHashMap<ShardKey, ShardRoute> routes = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, KeyspaceSpec> specs = new ConcurrentHashMap<>();
  /** Node id -> canonical client address, replaced whole on each Status reply. */
  private volatile Map<String, String> nodeAddresses = Map.of();
  /** Alive nodes' addresses first, then the seeds, then nodes reported dead. */
  private volatile List<String> candidates;
  private final AtomicInteger rotor = new AtomicInteger();
  private volatile boolean stale;
  private volatile long lastRefreshNanos;

  ClusterView(List<String> seeds) {
    this.seeds = List.copyOf(seeds);
    this.candidates = this.seeds;
    this.rotor.set(java.util.concurrent.ThreadLocalRandom.current().nextInt(seeds.size()));
  }

  List<String> seeds() {
    return seeds;
  }

  // ---- routing ----

  /** The cached primary address of a shard, or null if unknown. */
  String primaryAddress(String keyspace, int shard) {
    ShardRoute r = routes.get(new ShardKey(keyspace, shard));
    return r == null || r.primaryAddress().isEmpty() ? null : r.primaryAddress();
  }

  /** The client address of a node id, or null if unknown. */
  String addressOf(String nodeId) {
    return nodeAddresses.get(nodeId);
  }

  /**
   * A node to ask for anything, rotating across calls so that load spreads, skipping
   * {@code avoid}; null if every candidate is in {@code avoid}.
   */
  String pickAny(Set<String> avoid) {
    List<String> c = candidates;
    int start = rotor.getAndIncrement();
    for (int i = 0; i < c.size(); i++) {
      String a = c.get(Math.floorMod(start + i, c.size()));
      if (!avoid.contains(a)) {
        return a;
      }
    }
    return null;
  }

  /** Records a NOT_PRIMARY hint: the next request for the shard goes to {@code address}. */
  void notePrimary(String keyspace, int shard, String nodeId, String address) {
    routes.compute(new ShardKey(keyspace, shard), (k, old) ->
        new ShardRoute(old == null ? -1 : old.epoch(), nodeId, address));
  }

  // ---- refresh ----

  /** Something failed that a fresher view might avoid. */
  void markStale() {
    stale = true;
  }

  /** Whether to ask a node for Status now: the view is stale and no refresh was tried lately. */
  boolean refreshDue(long nowNanos, long refreshIntervalNanosMin) {
    return stale && nowNanos - lastRefreshNanos >= refreshIntervalNanosMin;
  }

  /** Records a refresh attempt, successful or not, so that refreshes are paced. */
  void refreshTried(long nowNanos) {
    lastRefreshNanos = nowNanos;
  }

  /** Replaces node addresses and updates shard routes from a Status reply. */
  void apply(StatusReply reply) {
    Map<String, String> addresses = new HashMap<>();
    Set<String> alive = new LinkedHashSet<>();
    Set<String> dead = new LinkedHashSet<>();
    for (NodeInfo n : reply.getNodesList()) {
      String a = Endpoints.canonicalOrNull(n.getClientAddress());
      if (a != null) {
        addresses.put(n.getId(), a);
        (n.getAlive() ? alive : dead).add(a);
      }
    }
    Set<String> all = new LinkedHashSet<>(alive);
    all.addAll(seeds);
    all.addAll(dead);
    nodeAddresses = Map.copyOf(addresses);
    candidates = List.copyOf(all);
    applyShards(reply.getShardsList());
    forgetSpecsWithOtherShardCounts(reply.getShardsList());
    stale = false;
  }

  /** Updates shard routes from shard configurations, never going back to an older epoch. */
  void applyShards(List<ShardInfo> shards) {
    for (ShardInfo s : shards) {
      String address = Endpoints.canonicalOrNull(s.getPrimaryAddress());
      if (address == null) {
        address = nodeAddresses.getOrDefault(s.getPrimary(), "");
      }
      ShardRoute fresh = new ShardRoute(s.getEpoch(), s.getPrimary(), address);
      routes.merge(new ShardKey(s.getKeyspace(), s.getShard()), fresh,
          (old, neu) -> neu.epoch() >= old.epoch() ? neu : old);
    }
  }

  /**
   * A keyspace dropped and created again may have a new shard count; Status lists every shard,
   * so a count that differs from the cached spec's means the spec is stale.
   */
  private void forgetSpecsWithOtherShardCounts(List<ShardInfo> shards) {
    Map<String, Integer> counts = new HashMap<>();
    for (ShardInfo s : shards) {
      counts.merge(s.getKeyspace(), s.getShard() + 1, Math::max);
    }
    counts.forEach((ks, n) -> {
      KeyspaceSpec spec = specs.get(ks);
      if (spec != null && spec.shards() != n) {
        forgetKeyspace(ks);
      }
    });
  }

  // ---- keyspaces ----

  /** The cached spec, or null. */
  KeyspaceSpec spec(String keyspace) {
    return specs.get(keyspace);
  }

  /** Caches a spec as the routing needs it; a spec without shards is not cached. */
  void putSpec(KeyspaceSpecMsg m) {
    if (m.getShards() < 1) {
      return;
    }
    KeyspaceSpec spec = new KeyspaceSpec(m.getName(),
        "multi-primary".equals(m.getStrategy())
            ? KeyspaceSpec.Strategy.MULTI_PRIMARY : KeyspaceSpec.Strategy.PRIMARY_BACKUP,
        m.getReplicas(), m.getShards(), m.getMinInsync(),
        "primary".equals(m.getAcks()) ? KeyspaceSpec.Acks.PRIMARY : KeyspaceSpec.Acks.ALL);
    KeyspaceSpec old = specs.put(m.getName(), spec);
    if (old != null && old.shards() != spec.shards()) {
      routes.keySet().removeIf(k -> k.keyspace().equals(m.getName()));
    }
  }

  /** Forgets a keyspace's spec and routes (it was dropped, or the cache proved stale). */
  void forgetKeyspace(String keyspace) {
    specs.remove(keyspace);
    routes.keySet().removeIf(k -> k.keyspace().equals(keyspace));
  }

  /** For tests and diagnostics. */
  List<String> candidates() {
    return new ArrayList<>(candidates);
  }
}

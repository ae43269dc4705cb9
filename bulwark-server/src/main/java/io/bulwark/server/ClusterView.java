package io.bulwark.server;

import io.bulwark.coord.Coordinator;
import io.bulwark.coord.NodeRecord;
import io.bulwark.core.common.KeyspaceSpec;
import io.bulwark.core.common.ShardConfig;
import io.bulwark.core.common.ShardId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Consumer;

/**
 * This node's cached view of the cluster's ZooKeeper state: live nodes, keyspaces and shard
 * configurations, kept fresh by watches. It answers routing and status questions without a
 * ZooKeeper round trip; it decides nothing about safety (replicas do, after a sync, §3.8).
 * Thread-safe.
 */
final class ClusterView {
  private final Map<String, NodeRecord> live = new ConcurrentHashMap<>();
  /** Every node id ever seen live or in a configuration, for status (alive or not). */
  private final Set<String> known = ConcurrentHashMap.newKeySet();
  private final Map<String, KeyspaceSpec> keyspaces = new ConcurrentHashMap<>();
  private final Map<ShardId, ShardConfig> shards = new ConcurrentSkipListMap<>();

  /** Loads the current state, then follows changes; listeners run on Curator's threads. */
  void start(Coordinator coord, Consumer<ShardConfig> onShardConfig,
      Consumer<String> onKeyspaceDropped) {
    for (KeyspaceSpec k : coord.keyspaces()) {
      keyspaces.put(k.name(), k);
    }
    for (NodeRecord n : coord.liveNodes()) {
      live.put(n.id(), n);
      known.add(n.id());
    }
    coord.watchNodes(nodes -> {
      Set<String> ids = new HashSet<>();
      for (NodeRecord n : nodes) {
        live.put(n.id(), n);
        known.add(n.id());
        ids.add(n.id());
      }
      live.keySet().retainAll(ids);
    });
    coord.watchKeyspaces(specs -> {
      Set<String> names = new HashSet<>();
      for (KeyspaceSpec k : specs) {
        keyspaces.put(k.name(), k);
        names.add(k.name());
      }
      for (String gone : new ArrayList<>(keyspaces.keySet())) {
        if (!names.contains(gone)) {
          keyspaces.remove(gone);
          shards.keySet().removeIf(s -> s.keyspace().equals(gone));
          onKeyspaceDropped.accept(gone);
        }
      }
    });
    coord.watchShardConfigs(c -> {
      String ks = c.shard().keyspace();
      if (!keyspaces.containsKey(ks)) {
        // A new keyspace's shard configurations can arrive before the keyspace watch fires; a
        // replica needs the spec (min-insync, acks) before it opens.
        coord.keyspace(ks).ifPresent(k -> keyspaces.put(k.name(), k));
        if (!keyspaces.containsKey(ks)) {
          return; // Dropped meanwhile.
        }
      }
      learn(c);
      known.addAll(c.members());
      known.addAll(c.learners());
      onShardConfig.accept(c);
    });
  }

  KeyspaceSpec keyspace(String name) {
    return keyspaces.get(name);
  }

  List<KeyspaceSpec> keyspaces() {
    return new ArrayList<>(keyspaces.values());
  }

  ShardConfig shard(ShardId id) {
    return shards.get(id);
  }

  List<ShardConfig> shards() {
    return new ArrayList<>(shards.values());
  }

  /** Records {@code c} unless a configuration of a later epoch is already known. */
  void learn(ShardConfig c) {
    shards.merge(c.shard(), c, (old, neu) -> neu.epoch() >= old.epoch() ? neu : old);
  }

  NodeRecord liveNode(String id) {
    return live.get(id);
  }

  List<NodeRecord> liveNodes() {
    return new ArrayList<>(live.values());
  }

  Set<String> knownNodes() {
    return new HashSet<>(known);
  }

  /** The peer address of a live node, or null. */
  String peerAddress(String id) {
    NodeRecord n = live.get(id);
    return n == null ? null : n.peer();
  }

  String clientAddress(String id) {
    NodeRecord n = live.get(id);
    return n == null ? "" : n.client();
  }
}

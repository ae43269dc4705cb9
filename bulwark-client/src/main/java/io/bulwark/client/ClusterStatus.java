package io.bulwark.client;

import java.util.List;
import java.util.Objects;

/**
 * The cluster as one node saw it when it answered {@link BulwarkClient#status()}: every node,
 * every shard of every keyspace, and the controller's node id (empty if none is elected).
 * Immutable.
 */
public record ClusterStatus(List<NodeStatus> nodes, List<ShardLocation> shards, String controller) {
  public ClusterStatus {
    nodes = List.copyOf(nodes);
    shards = List.copyOf(shards);
    Objects.requireNonNull(controller, "controller");
  }
}

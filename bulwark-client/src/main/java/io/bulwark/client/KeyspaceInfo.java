package io.bulwark.client;

import java.util.List;
import java.util.Objects;

/**
 * A keyspace's spec (DESIGN §2) and, where the reply carried them, its shards' configurations.
 * Immutable.
 *
 * @param strategy {@code "primary-backup"} or {@code "multi-primary"}
 * @param acks {@code "all"} or {@code "primary"}
 * @param shardLocations one per shard from create and describe; empty from
 *     {@link BulwarkClient#listKeyspaces()}
 */
public record KeyspaceInfo(
    String name, String strategy, int replicas, int shards, int minInsync, String acks,
    List<ShardLocation> shardLocations) {
  public KeyspaceInfo {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(strategy, "strategy");
    Objects.requireNonNull(acks, "acks");
    shardLocations = List.copyOf(shardLocations);
  }
}

package io.bulwark.core.common;

import java.util.Objects;

/** One shard of one keyspace: the unit of replication, with its own log and configuration. */
public record ShardId(String keyspace, int shard) implements Comparable<ShardId> {
  public ShardId {
    Objects.requireNonNull(keyspace, "keyspace");
    Invariants.check(shard >= 0, "shard must be >= 0, was %s", shard);
  }

  @Override
  public int compareTo(ShardId o) {
    int c = keyspace.compareTo(o.keyspace);
    return c != 0 ? c : Integer.compare(shard, o.shard);
  }

  @Override
  public String toString() {
    return keyspace + "/" + shard;
  }
}

package io.bulwark.core.common;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The configuration of one shard in one epoch (DESIGN §2, §3): who is primary, who are the
 * backups (every commit needs all of them), and which learners are catching up. Stored in
 * ZooKeeper at {@code shards/<keyspace>/<n>} and changed only by compare-and-set on the epoch:
 * a configuration for epoch {@code e+1} is valid only if it replaced epoch {@code e}.
 */
public record ShardConfig(
    ShardId shard, long epoch, String primary, List<String> backups, List<String> learners) {

  public ShardConfig {
    Objects.requireNonNull(shard, "shard");
    Objects.requireNonNull(primary, "primary");
    backups = List.copyOf(backups);
    learners = List.copyOf(learners);
    Invariants.check(epoch >= 1, "epoch must be >= 1, was %s", epoch);
    Invariants.check(!backups.contains(primary), "primary %s is also a backup", primary);
    Invariants.check(!learners.contains(primary), "primary %s is also a learner", primary);
  }

  /** Primary and backups: the replicas every commit waits for. */
  public List<String> members() {
    List<String> m = new ArrayList<>(backups.size() + 1);
    m.add(primary);
    m.addAll(backups);
    return m;
  }

  public boolean isMember(String node) {
    return primary.equals(node) || backups.contains(node);
  }

  public boolean isReplica(String node) {
    return isMember(node) || learners.contains(node);
  }

  /** The next epoch's configuration with the given roles. */
  public ShardConfig next(String newPrimary, List<String> newBackups, List<String> newLearners) {
    return new ShardConfig(shard, epoch + 1, newPrimary, newBackups, newLearners);
  }
}

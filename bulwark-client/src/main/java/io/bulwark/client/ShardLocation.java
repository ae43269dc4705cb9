package io.bulwark.client;

import java.util.List;
import java.util.Objects;

/**
 * One shard's configuration as a node reported it (DESIGN §2 {@code shards/<keyspace>/<n>}).
 * It may be stale by the time it is read: configurations change on failover. Immutable.
 *
 * @param primary the primary's node id, empty if the reporting node knew none
 * @param primaryAddress the primary's client address {@code host:port}, empty if unknown
 * @param learnerProgress the learners' copies, known only if the primary itself reported this
 */
public record ShardLocation(
    String keyspace, int shard, long epoch, String primary, List<String> backups,
    List<String> learners, String primaryAddress, List<LearnerCopy> learnerProgress) {
  public ShardLocation {
    Objects.requireNonNull(keyspace, "keyspace");
    learnerProgress = List.copyOf(learnerProgress);
    Objects.requireNonNull(primary, "primary");
    Objects.requireNonNull(primaryAddress, "primaryAddress");
    backups = List.copyOf(backups);
    learners = List.copyOf(learners);
  }

  /** A location without learner progress. */
  public ShardLocation(String keyspace, int shard, long epoch, String primary,
      List<String> backups, List<String> learners, String primaryAddress) {
    this(keyspace, shard, epoch, primary, backups, learners, primaryAddress, List.of());
  }

  /** This location with the learner progress its primary reported. */
  public ShardLocation withLearnerProgress(List<LearnerCopy> progress) {
    return new ShardLocation(keyspace, shard, epoch, primary, backups, learners, primaryAddress,
        progress);
  }
}

package io.bulwark.coord;

import io.bulwark.core.common.ShardConfig;

/**
 * The outcome of {@link Coordinator#casShardConfig}: an expected outcome, not an error.
 *
 * @param succeeded true if the proposed configuration replaced the expected epoch; exactly one
 *     of several concurrent proposals for the same epoch succeeds
 * @param current on success the configuration now stored (the proposal); on failure the
 *     configuration read after a ZooKeeper {@code sync()}, or {@code null} only if no
 *     configuration exists for the shard (the keyspace was dropped or never placed)
 */
public record CasResult(boolean succeeded, ShardConfig current) {

  public CasResult {
    if (succeeded && current == null) {
      throw new IllegalArgumentException("a successful compare-and-set has a current config");
    }
  }
}

package io.bulwark.coord;

import io.bulwark.core.common.ShardId;
import java.util.Objects;

/**
 * A request that the primary of {@code shard} in {@code epoch} hand primaryship over to
 * {@code target} (DESIGN §3 rule 8, §6), stored at {@code handovers/<keyspace>/<n>}. The
 * controller (for a DEGRADED primary) or an operator ({@code bulwark handover}) writes it; the
 * node that is primary of exactly that epoch acts on it; the controller deletes it once the
 * shard's epoch moved on. It lives in ZooKeeper so that it survives a controller failover.
 *
 * @param reason why it was asked: {@code degraded}, {@code balance} or {@code admin}
 */
public record HandoverRequest(ShardId shard, long epoch, String target, String reason) {
  public HandoverRequest {
    Objects.requireNonNull(shard, "shard");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(reason, "reason");
  }
}

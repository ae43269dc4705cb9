package io.bulwark.client;

import java.util.Objects;

/**
 * A learner's copy in progress, as the shard's primary reported it (DESIGN §6 re-replication
 * progress): its durably acked index over the primary's last index, and the snapshot bytes the
 * primary sent it. Immutable.
 */
public record LearnerCopy(String node, int percent, long bytes, long ackedIndex, long lastIndex) {
  public LearnerCopy {
    Objects.requireNonNull(node, "node");
  }
}

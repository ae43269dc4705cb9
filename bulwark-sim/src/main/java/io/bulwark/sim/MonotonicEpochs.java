package io.bulwark.sim;

import io.bulwark.core.common.ShardConfig;
import io.bulwark.core.common.ShardId;
import io.bulwark.core.pb.ShardReplica;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Invariant: epochs never go back (DESIGN §3: a configuration for {@code e+1} replaces
 * {@code e}; only learners change within an epoch). Checked twice: every configuration the
 * coordination store accepts has an epoch at least the stored one's, and a running replica's
 * configuration epoch never decreases.
 */
final class MonotonicEpochs implements Invariant {
  private final Supplier<List<SimNode>> nodes;
  /** Per "node#incarnation/shard": the highest configuration epoch that replica held. */
  private final Map<String, Long> replicaEpochs = new HashMap<>();
  private long checks;

  MonotonicEpochs(Supplier<List<SimNode>> nodes) {
    this.nodes = nodes;
  }

  /** The store is about to replace {@code previous} (null: none) by {@code next}. */
  void onStored(ShardConfig previous, ShardConfig next) {
    checks++;
    if (previous == null) {
      return;
    }
    if (next.epoch() < previous.epoch()) {
      throw new SimFailure(name() + ": the configuration store of " + next.shard()
          + " went from epoch " + previous.epoch() + " back to " + next.epoch());
    }
    if (next.epoch() == previous.epoch() && !(next.primary().equals(previous.primary())
        && next.backups().equals(previous.backups()))) {
      throw new SimFailure(name() + ": epoch " + next.epoch() + " of " + next.shard()
          + " was stored twice with different members: " + previous + " then " + next);
    }
  }

  @Override
  public String name() {
    return "monotonic-epochs";
  }

  @Override
  public void check() {
    for (SimNode n : nodes.get()) {
      for (Map.Entry<ShardId, ShardReplica> e : n.replicas().entrySet()) {
        ShardConfig c = e.getValue().config();
        if (c == null) {
          continue;
        }
        checks++;
        String key = n.id() + "#" + n.incarnation() + "/" + e.getKey();
        Long before = replicaEpochs.put(key, c.epoch());
        if (before != null && c.epoch() < before) {
          throw new SimFailure(name() + ": replica " + key + " went from epoch " + before
              + " back to " + c.epoch());
        }
      }
    }
  }

  @Override
  public long checks() {
    return checks;
  }
}

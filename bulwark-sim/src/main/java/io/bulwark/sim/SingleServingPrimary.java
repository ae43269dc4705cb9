package io.bulwark.sim;

import io.bulwark.core.common.ShardId;
import io.bulwark.core.pb.ShardReplica;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Invariant: at any real moment, at most one replica of a shard would serve a read or write
 * (DESIGN §3.6-3.8: the old primary's lease lapses before any backup's grace can expire, under
 * clock drift within ρ). Each replica is asked {@code isServing} with <em>its own node's</em>
 * clock read at that same instant — a lease is only meaningful on the clock that measured it.
 * A stalled (paused) process counts: its lease runs on. Crashed processes serve nothing.
 *
 * <p>Serving can only start at an event, so checking after every event finds every overlap.
 */
final class SingleServingPrimary implements Invariant {
  private final Supplier<List<SimNode>> nodes;
  private long checks;

  SingleServingPrimary(Supplier<List<SimNode>> nodes) {
    this.nodes = nodes;
  }

  @Override
  public String name() {
    return "single-serving-primary";
  }

  @Override
  public void check() {
    Map<ShardId, String> serving = new HashMap<>();
    for (SimNode n : nodes.get()) {
      if (!n.isAlive()) {
        continue;
      }
      long now = n.clock().nowNanos();
      for (Map.Entry<ShardId, ShardReplica> e : n.replicas().entrySet()) {
        checks++;
        if (!e.getValue().isServing(now)) {
          continue;
        }
        String other = serving.putIfAbsent(e.getKey(), n.id() + " " + e.getValue());
        if (other != null) {
          throw new SimFailure(name() + ": two replicas of " + e.getKey()
              + " serve at once: " + other + " and " + n.id() + " " + e.getValue());
        }
      }
    }
  }

  @Override
  public long checks() {
    return checks;
  }
}

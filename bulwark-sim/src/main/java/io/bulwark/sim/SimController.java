package io.bulwark.sim;

import io.bulwark.core.common.ShardConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * The controller's one recovery duty that replicas rely on (DESIGN §2, §3.8), as
 * bulwark-server's Controller.restoreReplication does it: periodically, a shard with fewer
 * replicas than its replication factor gets a live node from outside its configuration as a
 * learner, by a same-epoch, learners-only compare-and-set. It never touches primary or backups;
 * the primary promotes the learner once it caught up (§3.11). Live means running and holding a
 * ZooKeeper session.
 */
final class SimController {
  private final SimScheduler scheduler;
  private final SimKnobs knobs;
  private final SimCoord coord;
  private final List<SimNode> nodes;
  private final SimTrace trace;

  SimController(SimScheduler scheduler, SimKnobs knobs, SimCoord coord, List<SimNode> nodes,
      SimTrace trace) {
    this.scheduler = scheduler;
    this.knobs = knobs;
    this.coord = coord;
    this.nodes = nodes;
    this.trace = trace;
  }

  void start() {
    scheduler.after(knobs.controllerPeriodNanos, () -> {
      restoreReplication();
      start();
    });
  }

  private void restoreReplication() {
    if (coord.inOutage()) {
      return;
    }
    for (ShardConfig c : coord.configs()) {
      if (c.members().size() + c.learners().size() >= knobs.replicationFactor) {
        continue;
      }
      String candidate = leastLoaded(c);
      if (candidate == null) {
        continue;
      }
      List<String> learners = new ArrayList<>(c.learners());
      learners.add(candidate);
      if (coord.setLearners(c, learners)) {
        trace.record("controller", "controller:replica-added", "shard=" + c.shard() + " node="
            + candidate + " as=learner epoch=" + c.epoch());
      }
    }
  }

  private String leastLoaded(ShardConfig c) {
    String best = null;
    int bestLoad = Integer.MAX_VALUE;
    for (SimNode n : nodes) {
      if (!n.isAlive() || !coord.reachable(n.id()) || c.isReplica(n.id())) {
        continue;
      }
      int load = 0;
      for (ShardConfig other : coord.configs()) {
        load += other.isReplica(n.id()) ? 1 : 0;
      }
      if (load < bestLoad) {
        best = n.id();
        bestLoad = load;
      }
    }
    return best;
  }
}

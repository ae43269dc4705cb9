package io.bulwark.sim;

import io.bulwark.core.common.ShardConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The controller's one recovery duty that replicas rely on (DESIGN §2, §3.8), as
 * bulwark-server's Controller.restoreReplication does it: periodically, a shard with fewer
 * replicas than its replication factor gets a live node from outside its configuration as a
 * learner, by a same-epoch, learners-only compare-and-set. It never touches primary or backups;
 * the primary promotes the learner once it caught up (§3.11). Live means running and holding a
 * ZooKeeper session.
 *
 * <p>During the chaos phase it also asks primaries, at the seed's {@link SimKnobs#handoverRate},
 * to hand over to a random backup (§3.8), as the real controller does for a DEGRADED node; the
 * request reaches the node after a ZooKeeper delay, by which time it may no longer be primary,
 * or the backup no longer a backup (the core refuses such requests).
 */
final class SimController {
  private final SimScheduler scheduler;
  private final SimKnobs knobs;
  private final SimCoord coord;
  private final List<SimNode> nodes;
  private final SimTrace trace;
  private final SplittableRandom random;
  private boolean handovers = true;

  SimController(SimScheduler scheduler, SimKnobs knobs, SimCoord coord, List<SimNode> nodes,
      SimTrace trace, SplittableRandom random) {
    this.scheduler = scheduler;
    this.random = random;
    this.knobs = knobs;
    this.coord = coord;
    this.nodes = nodes;
    this.trace = trace;
  }

  void start() {
    scheduler.after(knobs.controllerPeriodNanos, () -> {
      restoreReplication();
      askHandovers();
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

  /** No more handovers (the liveness phase). */
  void stopHandovers() {
    handovers = false;
  }

  private void askHandovers() {
    if (!handovers || knobs.handoverRate == 0 || coord.inOutage()) {
      return;
    }
    for (ShardConfig c : coord.configs()) {
      if (c.backups().isEmpty() || random.nextDouble() >= knobs.handoverRate) {
        continue;
      }
      String target = c.backups().get(random.nextInt(c.backups().size()));
      for (SimNode n : nodes) {
        if (n.id().equals(c.primary()) && n.isAlive() && coord.reachable(n.id())) {
          trace.record("controller", "controller:handover-asked", "shard=" + c.shard()
              + " primary=" + c.primary() + " target=" + target + " epoch=" + c.epoch());
          long delay = knobs.netDelayMinNanos
              + random.nextLong(knobs.netDelayMaxNanos - knobs.netDelayMinNanos + 1);
          scheduler.after(delay, () -> n.handOver(c.shard(), target));
        }
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

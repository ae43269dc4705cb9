package io.bulwark.sim;

import io.bulwark.core.common.ShardConfig;
import io.bulwark.core.common.ShardId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * ZooKeeper as the replicas see it (DESIGN §2, §3.7-3.9): a linearizable store of one
 * {@link ShardConfig} per shard, changed only by compare-and-set, with watches.
 *
 * <ul>
 *   <li>{@link #propose} is {@code Effect.ProposeConfig}: after a network delay the CAS runs
 *       (wins only if the stored epoch is the expected one), and its answer comes back as
 *       {@code ProposalResult}, plus, on a loss, the configuration that won (read after a
 *       sync). A node that cannot reach ZooKeeper gets a failure and retries on its own.
 *       Sometimes the reply is lost although the write happened: the runtime then reports a
 *       failure, as the server does when a CAS's outcome cannot be learnt.
 *   <li>Watches: after each change every live node, after its own delay and in order, observes
 *       the configuration current at that moment (changes may coalesce, never reorder); a node
 *       cut off from ZooKeeper catches up when it reconnects, a restarted node reads everything.
 *   <li>{@link #setLearners}: the controller's same-epoch, learners-only compare-and-set.
 * </ul>
 *
 * <p>{@link Variant#COORD_CAS_IGNORES_EPOCH} breaks the compare on purpose: every proposal wins.
 */
final class SimCoord {
  private final SimScheduler scheduler;
  private final SplittableRandom random;
  private final SimKnobs knobs;
  private final SimTrace trace;
  private final MonotonicEpochs epochs;
  private final boolean casIgnoresEpoch;
  private final Supplier<List<SimNode>> nodes;
  private final TreeMap<ShardId, ShardConfig> store = new TreeMap<>();
  private final Map<ShardId, Long> versions = new HashMap<>();
  private final Map<String, Map<ShardId, Long>> seenVersion = new HashMap<>();
  private final Map<String, Long> lastDeliveryNanos = new HashMap<>();
  private final TreeSet<String> unreachable = new TreeSet<>();
  private boolean outage;
  private boolean healthy;

  SimCoord(SimScheduler scheduler, SplittableRandom random, SimKnobs knobs, SimTrace trace,
      MonotonicEpochs epochs, boolean casIgnoresEpoch, Supplier<List<SimNode>> nodes) {
    this.scheduler = scheduler;
    this.random = random;
    this.knobs = knobs;
    this.trace = trace;
    this.epochs = epochs;
    this.casIgnoresEpoch = casIgnoresEpoch;
    this.nodes = nodes;
  }

  // ------------------------------------------------------------ state, for the controller

  List<ShardConfig> configs() {
    return new ArrayList<>(store.values());
  }

  ShardConfig config(ShardId shard) {
    return store.get(shard);
  }

  /** True if {@code node}'s session is up: it can read, write and be seen as live. */
  boolean reachable(String node) {
    return !outage && !unreachable.contains(node);
  }

  boolean inOutage() {
    return outage;
  }

  // ------------------------------------------------------------ writes

  /** The controller's initial placement of a shard (creates the znode). */
  void create(ShardConfig c) {
    if (store.containsKey(c.shard())) {
      throw new IllegalStateException("shard " + c.shard() + " is already placed");
    }
    write(c);
  }

  /** {@code Effect.ProposeConfig} from {@code node}; answers come back as node inputs. */
  void propose(SimNode node, long expectedEpoch, ShardConfig next) {
    int incarnation = node.incarnation();
    scheduler.after(latencyNanos(), () -> {
      if (!reachable(node.id())) {
        trace.record(node.id(), "coord:proposal-unreachable", "epoch=" + next.epoch());
        reply(node, incarnation, next, false, null);
        return;
      }
      ShardConfig current = store.get(next.shard());
      boolean wins = casIgnoresEpoch || (current != null && current.epoch() == expectedEpoch);
      if (wins) {
        write(next);
      }
      boolean replyLost = !healthy && random.nextDouble() < knobs.coordLostReplyRate;
      trace.record(node.id(), wins ? "coord:cas-won" : "coord:cas-lost", "epoch=" + next.epoch()
          + " primary=" + next.primary() + " backups=" + next.backups()
          + (replyLost ? " (reply lost)" : ""));
      if (replyLost) {
        reply(node, incarnation, next, false, null);
      } else {
        reply(node, incarnation, next, wins, wins ? null : store.get(next.shard()));
      }
    });
  }

  private void reply(SimNode node, int incarnation, ShardConfig proposed, boolean won,
      ShardConfig current) {
    scheduler.after(latencyNanos(), () -> {
      if (node.incarnation() != incarnation) {
        return;
      }
      node.onProposalResult(proposed, won);
      if (current != null) {
        node.onConfig(current);
      }
    });
  }

  /**
   * Replaces the learners of exactly {@code expected} (same epoch and members), as
   * Coordinator.setLearners does; false if anything changed or ZooKeeper is down.
   */
  boolean setLearners(ShardConfig expected, List<String> learners) {
    ShardConfig current = store.get(expected.shard());
    if (outage || !expected.equals(current)) {
      return false;
    }
    write(new ShardConfig(expected.shard(), expected.epoch(), expected.primary(),
        expected.backups(), learners));
    return true;
  }

  private void write(ShardConfig next) {
    epochs.onStored(store.get(next.shard()), next);
    store.put(next.shard(), next);
    versions.merge(next.shard(), 1L, Long::sum);
    for (SimNode n : nodes.get()) {
      scheduleRefresh(n, next.shard());
    }
  }

  // ------------------------------------------------------------ watches

  private void scheduleRefresh(SimNode node, ShardId shard) {
    int incarnation = node.incarnation();
    long at = Math.max(scheduler.nowNanos() + latencyNanos(),
        lastDeliveryNanos.getOrDefault(node.id(), 0L));
    lastDeliveryNanos.put(node.id(), at);
    scheduler.at(at, () -> {
      if (node.incarnation() != incarnation || !node.isAlive() || !reachable(node.id())) {
        return; // Restart or reconnect re-reads everything.
      }
      long version = versions.getOrDefault(shard, 0L);
      Map<ShardId, Long> seen = seenVersion.computeIfAbsent(node.id(), k -> new HashMap<>());
      if (version > seen.getOrDefault(shard, 0L)) {
        seen.put(shard, version);
        node.onConfig(store.get(shard));
      }
    });
  }

  /** A (re)started or reconnected node reads every shard's configuration. */
  void refreshAll(SimNode node) {
    seenVersion.remove(node.id());
    for (ShardId shard : store.keySet()) {
      scheduleRefresh(node, shard);
    }
  }

  // ------------------------------------------------------------ faults

  void beginOutage() {
    outage = true;
  }

  void endOutage() {
    outage = false;
    for (SimNode n : nodes.get()) {
      refreshAll(n);
    }
  }

  void cutOff(String node) {
    unreachable.add(node);
  }

  void reconnect(SimNode node) {
    if (unreachable.remove(node.id())) {
      refreshAll(node);
    }
  }

  /** No more outages or lost replies (the liveness phase). */
  void heal() {
    healthy = true;
    for (SimNode n : nodes.get()) {
      unreachable.remove(n.id());
    }
    endOutage();
  }

  private long latencyNanos() {
    return knobs.netDelayMinNanos
        + random.nextLong(knobs.netDelayMaxNanos - knobs.netDelayMinNanos + 1);
  }
}

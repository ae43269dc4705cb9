package io.bulwark.core.placement;

import io.bulwark.core.common.ShardConfig;
import io.bulwark.core.common.ShardId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * When and where the controller restores a shard's replication factor (DESIGN §6). A backup is
 * removed after one lease of silence (§3 rule 5), which says nothing about whether its node is
 * lost; copying a whole shard elsewhere is expensive, and the node usually comes back. So:
 *
 * <ul>
 *   <li><b>rejoin</b>: a former replica of the shard whose node is live again is re-added as a
 *       learner at once (it catches up cheaply from its own log, §3 rule 10). Former replicas
 *       are those this controller saw in the shard's configurations and those whose node
 *       reports holding the shard's data without being its replica (a <em>dormant</em>
 *       replica): the second kind is what a controller that took over after the removal —
 *       often because the removed node was the old controller — has to go on;
 *   <li><b>replace-after</b>: a <em>different</em> node is chosen only once the missing node has
 *       been gone for {@code replaceAfterMs}; if this controller does not know who is missing
 *       (it took over after the removal and no live node holds the shard dormant), it counts
 *       from when it started deciding;
 *   <li><b>learner-gone</b>: a learner whose node has been gone for {@code replaceAfterMs} is
 *       dropped from the learners, so that the next round replaces it.
 * </ul>
 *
 * At most one action per shard per round; each is a learners-only compare-and-set that the
 * controller performs, and a stale one simply fails. Time is the caller's clock in
 * milliseconds (no clock is read here). Not thread-safe: the controller's one thread calls it.
 */
public final class ReplicationPolicy {

  /** One learners-only change to {@code expected} (a same-epoch compare-and-set). */
  public record Action(ShardConfig expected, String node, boolean add, String reason) {
    public List<String> learners() {
      List<String> l = new ArrayList<>(expected.learners());
      if (add) {
        l.add(node);
      } else {
        l.remove(node);
      }
      return l;
    }
  }

  private final long replaceAfterMs;
  private final long startedMs;
  /** Every node seen replicating each shard while this controller ran. */
  private final Map<ShardId, Set<String>> formerReplicas = new HashMap<>();
  private final Map<String, Long> goneSinceMs = new HashMap<>();

  public ReplicationPolicy(long replaceAfterMs, long startedMs) {
    this.replaceAfterMs = replaceAfterMs;
    this.startedMs = startedMs;
  }

  /** Remembers the replicas of a configuration the controller saw. */
  public void observe(ShardConfig c) {
    formerReplicas.computeIfAbsent(c.shard(), k -> new LinkedHashSet<>()).addAll(c.members());
    formerReplicas.get(c.shard()).addAll(c.learners());
  }

  /**
   * Decides this round's actions.
   *
   * @param shards the current configurations (each is also {@link #observe observed})
   * @param replicationFactor the replication factor of a shard's keyspace
   * @param liveNodes nodes that may receive a new replica, for the load count
   * @param dormant for each shard, the live nodes that report holding its data on disk while
   *     not being its replica
   */
  public List<Action> decide(long nowMs, List<ShardConfig> shards,
      Map<ShardId, Integer> replicationFactor, List<String> liveNodes, NodeLiveness liveness,
      Map<ShardId, Set<String>> dormant) {
    shards.forEach(this::observe);
    dormant.forEach((shard, nodes) ->
        formerReplicas.computeIfAbsent(shard, k -> new LinkedHashSet<>()).addAll(nodes));
    Set<String> referenced = new LinkedHashSet<>(liveNodes);
    formerReplicas.values().forEach(referenced::addAll);
    for (String n : referenced) {
      if (liveness.gone(n)) {
        goneSinceMs.putIfAbsent(n, nowMs);
      } else {
        goneSinceMs.remove(n);
      }
    }
    List<Action> actions = new ArrayList<>();
    for (ShardConfig c : shards) {
      Integer rf = replicationFactor.get(c.shard());
      if (rf != null) {
        Action a = decideShard(nowMs, c, rf, shards, liveNodes, liveness);
        if (a != null) {
          actions.add(a);
        }
      }
    }
    return actions;
  }

  private Action decideShard(long nowMs, ShardConfig c, int rf, List<ShardConfig> shards,
      List<String> liveNodes, NodeLiveness liveness) {
    for (String l : c.learners()) {
      if (goneForMs(l, nowMs) >= replaceAfterMs) {
        return new Action(c, l, false, "learner-gone");
      }
    }
    if (c.members().size() + c.learners().size() >= rf) {
      return null;
    }
    List<String> missing = new ArrayList<>();
    for (String n : formerReplicas.getOrDefault(c.shard(), Set.of())) {
      if (!c.isReplica(n)) {
        missing.add(n);
      }
    }
    for (String n : missing) {
      if (!liveness.gone(n) && liveNodes.contains(n)) {
        return new Action(c, n, true, "rejoin");
      }
    }
    long goneFor = nowMs - startedMs;
    for (String n : missing) {
      goneFor = Math.min(goneFor, goneForMs(n, nowMs));
    }
    if (goneFor < replaceAfterMs) {
      return null;
    }
    String candidate = leastLoaded(c, shards, liveNodes, liveness);
    return candidate == null ? null : new Action(c, candidate, true, "replace-after");
  }

  /** How long {@code node} has been gone (0 if it is not). */
  private long goneForMs(String node, long nowMs) {
    Long since = goneSinceMs.get(node);
    return since == null ? 0 : nowMs - since;
  }

  private static String leastLoaded(ShardConfig c, List<ShardConfig> shards,
      List<String> liveNodes, NodeLiveness liveness) {
    Map<String, Integer> load = new TreeMap<>();
    for (String n : liveNodes) {
      if (!c.isReplica(n) && !liveness.gone(n)) {
        load.put(n, 0);
      }
    }
    for (ShardConfig other : shards) {
      for (String n : other.members()) {
        load.computeIfPresent(n, (k, v) -> v + 1);
      }
      for (String n : other.learners()) {
        load.computeIfPresent(n, (k, v) -> v + 1);
      }
    }
    return load.entrySet().stream().min(Map.Entry.comparingByValue(Comparator.naturalOrder()))
        .map(Map.Entry::getKey).orElse(null);
  }
}

package io.bulwark.server;

import io.bulwark.coord.CasResult;
import io.bulwark.coord.Coordinator;
import io.bulwark.coord.NodeRecord;
import io.bulwark.coord.Placement;
import io.bulwark.core.common.KeyspaceSpec;
import io.bulwark.core.common.ShardConfig;
import io.bulwark.core.common.ShardId;
import io.bulwark.coord.HandoverRequest;
import io.bulwark.core.placement.HandoverPolicy;
import io.bulwark.core.placement.NodeHealthView;
import io.bulwark.core.placement.NodeLiveness;
import io.bulwark.core.placement.ReplicationPolicy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's duties while this node holds the ZooKeeper {@code LeaderLatch} (DESIGN §2,
 * §3 rule 8): create the {@code default} keyspace, place every keyspace's first shard
 * configurations, and restore replication factors by adding learners ({@link ReplicationPolicy}:
 * a returning replica at once, another node after {@code replace-after}). It never
 * changes a shard's primary or backups — replicas do that — and edits learners only by
 * compare-and-set. Runs on its own thread, once a second.
 */
final class Controller implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Controller.class);
  static final long PERIOD_MS = 1_000;
  /** How long a new controller waits for nodes to join before it places `default` smaller. */
  static final long DEFAULT_KEYSPACE_WAIT_MS = 5_000;
  static final int DEFAULT_REPLICAS = 3;
  /** Stale handover requests are cleared every this many rounds (one ZooKeeper scan). */
  static final int CLEANUP_ROUNDS = 5;

  private final Coordinator coord;
  private final ClusterView view;
  private final EventLog events;
  private final ScheduledExecutorService exec =
      Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bulwark-controller");
        t.setDaemon(true);
        return t;
      });
  private final long replaceAfterMs;
  private final long balanceAfterMs;
  private final NodeLiveness liveness;
  private final NodeHealthView health;
  private ScheduledFuture<?> duty;
  private long leadingSinceMs;
  /** This term's replication policy: what it remembers starts with the term. */
  private ReplicationPolicy replication;
  private HandoverPolicy handovers;
  /** Rounds since stale handover requests were last cleared. */
  private int roundsSinceCleanup;

  Controller(Coordinator coord, ClusterView view, EventLog events, long replaceAfterMs,
      long balanceAfterMs, NodeLiveness liveness, NodeHealthView health) {
    this.coord = coord;
    this.health = health;
    this.view = view;
    this.events = events;
    this.replaceAfterMs = replaceAfterMs;
    this.balanceAfterMs = balanceAfterMs;
    this.liveness = liveness;
  }

  /** Called from Curator's thread when leadership changes. */
  synchronized void leading(boolean leading) {
    if (leading && duty == null) {
      leadingSinceMs = System.currentTimeMillis();
      ReplicationPolicy policy =
          new ReplicationPolicy(replaceAfterMs, System.nanoTime() / 1_000_000);
      replication = policy;
      handovers = new HandoverPolicy(balanceAfterMs);
      events.emit("controller", "leading=true replace-after=" + replaceAfterMs + "ms");
      duty = exec.scheduleWithFixedDelay(this::runDuties, 0, PERIOD_MS, TimeUnit.MILLISECONDS);
    } else if (!leading && duty != null) {
      duty.cancel(false);
      duty = null;
      events.emit("controller", "leading=false");
    }
  }

  private void runDuties() {
    try {
      ensureDefaultKeyspace();
      for (KeyspaceSpec spec : view.keyspaces()) {
        place(spec);
      }
      ReplicationPolicy policy;
      HandoverPolicy handoverPolicy;
      synchronized (this) {
        policy = replication;
        handoverPolicy = handovers;
      }
      restoreReplication(policy);
      askHandovers(handoverPolicy);
      if (++roundsSinceCleanup >= CLEANUP_ROUNDS) {
        roundsSinceCleanup = 0;
        clearStaleHandoverRequests();
      }
    } catch (RuntimeException e) {
      LOG.warn("event=controller-duty-failed reason=\"{}\"", e.getMessage(), e);
    }
  }

  private void ensureDefaultKeyspace() {
    if (view.keyspace(KeyspaceSpec.DEFAULT) != null
        || coord.keyspace(KeyspaceSpec.DEFAULT).isPresent()) {
      return;
    }
    int live = coord.liveNodes().size();
    boolean waited = System.currentTimeMillis() - leadingSinceMs > DEFAULT_KEYSPACE_WAIT_MS;
    if (live < DEFAULT_REPLICAS && !waited) {
      // Wait for the nodes of a starting cluster, so `default` gets its full replication.
      return;
    }
    int replicas = Math.max(1, Math.min(DEFAULT_REPLICAS, live));
    KeyspaceSpec spec = new KeyspaceSpec(KeyspaceSpec.DEFAULT,
        KeyspaceSpec.Strategy.PRIMARY_BACKUP, replicas, 16, Math.min(2, replicas),
        KeyspaceSpec.Acks.ALL);
    if (coord.createKeyspace(spec)) {
      events.emit("keyspace-created", "keyspace=default replicas=" + replicas + " shards=16");
    }
  }

  /** Creates the first configuration of every shard of {@code spec} that has none. */
  void place(KeyspaceSpec spec) {
    if (view.shards().stream().filter(c -> c.shard().keyspace().equals(spec.name())).count()
        == spec.shards()) {
      return; // The watched view already has them all: no ZooKeeper round trips needed.
    }
    List<ShardConfig> existing = coord.shardConfigs(spec.name());
    if (existing.size() == spec.shards()) {
      return;
    }
    List<String> live = new ArrayList<>();
    for (NodeRecord n : coord.liveNodes()) {
      if (n.acceptsNewReplicas()) { // DESIGN §6: no new replicas on a node low on disk
        live.add(n.id());
      }
    }
    if (live.isEmpty()) {
      return;
    }
    live.sort(null);
    for (ShardConfig c : Placement.initialConfigs(live, spec)) {
      if (coord.createShardConfig(c)) {
        view.learn(c);
        events.emit("shard-placed", "shard=" + c.shard() + " primary=" + c.primary()
            + " backups=" + c.backups());
      }
    }
  }

  /**
   * Restores replication factors by learners-only compare-and-sets, as {@link ReplicationPolicy}
   * decides: a returning former replica at once, another node only after {@code replace-after}.
   * Scans the watched view (no ZooKeeper reads); setLearners re-reads after a sync and fails if
   * the view was stale, and the next round decides again.
   */
  private void restoreReplication(ReplicationPolicy policy) {
    List<ShardConfig> shards = view.shards();
    Map<ShardId, Integer> factors = new HashMap<>();
    for (ShardConfig c : shards) {
      KeyspaceSpec spec = view.keyspace(c.shard().keyspace());
      if (spec != null) {
        factors.put(c.shard(), spec.replicas());
      }
    }
    List<String> live = new ArrayList<>();
    for (NodeRecord n : view.liveNodes()) {
      if (n.acceptsNewReplicas()) { // DESIGN §6: no new replicas on a node low on disk
        live.add(n.id());
      }
    }
    live.sort(null);
    Map<ShardId, Set<String>> dormant = new HashMap<>();
    for (NodeRecord n : view.liveNodes()) {
      n.dormant().forEach(s -> dormant.computeIfAbsent(s, k -> new TreeSet<>()).add(n.id()));
    }
    long nowMs = System.nanoTime() / 1_000_000;
    for (ReplicationPolicy.Action a
        : policy.decide(nowMs, shards, factors, live, liveness, dormant)) {
      CasResult r = coord.setLearners(a.expected(), a.learners());
      if (!r.succeeded()) {
        continue;
      }
      view.learn(r.current());
      if (a.add()) {
        events.emit("replica-added", "shard=" + a.expected().shard() + " node=" + a.node()
            + " as=learner reason=" + a.reason() + " epoch=" + a.expected().epoch());
      } else {
        events.emit("replica-removed", "shard=" + a.expected().shard() + " node=" + a.node()
            + " as=learner reason=" + a.reason() + " epoch=" + a.expected().epoch());
      }
    }
  }

  /**
   * Asks primaries to hand over, as {@link HandoverPolicy} decides: away from DEGRADED nodes
   * (DESIGN §6), and to balance the primaries over healthy nodes (DESIGN §2).
   */
  private void askHandovers(HandoverPolicy policy) {
    long nowMs = System.nanoTime() / 1_000_000;
    for (HandoverPolicy.Ask a : policy.decide(nowMs, view.shards(), health, liveness)) {
      ShardConfig c = a.config();
      String reason = a.reason().label();
      coord.requestHandover(new HandoverRequest(c.shard(), c.epoch(), a.target(), reason));
      events.emit("handover", "shard=" + c.shard() + " primary=" + c.primary() + " target="
          + a.target() + " phase=asked reason=" + reason + " epoch=" + c.epoch());
    }
  }

  /** Deletes handover requests whose epoch has passed: done, or overtaken by another change. */
  private void clearStaleHandoverRequests() {
    for (HandoverRequest r : coord.handoverRequests()) {
      ShardConfig c = view.shards().stream().filter(s -> s.shard().equals(r.shard()))
          .findFirst().orElse(null);
      if (c == null || c.epoch() > r.epoch()) {
        coord.clearHandover(r);
      }
    }
  }

  @Override
  public void close() {
    exec.shutdownNow();
  }
}

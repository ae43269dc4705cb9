package io.bulwark.server;

import io.bulwark.coord.CasResult;
import io.bulwark.coord.Coordinator;
import io.bulwark.coord.NodeRecord;
import io.bulwark.coord.Placement;
import io.bulwark.core.common.KeyspaceSpec;
import io.bulwark.core.common.ShardConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's duties while this node holds the ZooKeeper {@code LeaderLatch} (DESIGN §2,
 * §3 rule 8): create the {@code default} keyspace, place every keyspace's first shard
 * configurations, and restore replication factors by adding live nodes as learners. It never
 * changes a shard's primary or backups — replicas do that — and edits learners only by
 * compare-and-set. Runs on its own thread, once a second.
 */
final class Controller implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Controller.class);
  static final long PERIOD_MS = 1_000;
  /** How long a new controller waits for nodes to join before it places `default` smaller. */
  static final long DEFAULT_KEYSPACE_WAIT_MS = 5_000;
  static final int DEFAULT_REPLICAS = 3;

  private final Coordinator coord;
  private final ClusterView view;
  private final EventLog events;
  private final ScheduledExecutorService exec =
      Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bulwark-controller");
        t.setDaemon(true);
        return t;
      });
  private ScheduledFuture<?> duty;
  private long leadingSinceMs;

  Controller(Coordinator coord, ClusterView view, EventLog events) {
    this.coord = coord;
    this.view = view;
    this.events = events;
  }

  /** Called from Curator's thread when leadership changes. */
  synchronized void leading(boolean leading) {
    if (leading && duty == null) {
      leadingSinceMs = System.currentTimeMillis();
      events.emit("controller", "leading=true");
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
        restoreReplication(spec);
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

  /** Adds a live node as a learner to every shard below its replication factor (§3.11). */
  private void restoreReplication(KeyspaceSpec spec) {
    List<NodeRecord> live = view.liveNodes();
    // Scan the watched view (no ZooKeeper reads); setLearners re-reads after a sync and fails if
    // the view was stale, and the next round tries again.
    for (ShardConfig c : view.shards()) {
      if (!c.shard().keyspace().equals(spec.name())) {
        continue;
      }
      int replicas = c.members().size() + c.learners().size();
      if (replicas >= spec.replicas()) {
        continue;
      }
      String candidate = leastLoaded(live, c);
      if (candidate == null) {
        continue;
      }
      List<String> learners = new ArrayList<>(c.learners());
      learners.add(candidate);
      CasResult r = coord.setLearners(c, learners);
      if (r.succeeded()) {
        view.learn(r.current());
        events.emit("replica-added", "shard=" + c.shard() + " node=" + candidate
            + " as=learner epoch=" + c.epoch());
      }
    }
  }

  private String leastLoaded(List<NodeRecord> live, ShardConfig c) {
    String best = null;
    int bestLoad = Integer.MAX_VALUE;
    for (NodeRecord n : live) {
      if (c.isReplica(n.id()) || !n.acceptsNewReplicas()) {
        continue; // DESIGN §6: a node low on disk (or FAILED) takes no new replicas
      }
      int load = 0;
      for (ShardConfig other : view.shards()) {
        load += other.isReplica(n.id()) ? 1 : 0;
      }
      if (load < bestLoad || (load == bestLoad && n.id().compareTo(best) < 0)) {
        best = n.id();
        bestLoad = load;
      }
    }
    return best;
  }

  @Override
  public void close() {
    exec.shutdownNow();
  }
}

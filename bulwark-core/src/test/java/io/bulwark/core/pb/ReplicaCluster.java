package io.bulwark.core.pb;

import io.bulwark.core.common.KeyspaceSpec;
import io.bulwark.core.common.ShardConfig;
import io.bulwark.core.common.ShardId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A hand-driven cluster of {@link ShardReplica}s for unit tests: one manual clock, a message
 * queue the test delivers explicitly, links the test can cut, a compare-and-set configuration
 * store standing in for ZooKeeper, and log fsyncs that complete when the test says so (or at
 * once, by default). No threads, sleeps or sockets.
 */
final class ReplicaCluster {
  static final ShardId SHARD = new ShardId("default", 0);
  static final long MS = 1_000_000L;

  record InFlight(String from, String to, Message message) {}

  final ShardId shard;
  final ReplicaOptions opts;
  final Map<String, ShardReplica> replicas = new LinkedHashMap<>();
  final Map<String, MemoryShardStateMachine> machines = new HashMap<>();
  final Map<String, Outbox> outboxes = new HashMap<>();
  final List<InFlight> network = new ArrayList<>();
  final Set<String> cut = new HashSet<>();
  final Set<String> slowDisk = new HashSet<>();
  /**
   * Nodes whose runtime drops, before the replica sees them, messages that would write to disk
   * (ReplicatePrepares with entries, snapshot chunks): what the server's DiskGuard does below
   * {@code disk.reserve.bytes} (DESIGN §6). Beacons and empty prepares still arrive.
   */
  final Set<String> refuseWrites = new HashSet<>();
  /** Crashed nodes: they get no ticks, messages or fsyncs (and reach no ZooKeeper). */
  final Set<String> dead = new HashSet<>();
  final Map<String, List<LogEntry>> pendingDurable = new HashMap<>();
  final Map<Long, ClientReply> replies = new HashMap<>();
  final List<String> events = new ArrayList<>();
  /** {@link Effect.TxnStale} reports, oldest first, as {@code node txnId}. */
  final List<String> staleTxns = new ArrayList<>();
  ShardConfig zk;
  /** The next compare-and-set does not reach ZooKeeper: it fails and nothing is re-read. */
  boolean nextCasUnreachable;
  /** The next compare-and-set is written but its answer is lost: reported as a failure. */
  boolean nextCasReplyLost;
  long now = 1_000 * MS;
  long nextRequestId = 1;

  ReplicaCluster(KeyspaceSpec.Acks acks, String... nodes) {
    this(ReplicaOptions.defaults(1, acks), nodes);
  }

  ReplicaCluster(ReplicaOptions opts, String... nodes) {
    this(SHARD, opts, nodes);
  }

  ReplicaCluster(ShardId shard, ReplicaOptions opts, String... nodes) {
    this.shard = shard;
    this.opts = opts;
    for (String n : nodes) {
      MemoryShardStateMachine sm = new MemoryShardStateMachine();
      Outbox out = new Outbox();
      machines.put(n, sm);
      outboxes.put(n, out);
      replicas.put(n, new ShardReplica(shard, n, opts, sm, 0, 0, List.of(), out, now));
    }
  }

  ReplicaCluster(String... nodes) {
    this(KeyspaceSpec.Acks.ALL, nodes);
  }

  /** Initial placement: epoch 1 with the first node primary, observed by every replica. */
  ReplicaCluster place() {
    List<String> names = new ArrayList<>(replicas.keySet());
    zk = new ShardConfig(shard, 1, names.get(0), names.subList(1, names.size()), List.of());
    for (String n : names) {
      input(n, new Input.ConfigObserved(now, zk));
    }
    return this;
  }

  /** Places, lets the primary move to its own epoch and reconcile, and settles. */
  ReplicaCluster started() {
    place();
    tick();
    settle();
    return this;
  }

  void input(String node, Input in) {
    if (dead.contains(node)) {
      return;
    }
    replicas.get(node).handle(in);
    drain(node);
  }

  private void drain(String node) {
    for (Effect e : outboxes.get(node).drain()) {
      if (e instanceof Effect.Send s) {
        network.add(new InFlight(node, s.to(), s.message()));
      } else if (e instanceof Effect.AppendLog a) {
        pendingDurable.computeIfAbsent(node, k -> new ArrayList<>()).addAll(a.entries());
      } else if (e instanceof Effect.TruncateLog t) {
        pendingDurable.getOrDefault(node, new ArrayList<>())
            .removeIf(x -> x.index() > t.lastKeptIndex());
      } else if (e instanceof Effect.Reply r) {
        replies.put(r.requestId(), r.reply());
      } else if (e instanceof Effect.ProposeConfig p && nextCasUnreachable) {
        nextCasUnreachable = false;
        input(node, new Input.ProposalResult(now, p.next(), false));
      } else if (e instanceof Effect.ProposeConfig p && nextCasReplyLost) {
        nextCasReplyLost = false;
        if (zk != null && zk.epoch() == p.expectedEpoch()) {
          zk = p.next();
        }
        input(node, new Input.ProposalResult(now, p.next(), false));
      } else if (e instanceof Effect.ProposeConfig p) {
        boolean ok = zk != null && zk.epoch() == p.expectedEpoch();
        if (ok) {
          zk = p.next();
        }
        input(node, new Input.ProposalResult(now, p.next(), ok));
        if (!ok) {
          input(node, new Input.ConfigObserved(now, zk));
        }
      } else if (e instanceof Effect.Emit em) {
        events.add(node + " " + em.event() + " " + em.detail());
      } else if (e instanceof Effect.TxnStale st) {
        staleTxns.add(node + " " + st.txnId());
      }
    }
  }

  /** Every live replica observes the stored configuration, as a ZooKeeper watch delivers it. */
  /**
   * The controller adds {@code n} back as a learner (same epoch: only learners change), its
   * links are restored, and every replica observes the configuration.
   */
  void addLearner(String n) {
    zk = new ShardConfig(zk.shard(), zk.epoch(), zk.primary(), zk.backups(), List.of(n));
    cut.remove(n);
    observeZk();
  }

  void observeZk() {
    for (String n : replicas.keySet()) {
      input(n, new Input.ConfigObserved(now, zk));
    }
  }

  /** Completes every pending fsync except on slow disks. */
  void fsync() {
    for (String n : new ArrayList<>(pendingDurable.keySet())) {
      if (slowDisk.contains(n)) {
        continue;
      }
      fsync(n);
    }
  }

  void fsync(String n) {
    List<LogEntry> pending = pendingDurable.remove(n);
    if (pending != null && !pending.isEmpty()) {
      LogEntry last = pending.get(pending.size() - 1);
      input(n, new Input.LogDurable(now, last.index(), last.epoch()));
    }
  }

  /** Delivers every queued message whose link is not cut (dropping those that are). */
  void deliver() {
    List<InFlight> batch = new ArrayList<>(network);
    network.clear();
    for (InFlight m : batch) {
      if (cut.contains(m.from()) || cut.contains(m.to()) || !replicas.containsKey(m.to())) {
        continue;
      }
      if (refuseWrites.contains(m.to()) && writesToDisk(m.message())) {
        continue;
      }
      input(m.to(), new Input.Received(now, m.from(), m.message()));
    }
  }

  private static boolean writesToDisk(Message m) {
    return m instanceof Message.SnapshotChunk
        || m instanceof Message.ReplicatePrepare p && !p.entries().isEmpty();
  }

  /** Delivers and fsyncs until nothing is left to do (bounded). */
  void settle() {
    for (int i = 0; i < 100 && (!network.isEmpty() || hasPendingFsync()); i++) {
      fsync();
      deliver();
    }
  }

  private boolean hasPendingFsync() {
    for (Map.Entry<String, List<LogEntry>> e : pendingDurable.entrySet()) {
      if (!slowDisk.contains(e.getKey()) && !e.getValue().isEmpty()) {
        return true;
      }
    }
    return false;
  }

  void kill(String n) {
    dead.add(n);
    pendingDurable.remove(n);
  }

  void tick() {
    for (String n : replicas.keySet()) {
      input(n, new Input.Tick(now));
    }
  }

  /**
   * Advances time to {@code at}, ticking only {@code nodes} every 10 ms, as the server's loop
   * does: a replica reads a gap of more than a beacon interval between its ticks as its own
   * pause, which nobody's silence is charged with.
   */
  void tickUntil(long at, String... nodes) {
    while (now < at) {
      now = Math.min(at, now + 10 * MS);
      for (String n : nodes) {
        input(n, new Input.Tick(now));
      }
    }
  }

  /** Advances time in beacon-sized steps, ticking and settling at each. */
  void run(long nanos) {
    long end = now + nanos;
    while (now < end) {
      now = Math.min(end, now + opts.beaconNanos());
      tick();
      settle();
    }
  }

  long put(String node, String clientId, long seq, String key, String value) {
    long id = nextRequestId++;
    input(node, new Input.ClientWrite(now, id, new Command(clientId, seq, 0,
        new Op.Put(key.getBytes(), value.getBytes()))));
    return id;
  }

  long read(String node, String key) {
    long id = nextRequestId++;
    input(node, new Input.ClientRead(now, id, key.getBytes()));
    return id;
  }

  ShardReplica replica(String n) {
    return replicas.get(n);
  }

  String primaryServing() {
    for (Map.Entry<String, ShardReplica> e : replicas.entrySet()) {
      if (e.getValue().isServing(now)) {
        return e.getKey();
      }
    }
    return null;
  }

  /** Replaces a node with a fresh replica recovered from its durable log and applied state. */
  void restart(String n, List<LogEntry> durableLog) {
    Outbox out = new Outbox();
    outboxes.put(n, out);
    pendingDurable.remove(n);
    dead.remove(n);
    replicas.put(n, new ShardReplica(shard, n, opts, machines.get(n), 0, 0, durableLog, out, now));
    network.removeIf(m -> m.to().equals(n));
  }
}

package io.bulwark.core.pb;

import io.bulwark.core.common.ShardId;
import io.bulwark.core.txn.TxnCoordinator;
import io.bulwark.core.txn.TxnEffect;
import io.bulwark.core.txn.TxnInput;
import io.bulwark.core.txn.TxnOutcome;
import io.bulwark.core.txn.TxnRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A hand-driven transactional cluster for unit tests (DESIGN §5): three shards ("a", "b", "c";
 * a key's first letter names its shard), each a {@link ReplicaCluster} of nodes n1..n3, and a
 * {@link TxnCoordinator} on n1. Calls are delivered synchronously to the serving primary of
 * their shard, which is settled until it replies. A test can kill the coordinator at the moment
 * it emits a chosen call ({@link #killCoordinatorAt}); participants' {@code TxnStale} reports then
 * go to a fresh coordinator, as on the participant's own node. One manual clock for all.
 */
final class TxnCluster {
  static final long MS = ReplicaCluster.MS;
  static final long TXN_TIMEOUT = 500 * MS;

  final Map<ShardId, ReplicaCluster> shards = new LinkedHashMap<>();
  final Map<Long, TxnOutcome> outcomes = new HashMap<>();
  final List<String> events = new ArrayList<>();
  TxnCoordinator coordinator;
  /** When it matches a call, the coordinator's node dies instead of sending it. */
  Predicate<TxnEffect.Call> killCoordinatorAt = c -> false;
  boolean coordinatorDead;
  /** When it matches a call, the call is performed but its answer is lost on the way back. */
  Predicate<TxnEffect.Call> loseAnswerOf = c -> false;
  /** Where recovery runs once the coordinator died: a coordinator on another node. */
  TxnCoordinator recovery;
  final List<TxnEffect.Call> delivered = new ArrayList<>();
  private long nextRequestId = 1_000_000;
  private int staleSeen;

  TxnCluster() {
    ReplicaOptions opts = ReplicaOptions.defaults(1, io.bulwark.core.common.KeyspaceSpec.Acks.ALL)
        .withTxnTimeout(TXN_TIMEOUT);
    for (int i = 0; i < 3; i++) {
      ShardId id = new ShardId("default", i);
      shards.put(id, new ReplicaCluster(id, opts, "n1", "n2", "n3").started());
    }
    coordinator = newCoordinator("n1");
    recovery = newCoordinator("n2");
  }

  static TxnCoordinator newCoordinator(String node) {
    return new TxnCoordinator(node, TxnCluster::shardOf, TXN_TIMEOUT, 50 * MS, 8 * TXN_TIMEOUT);
  }

  static ShardId shardOf(byte[] key) {
    return new ShardId("default", key[0] - 'a');
  }

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  ReplicaCluster shard(char letter) {
    return shards.get(new ShardId("default", letter - 'a'));
  }

  long now() {
    return shard('a').now;
  }

  /** Sends a commit to the coordinator and runs the protocol as far as it goes right now. */
  long commit(TxnRequest txn) {
    long id = nextRequestId++;
    coordinator.handle(new TxnInput.Commit(now(), id, txn));
    pump();
    return id;
  }

  /** Writes {@code key} plainly through its shard's primary; returns the reply. */
  ClientReply put(String key, String value) {
    ReplicaCluster c = shards.get(shardOf(b(key)));
    long id = c.nextRequestId++;
    c.input(c.primaryServing(), new Input.ClientWrite(c.now, id,
        new Command("plain", id, 0, new Op.Put(b(key), b(value)))));
    c.settle();
    return c.replies.get(id);
  }

  /** Reads {@code key} at its shard's primary. */
  ClientReply read(String key) {
    ReplicaCluster c = shards.get(shardOf(b(key)));
    long id = c.nextRequestId++;
    c.input(c.primaryServing(), new Input.ClientRead(c.now, id, b(key)));
    return c.replies.get(id);
  }

  /** The committed value of {@code key} on every replica: all must agree. */
  String valueEverywhere(String key) {
    ReplicaCluster c = shards.get(shardOf(b(key)));
    String seen = null;
    boolean first = true;
    for (MemoryShardStateMachine sm : c.machines.values()) {
      Versioned v = sm.get(b(key));
      String s = v == null ? null : new String(v.value(), StandardCharsets.UTF_8);
      if (!first && !java.util.Objects.equals(seen, s)) {
        throw new AssertionError("replicas disagree on " + key + ": " + seen + " vs " + s);
      }
      seen = s;
      first = false;
    }
    return seen;
  }

  /** Transactions still holding intents or read locks, on any replica of any shard. */
  int unresolved() {
    int n = 0;
    for (ReplicaCluster c : shards.values()) {
      for (MemoryShardStateMachine sm : c.machines.values()) {
        n += sm.preparedTxns().size();
      }
    }
    return n;
  }

  /** Advances time in steps of 10 ms: replicas tick and settle, coordinators tick. */
  void run(long nanos) {
    long end = now() + nanos;
    while (now() < end) {
      for (ReplicaCluster c : shards.values()) {
        c.now = Math.min(end, c.now + 10 * MS);
        c.tick();
        c.settle();
      }
      routeStale();
      if (!coordinatorDead) {
        coordinator.handle(new TxnInput.Tick(now()));
      }
      recovery.handle(new TxnInput.Tick(now()));
      pump();
    }
  }

  /** Participants' stale reports go to the recovery coordinator (on a live node). */
  private void routeStale() {
    List<String[]> fresh = new ArrayList<>();
    for (ReplicaCluster c : shards.values()) {
      for (String s : c.staleTxns) {
        fresh.add(new String[] {String.valueOf(c.shard.shard()), s.split(" ")[1]});
      }
      c.staleTxns.clear();
    }
    for (String[] f : fresh) {
      staleSeen++;
      ShardId participant = new ShardId("default", Integer.parseInt(f[0]));
      String txnId = f[1];
      byte[] recordKey = recordKeyOf(participant, txnId);
      recovery.handle(new TxnInput.Recover(now(), txnId, recordKey, participant));
    }
  }

  private byte[] recordKeyOf(ShardId participant, String txnId) {
    for (PreparedTxn t : shards.get(participant).machines.get("n1").preparedTxns()) {
      if (t.txnId().equals(txnId)) {
        return t.recordKey();
      }
    }
    for (MemoryShardStateMachine sm : shards.get(participant).machines.values()) {
      for (PreparedTxn t : sm.preparedTxns()) {
        if (t.txnId().equals(txnId)) {
          return t.recordKey();
        }
      }
    }
    throw new AssertionError("stale " + txnId + " is prepared nowhere in " + participant);
  }

  int staleReports() {
    return staleSeen;
  }

  /** Delivers the coordinators' calls until none is left. */
  void pump() {
    for (int i = 0; i < 1000; i++) {
      boolean any = false;
      if (!coordinatorDead) {
        any |= perform(coordinator, coordinator.drain());
      }
      any |= perform(recovery, recovery.drain());
      if (!any) {
        return;
      }
    }
    throw new AssertionError("coordinators never went quiet");
  }

  private boolean perform(TxnCoordinator who, List<TxnEffect> effects) {
    for (TxnEffect e : effects) {
      if (e instanceof TxnEffect.Reply r) {
        outcomes.put(r.requestId(), r.outcome());
      } else if (e instanceof TxnEffect.Emit em) {
        events.add(em.event() + " " + em.detail());
      } else if (e instanceof TxnEffect.Call call) {
        if (who == coordinator && killCoordinatorAt.test(call)) {
          coordinatorDead = true;
          return true;
        }
        if (who == coordinator && coordinatorDead) {
          return true;
        }
        delivered.add(call);
        ClientReply reply = deliver(call);
        if (loseAnswerOf.test(call)) {
          reply = new ClientReply.Indeterminate("answer lost");
        }
        who.handle(new TxnInput.CallReply(now(), call.callId(), reply));
      }
    }
    return !effects.isEmpty();
  }

  /** One call to its shard's serving primary, settled until answered. */
  ClientReply deliver(TxnEffect.Call call) {
    ReplicaCluster c = shards.get(call.shard());
    String primary = c.primaryServing();
    if (primary == null) {
      return new ClientReply.Refused(ClientReply.Refusal.UNAVAILABLE, "no primary", null);
    }
    long id = c.nextRequestId++;
    if (call.call() instanceof TxnEffect.Write w) {
      c.input(primary, new Input.ClientWrite(c.now, id, w.command()));
    } else {
      c.input(primary, new Input.TxnResolve(c.now, id,
          ((TxnEffect.Resolve) call.call()).txnId()));
    }
    c.settle();
    ClientReply r = c.replies.get(id);
    return r != null ? r : new ClientReply.Indeterminate("no reply");
  }

  /** The status of {@code txnId}'s record on the primary of {@code letter}'s shard, or null. */
  TxnResult.Status record(char letter, String txnId) {
    TxnRecord r = shard(letter).machines.get("n1").txnRecord(txnId);
    return r == null ? null : r.status();
  }
}

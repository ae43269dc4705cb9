package io.bulwark.sim;

import io.bulwark.check.history.MicroOp;
import io.bulwark.check.history.Op;
import io.bulwark.check.history.OpFunction;
import io.bulwark.check.history.OpType;
import io.bulwark.check.history.OpValue;
import io.bulwark.core.common.ShardConfig;
import io.bulwark.core.common.ShardId;
import io.bulwark.core.pb.ClientReply;
import io.bulwark.core.pb.Input;
import io.bulwark.core.pb.TxnResult;
import io.bulwark.core.pb.Versioned;
import io.bulwark.core.txn.TxnOutcome;
import io.bulwark.core.txn.TxnRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * One transactional client, doing what bulwark-client's {@code Transaction} does (DESIGN §5):
 * it reads each key through the ordinary linearizable read path, recording the version (0 when
 * absent; on an intent, the committed value and its version — the prepare then votes NO unless
 * that is still current), buffers its writes, and sends one commit to a coordinator: the node
 * ZooKeeper names primary of the record shard. A commit that is not answered (the coordinator's
 * node died, or gave up) is resolved by asking the record shard's primary ({@code TxnResolve})
 * until the record is final, which recovery guarantees within about txn-timeout.
 *
 * <p>History (DESIGN §9): the txn is invoked once its reads are done (a bank transfer's writes
 * depend on what it read, and the invoke must name them); {@code ok} if the record (or the
 * one-phase entry) COMMITTED, {@code fail} if ABORTED, {@code info} if no definite answer came
 * within the deadline. The checker does not use real time, so invoking after the reads loses
 * nothing it judges.
 */
final class SimTxnClient extends SimClientBase<SimTxnClient.Workload> {

  /** What a transaction reads, and how its writes follow from what it read. */
  record Plan(String kind, List<String> reads, Function<Map<String, String>, Map<String, String>>
      writes) {}

  /** Where a client gets its transactions and reports their outcomes. */
  interface Workload {
    /** The next transaction for this client, or null to stay idle for now. */
    Plan next(SimTxnClient client);

    /**
     * The transaction ended: {@code outcome} null if it was abandoned before its invoke (its
     * reads never completed); {@code microOps} are the completion's (reads with values).
     */
    void completed(SimTxnClient client, Plan plan, OpType outcome, List<MicroOp> microOps);
  }

  private static final long BACKOFF_BASE_NANOS = 2 * SimTime.MS;
  private static final long BACKOFF_MAX_NANOS = 200 * SimTime.MS;
  private static final long RESOLVE_INTERVAL_NANOS = 100 * SimTime.MS;
  private static final long IDLE_POLL_NANOS = 50 * SimTime.MS;

  private final class Current {
    final Plan plan;
    final long deadlineNanos;
    final Map<String, String> values = new LinkedHashMap<>();
    final Map<String, Long> versions = new LinkedHashMap<>();
    int nextRead;
    int retries;
    Op invoke;
    List<MicroOp> microOps;
    TxnRequest request;
    boolean resolving;
    long resolveDeadlineNanos;

    Current(Plan plan, long deadlineNanos) {
      this.plan = plan;
      this.deadlineNanos = deadlineNanos;
    }
  }

  private final SimCoord coord;
  private long seq;
  private Current current;

  SimTxnClient(String clientId, SimScheduler scheduler, SplittableRandom random, SimKnobs knobs,
      SimNetwork network, List<SimNode> nodes, SimCoord coord, SimHistory history,
      SimTrace trace, SimKeys keys) {
    super(clientId, scheduler, random, knobs, network, nodes, history, trace, keys);
    this.coord = coord;
  }

  @Override
  boolean isBusy() {
    return current != null;
  }

  @Override
  boolean startNext() {
    Plan next = workload.next(this);
    if (next == null) {
      return false;
    }
    current = new Current(next, scheduler.nowNanos() + knobs.clientOpDeadlineNanos);
    readNext();
    return true;
  }

  /** Idle: the workload may have work later (the final audit waits for the others). */
  @Override
  void onIdle() {
    wake(IDLE_POLL_NANOS);
  }

  // ------------------------------------------------------------ reads

  private void readNext() {
    Current c = current;
    if (c.nextRead == c.plan.reads().size()) {
      invokeAndCommit();
      return;
    }
    if (scheduler.nowNanos() >= c.deadlineNanos) {
      abandon("reads did not complete before the deadline");
      return;
    }
    String key = c.plan.reads().get(c.nextRead);
    int a = ++attempt;
    ShardId shard = keys.shardOf(key);
    SimNode target = primaryOf(shard);
    byte[] k = keys.bytes(key);
    network.rpc(() -> target.request(shard, false, (id, now) -> new Input.ClientRead(now, id, k),
        reply -> network.rpc(() -> onRead(a, key, reply))));
    scheduler.after(knobs.clientAttemptTimeoutNanos, () -> {
      if (a == attempt && current == c) {
        attempt++;
        retryRead(c);
      }
    });
  }

  private void onRead(int a, String key, ClientReply reply) {
    if (a != attempt || current == null) {
      return;
    }
    attempt++;
    Current c = current;
    Versioned v = null;
    if (reply instanceof ClientReply.ReadValue rv) {
      v = rv.value();
    } else if (reply instanceof ClientReply.IntentFound f) {
      // The committed value: the prepare votes NO unless it is still current (DESIGN §5).
      v = f.committed();
      trace.count("client:txn-read-met-intent");
    } else {
      retryRead(c);
      return;
    }
    c.values.put(key, v == null ? null : new String(v.value(), StandardCharsets.UTF_8));
    c.versions.put(key, v == null ? 0 : v.version());
    c.nextRead++;
    readNext();
  }

  private void retryRead(Current c) {
    scheduler.after(backoff(c), () -> {
      if (current == c) {
        readNext();
      }
    });
  }

  private long backoff(Current c) {
    long b = Math.min(BACKOFF_MAX_NANOS, BACKOFF_BASE_NANOS << Math.min(c.retries, 10));
    c.retries++;
    return b / 2 + random.nextLong(b / 2 + 1);
  }

  private void abandon(String why) {
    Current c = current;
    current = null;
    trace.record(clientId, "client:txn:abandoned", c.plan.kind() + " " + why);
    workload.completed(this, c.plan, null, List.of());
    wake(think());
  }

  // ------------------------------------------------------------ commit

  private void invokeAndCommit() {
    Current c = current;
    Map<String, String> writes = c.plan.writes().apply(c.values);
    List<MicroOp> invokeOps = new ArrayList<>();
    List<MicroOp> doneOps = new ArrayList<>();
    List<io.bulwark.core.pb.Op.TxnRead> reads = new ArrayList<>();
    List<io.bulwark.core.pb.Op.TxnWrite> txnWrites = new ArrayList<>();
    for (String k : c.plan.reads()) {
      invokeOps.add(MicroOp.read(k, null));
      doneOps.add(MicroOp.read(k, c.values.get(k)));
      reads.add(new io.bulwark.core.pb.Op.TxnRead(keys.bytes(k), c.versions.get(k)));
    }
    writes.forEach((k, v) -> {
      invokeOps.add(MicroOp.write(k, v));
      doneOps.add(MicroOp.write(k, v));
      txnWrites.add(new io.bulwark.core.pb.Op.TxnWrite(keys.bytes(k), keys.bytes(v)));
    });
    c.microOps = doneOps;
    seq++;
    c.request = new TxnRequest(clientId + ":" + seq, reads, txnWrites);
    c.invoke = new Op(process, OpType.INVOKE, OpFunction.TXN, null, new OpValue.Txn(invokeOps),
        scheduler.nowNanos());
    history.append(c.invoke);
    ShardId recordShard = shardOfBytes(c.request.recordKey());
    SimNode coordinator = primaryOf(recordShard);
    int a = ++attempt;
    network.rpc(() -> coordinator.commitTxn(c.request,
        outcome -> network.rpc(() -> onOutcome(a, outcome))));
    // The commit's deadline, as a real client's RPC has: past it the record answers, the
    // coordinator (alive or not) being no longer needed.
    scheduler.after(knobs.clientOpDeadlineNanos, () -> {
      if (a == attempt && current == c) {
        attempt++;
        startResolving(c, "no answer from coordinator " + coordinator.id());
      }
    });
  }

  private void onOutcome(int a, TxnOutcome o) {
    if (a != attempt || current == null) {
      return;
    }
    attempt++;
    Current c = current;
    switch (o.status()) {
      case COMMITTED -> finish(OpType.OK, "committed");
      case ABORTED -> finish(OpType.FAIL, o.reason());
      default -> startResolving(c, o.reason());
    }
  }

  /**
   * No definite answer from the coordinator. A one-phase transaction has no record: its outcome
   * is its prepare entry's, so the client sends the same commit again (same txn id, hence the
   * same dedup identity: it applies at most once). Otherwise it asks the record shard until the
   * record is final.
   */
  private void startResolving(Current c, String why) {
    c.resolving = true;
    c.resolveDeadlineNanos = scheduler.nowNanos() + SimRun.LIVENESS_BOUND_NANOS;
    trace.record(clientId, "client:txn:resolving", c.request.txnId() + " " + why);
    resolve(c);
  }

  private boolean onePhase(TxnRequest r) {
    ShardId first = shardOfBytes(r.recordKey());
    return r.reads().stream().allMatch(x -> shardOfBytes(x.key()).equals(first))
        && r.writes().stream().allMatch(x -> shardOfBytes(x.key()).equals(first));
  }

  private void resolve(Current c) {
    if (current != c) {
      return;
    }
    if (scheduler.nowNanos() >= c.resolveDeadlineNanos) {
      finish(OpType.INFO, "the outcome stayed unknown");
      return;
    }
    if (onePhase(c.request)) {
      recommit(c);
      return;
    }
    int a = ++attempt;
    ShardId shard = shardOfBytes(c.request.recordKey());
    SimNode target = primaryOf(shard);
    String txnId = c.request.txnId();
    network.rpc(() -> target.request(shard, true, (id, now) -> new Input.TxnResolve(now, id,
        txnId), reply -> network.rpc(() -> onResolved(a, reply))));
    scheduler.after(RESOLVE_INTERVAL_NANOS + random.nextLong(RESOLVE_INTERVAL_NANOS), () -> {
      if (a == attempt && current == c) {
        attempt++;
        resolve(c);
      }
    });
  }

  private void recommit(Current c) {
    int a = ++attempt;
    SimNode coordinator = primaryOf(shardOfBytes(c.request.recordKey()));
    network.rpc(() -> coordinator.commitTxn(c.request, outcome -> network.rpc(() -> {
      if (a == attempt && current == c && outcome.status() != TxnOutcome.Status.UNKNOWN) {
        onOutcome(a, outcome);
      }
    })));
    scheduler.after(knobs.clientAttemptTimeoutNanos + RESOLVE_INTERVAL_NANOS, () -> {
      if (a == attempt && current == c) {
        attempt++;
        resolve(c);
      }
    });
  }

  private void onResolved(int a, ClientReply reply) {
    if (a != attempt || current == null) {
      return;
    }
    TxnResult.Status s = null;
    if (reply instanceof ClientReply.TxnStatusIs st) {
      s = st.status();
    } else if (reply instanceof ClientReply.Written w && w.outcome().txn() != null) {
      s = w.outcome().txn().status();
    }
    if (s == TxnResult.Status.COMMITTED) {
      attempt++;
      finish(OpType.OK, "record committed");
    } else if (s == TxnResult.Status.ABORTED) {
      attempt++;
      finish(OpType.FAIL, "record aborted");
    }
    // Otherwise PENDING or no answer: the scheduled retry asks again.
  }

  private void finish(OpType type, String why) {
    Current c = current;
    current = null;
    OpValue value = type == OpType.OK ? new OpValue.Txn(c.microOps) : c.invoke.value();
    history.append(c.invoke.complete(type, value, scheduler.nowNanos()));
    trace.record(clientId + "/p" + process, "client:txn:" + type.jsonName(), c.plan.kind() + " "
        + c.request.txnId() + " " + why);
    if (type == OpType.INFO) {
      process = history.newProcess();
    }
    workload.completed(this, c.plan, type, c.microOps);
    wake(think());
  }

  // ------------------------------------------------------------ routing

  private ShardId shardOfBytes(byte[] key) {
    return keys.shardOf(new String(key, StandardCharsets.UTF_8));
  }

  /** The node ZooKeeper names primary of {@code shard} (a client's locate), else any node. */
  private SimNode primaryOf(ShardId shard) {
    ShardConfig c = coord.config(shard);
    if (c != null) {
      for (SimNode n : nodes) {
        if (n.id().equals(c.primary())) {
          return n;
        }
      }
    }
    return nodes.get(random.nextInt(nodes.size()));
  }
}

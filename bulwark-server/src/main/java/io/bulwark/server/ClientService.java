package io.bulwark.server;

import com.google.protobuf.ByteString;
import io.bulwark.coord.CoordinationException;
import io.bulwark.coord.Coordinator;
import io.bulwark.coord.HandoverRequest;
import io.bulwark.coord.NodeRecord;
import io.bulwark.core.common.KeyspaceSpec;
import io.bulwark.core.common.Limits;
import io.bulwark.core.common.ShardConfig;
import io.bulwark.core.common.ShardId;
import io.bulwark.core.pb.ClientReply;
import io.bulwark.core.pb.Command;
import io.bulwark.core.pb.Input;
import io.bulwark.core.pb.KeyValue;
import io.bulwark.core.pb.LearnerProgress;
import io.bulwark.core.pb.Op;
import io.bulwark.core.pb.Outcome;
import io.bulwark.core.pb.TxnResult;
import io.bulwark.core.pb.TxnRules;
import io.bulwark.core.pb.Versioned;
import io.bulwark.core.txn.TxnEffect;
import io.bulwark.core.txn.TxnRequest;
import io.bulwark.proto.Codec;
import io.bulwark.proto.v1.CommitTxnReply;
import io.bulwark.proto.v1.CommitTxnRequest;
import io.bulwark.proto.v1.ResolveTxnReply;
import io.bulwark.proto.v1.ResolveTxnRequest;
import io.bulwark.proto.v1.TxnReadMsg;
import io.bulwark.proto.v1.TxnStepReply;
import io.bulwark.proto.v1.TxnStepRequest;
import io.bulwark.proto.v1.TxnWriteMsg;
import io.bulwark.proto.v1.BulwarkGrpc;
import io.bulwark.proto.v1.CasRequest;
import io.bulwark.proto.v1.CreateKeyspaceRequest;
import io.bulwark.proto.v1.DeleteRequest;
import io.bulwark.proto.v1.DescribeKeyspaceRequest;
import io.bulwark.proto.v1.DropKeyspaceReply;
import io.bulwark.proto.v1.DropKeyspaceRequest;
import io.bulwark.proto.v1.ErrorCode;
import io.bulwark.proto.v1.GetReply;
import io.bulwark.proto.v1.GetRequest;
import io.bulwark.proto.v1.HandOverReply;
import io.bulwark.proto.v1.HandOverRequest;
import io.bulwark.proto.v1.KeyValueMsg;
import io.bulwark.proto.v1.KeyspaceReply;
import io.bulwark.proto.v1.KeyspaceSpecMsg;
import io.bulwark.proto.v1.ListKeyspacesReply;
import io.bulwark.proto.v1.ListKeyspacesRequest;
import io.bulwark.proto.v1.LocateReply;
import io.bulwark.proto.v1.LocateRequest;
import io.bulwark.proto.v1.NodeInfo;
import io.bulwark.proto.v1.PutRequest;
import io.bulwark.proto.v1.RequestId;
import io.bulwark.proto.v1.ScanReply;
import io.bulwark.proto.v1.ScanRequest;
import io.bulwark.proto.v1.SessionReply;
import io.bulwark.proto.v1.SessionRequest;
import io.bulwark.proto.v1.ShardInfo;
import io.bulwark.proto.v1.StatusReply;
import io.bulwark.proto.v1.StatusRequest;
import io.bulwark.proto.v1.WriteReply;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client API ({@code api.proto}). Validates every request at the edge — unknown keyspace,
 * empty or oversized key or value, a node short of disk — and refuses it with a clear error
 * before it reaches a replica; everything else is decided by the shard's replica on the
 * {@link ReplicaLoop}. Handlers never block a gRPC thread: replies complete asynchronously.
 */
final class ClientService extends BulwarkGrpc.BulwarkImplBase {
  private static final Logger LOG = LoggerFactory.getLogger(ClientService.class);
  private final String self;
  private final ReplicaLoop loop;
  private final ClusterView view;
  private final Coordinator coord;
  private final Controller controller;
  private final DiskGuard disk;
  private final Metrics metrics;
  private final Limits limits;
  private final TxnRuntime txns;
  private final ShardCaller caller;

  /**
   * Most keys (reads plus writes) in one transaction: each participant's share is one log entry,
   * bounded like a single write (docs/transactions.md, Limits).
   */
  static final int TXN_KEYS_MAX = 256;
  /** Longest transaction id: it names the transaction's dedup rows in every shard. */
  static final int TXN_ID_BYTES_MAX = 200;
  /** Times a read re-reads a key after applying a committed intent it met (then UNAVAILABLE). */
  static final int INTENT_READS_MAX = 3;

  ClientService(String self, ReplicaLoop loop, ClusterView view, Coordinator coord,
      Controller controller, DiskGuard disk, Metrics metrics, Limits limits, TxnRuntime txns,
      ShardCaller caller) {
    this.self = self;
    this.loop = loop;
    this.view = view;
    this.coord = coord;
    this.controller = controller;
    this.disk = disk;
    this.metrics = metrics;
    this.limits = limits;
    this.txns = txns;
    this.caller = caller;
  }

  /**
   * Runs the admin calls, which may wait for ZooKeeper. The server runs every handler on the
   * network thread that read the call (a hand-off to an executor for each request costs a
   * thread wake-up, measured in issue 7's profile); the data handlers never block (they validate
   * and queue for the replica loop), and the admin handlers move their work here.
   */
  private final Executor admin = adminExecutor();

  private static Executor adminExecutor() {
    ThreadPoolExecutor pool = new ThreadPoolExecutor(4, 4, 30, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), r -> {
          Thread t = new Thread(r, "bulwark-admin");
          t.setDaemon(true);
          return t;
        });
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  /** Runs an admin handler off the network thread; an unexpected failure fails the call. */
  private <T> void offload(String op, StreamObserver<T> reply, Runnable handler) {
    admin.execute(() -> {
      try {
        handler.run();
      } catch (RuntimeException e) {
        LOG.warn("event=admin-call-failed op={}", op, e);
        reply.onError(Status.INTERNAL.withDescription(op + " failed: " + e).asRuntimeException());
      }
    });
  }

  // ------------------------------------------------------------------ writes

  @Override
  public void put(PutRequest req, StreamObserver<WriteReply> reply) {
    write("put", req.getKeyspace(), req.getKey(), req.getValue().toByteArray(), req.getId(),
        new Op.Put(req.getKey().toByteArray(), req.getValue().toByteArray()), reply);
  }

  @Override
  public void delete(DeleteRequest req, StreamObserver<WriteReply> reply) {
    write("delete", req.getKeyspace(), req.getKey(), null, req.getId(),
        new Op.Delete(req.getKey().toByteArray()), reply);
  }

  @Override
  public void compareAndSet(CasRequest req, StreamObserver<WriteReply> reply) {
    byte[] expected = req.hasExpectedValue() ? req.getExpectedValue().toByteArray() : null;
    byte[] next = req.hasNewValue() ? req.getNewValue().toByteArray() : null;
    if (expected != null && expected.length > limits.valueSizeBytesMax()) {
      fail(reply, "cas", ErrorCode.INVALID_ARGUMENT, "expected value is " + expected.length
          + " bytes; the limit is " + limits.valueSizeBytesMax() + " bytes");
      return;
    }
    write("cas", req.getKeyspace(), req.getKey(), next, req.getId(),
        new Op.Cas(req.getKey().toByteArray(), expected, req.getExpectedVersion(), next), reply);
  }

  private void write(String opName, String keyspace, ByteString key, byte[] value, RequestId id,
      Op op, StreamObserver<WriteReply> reply) {
    long start = System.nanoTime();
    KeyspaceSpec spec = keyspaceOrFail(keyspace, opName, reply);
    if (spec == null) {
      return;
    }
    String invalid = limits.checkWrite(key.toByteArray(), value);
    if (invalid != null) {
      fail(reply, opName, ErrorCode.INVALID_ARGUMENT, invalid);
      return;
    }
    ShardId shard = new ShardId(keyspace, spec.shardOf(key.toByteArray()));
    String diskRefusal = diskRefusalAsPrimaryOf(shard);
    if (diskRefusal != null) {
      fail(reply, opName, ErrorCode.DISK_FULL, diskRefusal);
      return;
    }
    String clientId = id.getClientId().isEmpty() ? "anonymous-" + UUID.randomUUID()
        : id.getClientId();
    long seq = id.getClientId().isEmpty() ? 1 : id.getSeq();
    Command cmd = new Command(clientId, seq, id.getFirstUnackedSeq(), op);
    loop.request(shard, true, (rid, now) -> new Input.ClientWrite(now, rid, cmd), r -> {
      if (r instanceof ClientReply.Written w
          && w.outcome().txn() != null && w.outcome().txn().status() == TxnResult.Status.LOCKED) {
        // §5: the key was locked between append and apply; this request never applies.
        fail(reply, opName, ErrorCode.LOCKED, w.outcome().txn().reason() + "; retry as a new "
            + "request after a backoff");
      } else if (r instanceof ClientReply.Written w) {
        Outcome o = w.outcome();
        WriteReply.Builder b = WriteReply.newBuilder().setApplied(o.applied())
            .setVersion(o.version());
        if (o.current() != null) {
          b.setCurrentValue(ByteString.copyFrom(o.current()));
        }
        ok(reply, opName, start, b.build());
      } else {
        refuse(reply, opName, shard, r);
      }
    });
  }

  /** Puts and gets pipelined on one stream, each served as its unary call is. */
  @Override
  public StreamObserver<SessionRequest> session(StreamObserver<SessionReply> reply) {
    return new ClientSession(this, (ServerCallStreamObserver<SessionReply>) reply);
  }

  // ------------------------------------------------------------------ reads

  @Override
  public void get(GetRequest req, StreamObserver<GetReply> reply) {
    long start = System.nanoTime();
    KeyspaceSpec spec = keyspaceOrFail(req.getKeyspace(), "get", reply);
    if (spec == null) {
      return;
    }
    byte[] key = req.getKey().toByteArray();
    String invalid = limits.checkKey(key);
    if (invalid != null) {
      fail(reply, "get", ErrorCode.INVALID_ARGUMENT, invalid);
      return;
    }
    ShardId shard = new ShardId(spec.name(), spec.shardOf(key));
    read(spec, shard, key, 0, start, reply);
  }

  private void read(KeyspaceSpec spec, ShardId shard, byte[] key, int intentsMet, long start,
      StreamObserver<GetReply> reply) {
    loop.request(shard, false, (rid, now) -> new Input.ClientRead(now, rid, key), r -> {
      if (r instanceof ClientReply.ReadValue rv) {
        ok(reply, "get", start, getReply(rv.value()));
      } else if (r instanceof ClientReply.IntentFound found && intentsMet < INTENT_READS_MAX) {
        readPastIntent(spec, shard, key, found, intentsMet, start, reply);
      } else if (r instanceof ClientReply.IntentFound) {
        fail(reply, "get", ErrorCode.UNAVAILABLE, "key keeps meeting transaction intents; retry");
      } else {
        refuse(reply, "get", shard, r);
      }
    });
  }

  /**
   * §5, reads meet intents: asks the intent's record. COMMITTED: applies the intent here
   * ({@code TxnCommit} as a recovery would: the coordinator's later one is then a no-op) and
   * reads again; ABORTED or PENDING: the last committed value is the answer, since the intent
   * keeps every other writer out until its transaction commits.
   */
  private void readPastIntent(KeyspaceSpec spec, ShardId shard, byte[] key,
      ClientReply.IntentFound found, int intentsMet, long start, StreamObserver<GetReply> reply) {
    String txnId = found.intent().txnId();
    ShardId recordShard = new ShardId(spec.name(), spec.shardOf(found.intent().recordKey()));
    caller.call(recordShard, new TxnEffect.Resolve(txnId), rr -> {
      TxnResult.Status status = TxnWire.resolved(rr);
      if (status == null) {
        fail(reply, "get", ErrorCode.UNAVAILABLE, "the key holds an "
            + "intent of transaction " + txnId + " whose record shard " + recordShard
            + " did not answer; retry");
      } else if (status == TxnResult.Status.COMMITTED) {
        // Logged as a recovery (its own phase, above the coordinator's), which it is.
        Command commit = new Command(Op.txnClientId(txnId), Op.TXN_PHASE_RECOVER,
            Op.TXN_PHASE_RECOVER, new Op.TxnCommit(txnId));
        caller.local(shard, new TxnEffect.Write(commit),
            w -> read(spec, shard, key, intentsMet + 1, start, reply));
      } else {
        ok(reply, "get", start, getReply(found.committed()));
      }
    });
  }

  private static GetReply getReply(Versioned v) {
    GetReply.Builder b = GetReply.newBuilder().setFound(v != null);
    if (v != null) {
      b.setValue(ByteString.copyFrom(v.value())).setVersion(v.version());
    }
    return b.build();
  }

  // ------------------------------------------------------------------ transactions

  /** Validates a commit at the edge and hands it to this node's coordinator (DESIGN §5). */
  @Override
  public void commitTxn(CommitTxnRequest req, StreamObserver<CommitTxnReply> reply) {
    long start = System.nanoTime();
    KeyspaceSpec spec = keyspaceOrFail(req.getKeyspace(), "txn", reply);
    if (spec == null) {
      return;
    }
    String invalid = checkTxnId(req.getTxnId());
    if (invalid == null) {
      invalid = checkTxn(req);
    }
    if (invalid != null) {
      fail(reply, "txn", ErrorCode.INVALID_ARGUMENT, invalid);
      return;
    }
    TxnRequest txn = TxnWire.request(req);
    // The record's creation would be refused here (ShardCaller) and the transaction abort only
    // after the txn-timeout: say why at once, as a plain write does.
    String diskRefusal = diskRefusalAsPrimaryOf(
        new ShardId(spec.name(), spec.shardOf(txn.recordKey())));
    if (diskRefusal != null) {
      fail(reply, "txn", ErrorCode.DISK_FULL, diskRefusal);
      return;
    }
    txns.commit(spec.name(), txn,
        outcome -> ok(reply, "txn", start, TxnWire.commitReply(outcome)));
  }

  private String checkTxn(CommitTxnRequest req) {
    int keys = req.getReadsCount() + req.getWritesCount();
    if (keys == 0) {
      return "a transaction reads or writes at least one key";
    }
    if (keys > TXN_KEYS_MAX) {
      return "a transaction has at most " + TXN_KEYS_MAX + " keys (reads plus writes); this one "
          + "has " + keys;
    }
    Set<ByteString> read = new java.util.HashSet<>();
    for (TxnReadMsg r : req.getReadsList()) {
      String invalid = limits.checkKey(r.getKey().toByteArray());
      if (invalid != null || !read.add(r.getKey())) {
        return invalid != null ? invalid : "key " + r.getKey().toStringUtf8() + " is read twice";
      }
    }
    Set<ByteString> written = new java.util.HashSet<>();
    long bytes = 0;
    for (TxnWriteMsg w : req.getWritesList()) {
      byte[] value = w.hasValue() ? w.getValue().toByteArray() : null;
      String invalid = limits.checkWrite(w.getKey().toByteArray(), value);
      if (invalid != null || !written.add(w.getKey())) {
        return invalid != null ? invalid : "key " + w.getKey().toStringUtf8() + " is written twice";
      }
      bytes += w.getKey().size() + (value == null ? 0 : value.length);
    }
    if (bytes > limits.valueSizeBytesMax()) {
      return "a transaction writes at most " + limits.valueSizeBytesMax() + " bytes of keys and "
          + "values (the limit of one write); this one writes " + bytes;
    }
    return null;
  }

  private static String checkTxnId(String txnId) {
    if (txnId.isEmpty() || txnId.indexOf('\0') >= 0) {
      return "txn_id must be non-empty and must not contain U+0000";
    }
    int bytes = txnId.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    return bytes > TXN_ID_BYTES_MAX ? "txn_id is " + bytes + " bytes; the limit is "
        + TXN_ID_BYTES_MAX : null;
  }

  /** The record's status, from this node's replica of the record shard (DESIGN §5). */
  @Override
  public void resolveTxn(ResolveTxnRequest req, StreamObserver<ResolveTxnReply> reply) {
    long start = System.nanoTime();
    KeyspaceSpec spec = keyspaceOrFail(req.getKeyspace(), "resolve", reply);
    if (spec == null) {
      return;
    }
    String invalid = checkTxnId(req.getTxnId());
    if (invalid == null && req.hasShard() && req.getShard() >= spec.shards()) {
      invalid = "keyspace " + spec.name() + " has no shard " + req.getShard();
    }
    if (invalid != null) {
      fail(reply, "resolve", ErrorCode.INVALID_ARGUMENT, invalid);
      return;
    }
    ShardId shard = new ShardId(spec.name(), req.hasShard() ? req.getShard()
        : spec.shardOf(req.getRecordKey().toByteArray()));
    caller.local(shard, new TxnEffect.Resolve(req.getTxnId()), r -> {
      TxnResult.Status status = TxnWire.resolved(r);
      if (status != null) {
        ok(reply, "resolve", start, TxnWire.resolveReply(status));
      } else {
        refuse(reply, "resolve", shard, r);
      }
    });
  }

  /** A coordinator on another node asks this node's replica to log a transaction command. */
  @Override
  public void txnStep(TxnStepRequest req, StreamObserver<TxnStepReply> reply) {
    long start = System.nanoTime();
    KeyspaceSpec spec = keyspaceOrFail(req.getKeyspace(), "txn-step", reply);
    if (spec == null) {
      return;
    }
    Command cmd;
    try {
      cmd = Codec.fromProto(req.getCommand());
    } catch (RuntimeException e) {
      fail(reply, "txn-step", ErrorCode.INVALID_ARGUMENT, "undecodable command: " + e.getMessage());
      return;
    }
    if (req.getShard() >= spec.shards() || !Op.isTxnClientId(cmd.clientId())
        || TxnRules.plainWriteKey(cmd.op()) != null || cmd.op() instanceof Op.Noop) {
      fail(reply, "txn-step", ErrorCode.INVALID_ARGUMENT, "TxnStep takes a transaction command "
          + "(client id txn/...) for a shard of the keyspace");
      return;
    }
    ShardId shard = new ShardId(spec.name(), req.getShard());
    caller.local(shard, new TxnEffect.Write(cmd), r -> {
      if (r instanceof ClientReply.Written w) {
        ok(reply, "txn-step", start, TxnWire.step(w.outcome()));
      } else {
        refuse(reply, "txn-step", shard, r);
      }
    });
  }

  @Override
  public void scan(ScanRequest req, StreamObserver<ScanReply> reply) {
    long start = System.nanoTime();
    KeyspaceSpec spec = keyspaceOrFail(req.getKeyspace(), "scan", reply);
    if (spec == null) {
      return;
    }
    if (req.getShard() >= spec.shards()) {
      fail(reply, "scan", ErrorCode.INVALID_ARGUMENT, "keyspace " + spec.name() + " has "
          + spec.shards() + " shards; there is no shard " + req.getShard());
      return;
    }
    int limit = req.getLimit() == 0 ? limits.scanLimitMax() : req.getLimit();
    if (limit > limits.scanLimitMax()) {
      fail(reply, "scan", ErrorCode.INVALID_ARGUMENT, "scan limit " + limit
          + " is above the maximum " + limits.scanLimitMax());
      return;
    }
    byte[] prefix = req.getPrefix().toByteArray();
    ShardId shard = new ShardId(req.getKeyspace(), req.getShard());
    loop.request(shard, false, (rid, now) -> new Input.ClientScan(now, rid, prefix, limit), r -> {
      if (r instanceof ClientReply.Scanned s) {
        ScanReply.Builder b = ScanReply.newBuilder();
        for (KeyValue kv : s.items()) {
          b.addItems(KeyValueMsg.newBuilder().setKey(ByteString.copyFrom(kv.key()))
              .setValue(ByteString.copyFrom(kv.value())).setVersion(kv.version()));
        }
        ok(reply, "scan", start, b.build());
      } else {
        refuse(reply, "scan", shard, r);
      }
    });
  }

  // ------------------------------------------------------------------ cluster metadata

  @Override
  public void locate(LocateRequest req, StreamObserver<LocateReply> reply) {
    KeyspaceSpec spec = keyspaceOrFail(req.getKeyspace(), "locate", reply);
    if (spec == null) {
      return;
    }
    ShardId shard = new ShardId(req.getKeyspace(), spec.shardOf(req.getKey().toByteArray()));
    ShardConfig c = view.shard(shard);
    if (c == null) {
      fail(reply, "locate", ErrorCode.UNAVAILABLE, "shard " + shard + " is not placed yet");
      return;
    }
    ok(reply, "locate", System.nanoTime(), LocateReply.newBuilder().setShard(info(c)).build());
  }

  @Override
  public void status(StatusRequest req, StreamObserver<StatusReply> reply) {
    offload("status", reply, () -> statusBlocking(req, reply));
  }

  private void statusBlocking(StatusRequest req, StreamObserver<StatusReply> reply) {
    StatusReply.Builder b = StatusReply.newBuilder();
    Set<String> ids = new TreeSet<>(view.knownNodes());
    for (String id : ids) {
      NodeRecord n = view.liveNode(id);
      b.addNodes(NodeInfo.newBuilder().setId(id)
          .setClientAddress(n == null ? "" : n.client())
          .setAdminAddress(n == null ? "" : n.admin())
          .setAlive(n != null)
          .setHealth(n == null ? "UNKNOWN" : n.health().name())
          .setHealthReason(n == null ? "" : n.reason())
          .setDiskLow(n != null && n.diskLow()));
    }
    for (ShardConfig c : view.shards()) {
      b.addShards(info(c));
    }
    coord.controllerId().ifPresent(b::setController);
    ok(reply, "status", System.nanoTime(), b.build());
  }

  private ShardInfo info(ShardConfig c) {
    return ShardInfo.newBuilder().setKeyspace(c.shard().keyspace()).setShard(c.shard().shard())
        .setEpoch(c.epoch()).setPrimary(c.primary()).addAllBackups(c.backups())
        .addAllLearners(c.learners()).setPrimaryAddress(view.clientAddress(c.primary()))
        .addAllLearnerProgress(learnerProgress(c))
        .build();
  }

  private List<io.bulwark.proto.v1.LearnerProgress> learnerProgress(ShardConfig c) {
    List<io.bulwark.proto.v1.LearnerProgress> out = new ArrayList<>();
    if (!c.primary().equals(self)) {
      return out;
    }
    for (LearnerProgress p : loop.progress().of(c.shard())) {
      if (c.learners().contains(p.node())) {
        out.add(io.bulwark.proto.v1.LearnerProgress.newBuilder().setNode(p.node())
            .setPercent(p.percent()).setBytes(p.bytesSent()).setAckedIndex(p.ackedIndex())
            .setLastIndex(p.lastIndex()).build());
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ handover

  /** Stores a handover request for the shard's current epoch (DESIGN §3 rule 8). */
  @Override
  public void handOver(HandOverRequest req, StreamObserver<HandOverReply> reply) {
    offload("handOver", reply, () -> handOverBlocking(req, reply));
  }

  private void handOverBlocking(HandOverRequest req, StreamObserver<HandOverReply> reply) {
    ShardId shard = new ShardId(req.getKeyspace(), req.getShard());
    ShardConfig c = view.shards().stream().filter(s -> s.shard().equals(shard)).findFirst()
        .orElse(null);
    if (c == null) {
      fail(reply, "handover", ErrorCode.INVALID_ARGUMENT, "shard " + shard + " is not placed");
      return;
    }
    if (!c.backups().contains(req.getTarget())) {
      fail(reply, "handover", ErrorCode.INVALID_ARGUMENT, req.getTarget() + " is not a backup of "
          + shard + " in epoch " + c.epoch() + " (primary " + c.primary() + ", backups "
          + c.backups() + ")");
      return;
    }
    try {
      coord.requestHandover(new HandoverRequest(shard, c.epoch(), req.getTarget(), "admin"));
    } catch (CoordinationException e) {
      fail(reply, "handover", ErrorCode.UNAVAILABLE, e.getMessage());
      return;
    }
    ok(reply, "handover", System.nanoTime(), HandOverReply.newBuilder().setShard(info(c)).build());
  }

  // ------------------------------------------------------------------ keyspaces

  @Override
  public void createKeyspace(CreateKeyspaceRequest req, StreamObserver<KeyspaceReply> reply) {
    offload("createKeyspace", reply, () -> createKeyspaceBlocking(req, reply));
  }

  private void createKeyspaceBlocking(CreateKeyspaceRequest req,
      StreamObserver<KeyspaceReply> reply) {
    KeyspaceSpecMsg m = req.getSpec();
    KeyspaceSpec.Acks acks;
    if (m.getAcks().isEmpty() || m.getAcks().equals("all")) {
      acks = KeyspaceSpec.Acks.ALL;
    } else if (m.getAcks().equals("primary")) {
      acks = KeyspaceSpec.Acks.PRIMARY;
    } else {
      fail(reply, "keyspace", ErrorCode.INVALID_ARGUMENT, "acks must be 'all' or 'primary', was '"
          + m.getAcks() + "'");
      return;
    }
    if (!m.getStrategy().isEmpty() && !m.getStrategy().equals("primary-backup")) {
      fail(reply, "keyspace", ErrorCode.INVALID_ARGUMENT, "strategy '" + m.getStrategy()
          + "' is not supported yet; use primary-backup");
      return;
    }
    int replicas = m.getReplicas() == 0 ? 3 : m.getReplicas();
    int shards = m.getShards() == 0 ? 16 : m.getShards();
    int minInsync = m.getMinInsync() == 0 ? Math.min(2, replicas) : m.getMinInsync();
    KeyspaceSpec spec = new KeyspaceSpec(m.getName(), KeyspaceSpec.Strategy.PRIMARY_BACKUP,
        replicas, shards, minInsync, acks);
    String invalid = spec.validate();
    if (invalid != null) {
      fail(reply, "keyspace", ErrorCode.INVALID_ARGUMENT, invalid);
      return;
    }
    int live = view.liveNodes().size();
    if (replicas > live) {
      fail(reply, "keyspace", ErrorCode.INVALID_ARGUMENT, "replicas (" + replicas
          + ") is more than the " + live + " live nodes");
      return;
    }
    if (!coord.createKeyspace(spec)) {
      fail(reply, "keyspace", ErrorCode.KEYSPACE_EXISTS, "keyspace '" + spec.name()
          + "' already exists");
      return;
    }
    controller.place(spec);
    ok(reply, "keyspace", System.nanoTime(), keyspaceReply(spec));
  }

  @Override
  public void dropKeyspace(DropKeyspaceRequest req, StreamObserver<DropKeyspaceReply> reply) {
    offload("dropKeyspace", reply, () -> dropKeyspaceBlocking(req, reply));
  }

  private void dropKeyspaceBlocking(DropKeyspaceRequest req,
      StreamObserver<DropKeyspaceReply> reply) {
    if (KeyspaceSpec.DEFAULT.equals(req.getName())) {
      fail(reply, "keyspace", ErrorCode.INVALID_ARGUMENT, "the default keyspace cannot be dropped");
      return;
    }
    if (!coord.dropKeyspace(req.getName())) {
      fail(reply, "keyspace", ErrorCode.UNKNOWN_KEYSPACE, unknownKeyspace(req.getName()));
      return;
    }
    ok(reply, "keyspace", System.nanoTime(), DropKeyspaceReply.getDefaultInstance());
  }

  @Override
  public void listKeyspaces(ListKeyspacesRequest req, StreamObserver<ListKeyspacesReply> reply) {
    offload("listKeyspaces", reply, () -> listKeyspacesBlocking(req, reply));
  }

  private void listKeyspacesBlocking(ListKeyspacesRequest req,
      StreamObserver<ListKeyspacesReply> reply) {
    ListKeyspacesReply.Builder b = ListKeyspacesReply.newBuilder();
    List<KeyspaceSpec> specs = coord.keyspaces();
    specs.sort(Comparator.comparing(KeyspaceSpec::name));
    for (KeyspaceSpec s : specs) {
      b.addKeyspaces(specMsg(s));
    }
    ok(reply, "keyspace", System.nanoTime(), b.build());
  }

  @Override
  public void describeKeyspace(DescribeKeyspaceRequest req, StreamObserver<KeyspaceReply> reply) {
    offload("describeKeyspace", reply, () -> describeKeyspaceBlocking(req, reply));
  }

  private void describeKeyspaceBlocking(DescribeKeyspaceRequest req,
      StreamObserver<KeyspaceReply> reply) {
    KeyspaceSpec spec = coord.keyspace(req.getName()).orElse(null);
    if (spec == null) {
      fail(reply, "keyspace", ErrorCode.UNKNOWN_KEYSPACE, unknownKeyspace(req.getName()));
      return;
    }
    ok(reply, "keyspace", System.nanoTime(), keyspaceReply(spec));
  }

  private KeyspaceReply keyspaceReply(KeyspaceSpec spec) {
    KeyspaceReply.Builder b = KeyspaceReply.newBuilder().setSpec(specMsg(spec));
    for (ShardConfig c : coord.shardConfigs(spec.name())) {
      b.addShards(info(c));
    }
    return b.build();
  }

  static KeyspaceSpecMsg specMsg(KeyspaceSpec s) {
    return KeyspaceSpecMsg.newBuilder().setName(s.name())
        .setStrategy(s.strategy() == KeyspaceSpec.Strategy.PRIMARY_BACKUP ? "primary-backup"
            : "multi-primary")
        .setReplicas(s.replicas()).setShards(s.shards()).setMinInsync(s.minInsync())
        .setAcks(s.acks().name().toLowerCase()).build();
  }

  // ------------------------------------------------------------------ replies

  private <T> KeyspaceSpec keyspaceOrFail(String name, String op, StreamObserver<T> reply) {
    KeyspaceSpec spec = view.keyspace(name.isEmpty() ? KeyspaceSpec.DEFAULT : name);
    if (spec == null) {
      fail(reply, op, ErrorCode.UNKNOWN_KEYSPACE, unknownKeyspace(name));
    }
    return spec;
  }

  private static String unknownKeyspace(String name) {
    return "keyspace '" + name + "' does not exist (see `bulwark keyspace list`)";
  }

  /**
   * Why this node refuses a write to {@code shard} for its disk, or null. Only the primary
   * appends a client's write; elsewhere the replica redirects (NOT_PRIMARY), so a node short of
   * disk must not refuse a write a healthy primary would take.
   */
  private String diskRefusalAsPrimaryOf(ShardId shard) {
    ShardConfig config = view.shard(shard);
    return config != null && config.primary().equals(self) ? disk.refusal() : null;
  }

  private <T> void ok(StreamObserver<T> reply, String op, long start, T value) {
    metrics.request(op, "ok", System.nanoTime() - start);
    reply.onNext(value);
    reply.onCompleted();
  }

  private <T> void fail(StreamObserver<T> reply, String op, ErrorCode code, String message) {
    metrics.request(op, ApiErrors.label(code), 0);
    reply.onError(ApiErrors.error(code, message));
  }

  private <T> void refuse(StreamObserver<T> reply, String op, ShardId shard, ClientReply r) {
    if (r instanceof ClientReply.Refused ref) {
      if (ref.refusal() == ClientReply.Refusal.NOT_PRIMARY) {
        String hint = ref.primaryHint();
        if (hint == null) {
          ShardConfig c = view.shard(shard);
          hint = c == null || c.primary().equals(self) ? null : c.primary();
        }
        metrics.request(op, "not_primary", 0);
        reply.onError(ApiErrors.notPrimary(ref.message(), hint,
            hint == null ? null : view.clientAddress(hint)));
      } else if (ref.refusal() == ClientReply.Refusal.LOCKED) {
        fail(reply, op, ErrorCode.LOCKED, ref.message());
      } else {
        fail(reply, op, ErrorCode.UNAVAILABLE, ref.message());
      }
    } else if (r instanceof ClientReply.Indeterminate ind) {
      fail(reply, op, ErrorCode.INDETERMINATE, ind.message());
    } else {
      fail(reply, op, ErrorCode.INTERNAL, "unexpected reply " + r.getClass().getSimpleName());
    }
  }
}

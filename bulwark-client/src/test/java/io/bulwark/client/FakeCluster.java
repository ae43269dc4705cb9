package io.bulwark.client;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.bulwark.core.common.Murmur3;
import io.bulwark.proto.v1.BulwarkGrpc;
import io.bulwark.proto.v1.CasRequest;
import io.bulwark.proto.v1.CreateKeyspaceRequest;
import io.bulwark.proto.v1.DeleteRequest;
import io.bulwark.proto.v1.DescribeKeyspaceRequest;
import io.bulwark.proto.v1.DropKeyspaceReply;
import io.bulwark.proto.v1.DropKeyspaceRequest;
import io.bulwark.proto.v1.ErrorCode;
import io.bulwark.proto.v1.ErrorDetail;
import io.bulwark.proto.v1.GetReply;
import io.bulwark.proto.v1.GetRequest;
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
import io.bulwark.proto.v1.SessionError;
import io.bulwark.proto.v1.SessionReply;
import io.bulwark.proto.v1.SessionRequest;
import io.bulwark.proto.v1.ShardInfo;
import io.bulwark.proto.v1.StatusReply;
import io.bulwark.proto.v1.StatusRequest;
import io.bulwark.proto.v1.WriteReply;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * An in-memory stand-in for a Bulwark cluster, served over in-process gRPC: each node is a
 * {@link BulwarkGrpc.BulwarkImplBase} at its own in-process address. Nodes share one store, so
 * the cluster behaves like one consistent server that routes: a data request to a node that is not
 * the shard's primary gets NOT_PRIMARY with a hint, as the real nodes answer. Writes are
 * deduplicated by {@code (client_id, seq)} like the real dedup table.
 *
 * <p>Tests inject faults per node with {@link FakeNode#fault}: a function of (method, request)
 * that may answer with an error (before or after applying), hang, or block. Every request is
 * recorded in {@link #received}. Error replies carry an ErrorDetail in the trailer
 * "bulwark-error-bin", built here independently of the client's code so that a mismatch in the
 * trailer contract fails the tests. Thread-safe: the store is guarded by this object's lock.
 */
final class FakeCluster implements AutoCloseable {
  static final Metadata.Key<ErrorDetail> ERROR_KEY =
      Metadata.Key.of("bulwark-error-bin", ProtoUtils.metadataMarshaller(ErrorDetail.getDefaultInstance()));

  /** A request as a node received it. */
  record Received(String node, String method, Message request) {}

  /** What a node does with one request instead of serving it normally. */
  static final class Action {
    final ErrorDetail error;
    final boolean applyFirst;
    final boolean hang;

    private Action(ErrorDetail error, boolean applyFirst, boolean hang) {
      this.error = error;
      this.applyFirst = applyFirst;
      this.hang = hang;
    }

    static Action fail(ErrorCode code) {
      return new Action(ErrorDetail.newBuilder().setCode(code).setMessage("injected " + code).build(), false, false);
    }

    /** Applies the write, then answers with an error (e.g. INDETERMINATE after a failover). */
    static Action failAfterApply(ErrorCode code) {
      return new Action(ErrorDetail.newBuilder().setCode(code).setMessage("injected " + code).build(), true, false);
    }

    static Action notPrimary(String hintNode, String hintAddress) {
      return new Action(ErrorDetail.newBuilder().setCode(ErrorCode.NOT_PRIMARY)
          .setPrimaryHintNode(hintNode).setPrimaryHintAddress(hintAddress).build(), false, false);
    }

    /** Never answers; the client's deadline ends the call. */
    static Action hang() {
      return new Action(null, false, true);
    }
  }

  /** Decides a node's reaction to a request; null means serve normally. May block. */
  interface Fault {
    Action on(String method, Message request);
  }

  final Map<String, FakeNode> nodes = new LinkedHashMap<>();
  private final Map<String, String> reported = new java.util.concurrent.ConcurrentHashMap<>();
  final List<Received> received = new CopyOnWriteArrayList<>();
  /** Whether NOT_PRIMARY replies name the primary. */
  volatile boolean hints = true;

  private final Map<String, KeyspaceSpecMsg> keyspaces = new HashMap<>();
  private final Map<String, String[]> primaries = new HashMap<>();
  private final Map<String, long[]> epochs = new HashMap<>();
  private final Map<String, TreeMap<byte[], KeyValueMsg>> data = new HashMap<>();
  private final Map<String, WriteReply> dedup = new HashMap<>();
  private long logIndex;
  private int writesApplied;
  private final Map<String, Server> servers = new LinkedHashMap<>();
  private final List<ManagedChannel> channels = new CopyOnWriteArrayList<>();

  FakeCluster(String... nodeIds) {
    for (String id : nodeIds) {
      FakeNode node = new FakeNode(id, "fake-" + id + ":7000");
      nodes.put(id, node);
      try {
        servers.put(id, InProcessServerBuilder.forName(node.address).addService(node).build().start());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  String address(String nodeId) {
    return nodes.get(nodeId).address;
  }

  /**
   * Makes the cluster report {@code address} as a node's client address (in shard
   * configurations, hints and Status), e.g. a real TCP port where nothing listens.
   */
  void reportAddress(String nodeId, String address) {
    reported.put(nodeId, address);
  }

  private String reported(String nodeId) {
    return reported.getOrDefault(nodeId, address(nodeId));
  }

  FakeNode node(String id) {
    return nodes.get(id);
  }

  /** Stops a node's server: the client's attempts to it then fail at the transport level. */
  void stop(String nodeId) {
    servers.get(nodeId).shutdownNow();
  }

  synchronized void addKeyspace(String name, int shards, String primary) {
    keyspaces.put(name, KeyspaceSpecMsg.newBuilder().setName(name).setStrategy("primary-backup")
        .setReplicas(nodes.size()).setShards(shards).setMinInsync(Math.min(2, nodes.size()))
        .setAcks("all").build());
    String[] p = new String[shards];
    Arrays.fill(p, primary);
    primaries.put(name, p);
    long[] e = new long[shards];
    Arrays.fill(e, 1);
    epochs.put(name, e);
    data.put(name, new TreeMap<>(Arrays::compareUnsigned));
  }

  /** Moves a shard's primary (a failover the client has not heard of). */
  synchronized void setPrimary(String keyspace, int shard, String nodeId) {
    primaries.get(keyspace)[shard] = nodeId;
    epochs.get(keyspace)[shard]++;
  }

  synchronized void setAllPrimaries(String keyspace, String nodeId) {
    for (int i = 0; i < primaries.get(keyspace).length; i++) {
      setPrimary(keyspace, i, nodeId);
    }
  }

  synchronized int writesApplied() {
    return writesApplied;
  }

  /** Requests of one method, in arrival order. */
  List<Received> received(String method) {
    return received.stream().filter(r -> r.method().equals(method)).toList();
  }

  /** The request ids of every Put received, in order (a retry repeats its first attempt's). */
  List<RequestId> putIds() {
    return received("Put").stream().map(r -> ((PutRequest) r.request()).getId()).toList();
  }

  ManagedChannel channel(String address) {
    ManagedChannel ch = InProcessChannelBuilder.forName(address).build();
    channels.add(ch);
    return ch;
  }

  BulwarkClient client(ClientOptions options, String... seedNodeIds) {
    List<String> seeds = new ArrayList<>();
    for (String id : seedNodeIds) {
      seeds.add(address(id));
    }
    return BulwarkClient.create(seeds, options, this::channel);
  }

  @Override
  public void close() {
    channels.forEach(ManagedChannel::shutdownNow);
    servers.values().forEach(Server::shutdownNow);
  }

  static int shardOf(byte[] key, int shards) {
    return Math.floorMod(Murmur3.hash32(key), shards);
  }

  // ---- the store; every method holds the lock ----

  private synchronized ShardInfo shardInfo(String ks, int shard) {
    String primary = primaries.get(ks)[shard];
    List<String> backups = new ArrayList<>(nodes.keySet());
    backups.remove(primary);
    return ShardInfo.newBuilder().setKeyspace(ks).setShard(shard).setEpoch(epochs.get(ks)[shard])
        .setPrimary(primary).addAllBackups(backups).setPrimaryAddress(reported(primary)).build();
  }

  private synchronized List<ShardInfo> shardInfos(String ks) {
    List<ShardInfo> out = new ArrayList<>();
    for (int i = 0; i < primaries.get(ks).length; i++) {
      out.add(shardInfo(ks, i));
    }
    return out;
  }

  /** Null if {@code node} is the primary of the key's shard, else the refusal. */
  private synchronized ErrorDetail checkPrimary(String node, String ks, int shard) {
    KeyspaceSpecMsg spec = keyspaces.get(ks);
    if (spec == null) {
      return ErrorDetail.newBuilder().setCode(ErrorCode.UNKNOWN_KEYSPACE).setMessage("no keyspace " + ks).build();
    }
    if (shard >= spec.getShards()) {
      return ErrorDetail.newBuilder().setCode(ErrorCode.INVALID_ARGUMENT).setMessage("no shard " + shard).build();
    }
    String primary = primaries.get(ks)[shard];
    if (primary.equals(node)) {
      return null;
    }
    ErrorDetail.Builder b = ErrorDetail.newBuilder().setCode(ErrorCode.NOT_PRIMARY).setMessage(node + " is not primary");
    if (hints) {
      b.setPrimaryHintNode(primary).setPrimaryHintAddress(reported(primary));
    }
    return b.build();
  }

  private synchronized int shardOfKey(String ks, ByteString key) {
    KeyspaceSpecMsg spec = keyspaces.get(ks);
    return spec == null ? 0 : shardOf(key.toByteArray(), spec.getShards());
  }

  private synchronized WriteReply write(String ks, RequestId id, Supplier<WriteReply> apply) {
    String dk = id.getClientId() + "/" + id.getSeq();
    WriteReply prior = dedup.get(dk);
    if (prior != null) {
      return prior;
    }
    logIndex++;
    writesApplied++;
    WriteReply r = apply.get();
    dedup.put(dk, r);
    return r;
  }

  private synchronized WriteReply put(String ks, byte[] key, ByteString value) {
    data.get(ks).put(key, KeyValueMsg.newBuilder().setKey(ByteString.copyFrom(key)).setValue(value).setVersion(logIndex).build());
    return WriteReply.newBuilder().setApplied(true).setVersion(logIndex).build();
  }

  private synchronized WriteReply cas(CasRequest req) {
    TreeMap<byte[], KeyValueMsg> m = data.get(req.getKeyspace());
    byte[] key = req.getKey().toByteArray();
    KeyValueMsg cur = m.get(key);
    boolean matches = req.getExpectedVersion() >= 0
        ? (cur == null ? 0 : cur.getVersion()) == req.getExpectedVersion()
        : req.hasExpectedValue() ? cur != null && cur.getValue().equals(req.getExpectedValue()) : cur == null;
    if (!matches) {
      WriteReply.Builder b = WriteReply.newBuilder().setApplied(false).setVersion(cur == null ? 0 : cur.getVersion());
      if (cur != null) {
        b.setCurrentValue(cur.getValue());
      }
      return b.build();
    }
    if (req.hasNewValue()) {
      return put(req.getKeyspace(), key, req.getNewValue());
    }
    m.remove(key);
    return WriteReply.newBuilder().setApplied(true).setVersion(logIndex).build();
  }

  private synchronized GetReply get(GetRequest req) {
    KeyValueMsg kv = data.get(req.getKeyspace()).get(req.getKey().toByteArray());
    return kv == null ? GetReply.getDefaultInstance()
        : GetReply.newBuilder().setFound(true).setValue(kv.getValue()).setVersion(kv.getVersion()).build();
  }

  private synchronized ScanReply scan(ScanRequest req) {
    int shards = keyspaces.get(req.getKeyspace()).getShards();
    ScanReply.Builder b = ScanReply.newBuilder();
    for (KeyValueMsg kv : data.get(req.getKeyspace()).values()) {
      if (b.getItemsCount() < req.getLimit() && kv.getKey().startsWith(req.getPrefix())
          && shardOf(kv.getKey().toByteArray(), shards) == req.getShard()) {
        b.addItems(kv);
      }
    }
    return b.build();
  }

  private synchronized StatusReply status() {
    StatusReply.Builder b = StatusReply.newBuilder().setController(nodes.keySet().iterator().next());
    nodes.values().forEach(n -> b.addNodes(NodeInfo.newBuilder().setId(n.id).setClientAddress(reported(n.id))
        .setAdminAddress("admin-" + n.id + ":8000").setAlive(true).setHealth("ok")));
    keyspaces.keySet().stream().sorted().forEach(ks -> b.addAllShards(shardInfos(ks)));
    return b.build();
  }

  private synchronized Object describe(String name) {
    KeyspaceSpecMsg spec = keyspaces.get(name);
    if (spec == null) {
      return ErrorDetail.newBuilder().setCode(ErrorCode.UNKNOWN_KEYSPACE).setMessage("no keyspace " + name).build();
    }
    return KeyspaceReply.newBuilder().setSpec(spec).addAllShards(shardInfos(name)).build();
  }

  private synchronized Object create(KeyspaceSpecMsg spec) {
    if (keyspaces.containsKey(spec.getName())) {
      return ErrorDetail.newBuilder().setCode(ErrorCode.KEYSPACE_EXISTS).setMessage(spec.getName() + " exists").build();
    }
    addKeyspace(spec.getName(), spec.getShards(), nodes.keySet().iterator().next());
    keyspaces.put(spec.getName(), spec);
    return describe(spec.getName());
  }

  private synchronized Object drop(String name) {
    if (keyspaces.remove(name) == null) {
      return ErrorDetail.newBuilder().setCode(ErrorCode.UNKNOWN_KEYSPACE).setMessage("no keyspace " + name).build();
    }
    primaries.remove(name);
    data.remove(name);
    return DropKeyspaceReply.getDefaultInstance();
  }

  static Status statusFor(ErrorCode code) {
    switch (code) {
      case NOT_PRIMARY:
        return Status.FAILED_PRECONDITION;
      case UNAVAILABLE:
      case INDETERMINATE:
        return Status.UNAVAILABLE;
      case INVALID_ARGUMENT:
        return Status.INVALID_ARGUMENT;
      case UNKNOWN_KEYSPACE:
        return Status.NOT_FOUND;
      case KEYSPACE_EXISTS:
        return Status.ALREADY_EXISTS;
      case DISK_FULL:
        return Status.RESOURCE_EXHAUSTED;
      default:
        return Status.INTERNAL;
    }
  }

  /** CommitTxn answers, in order; COMMITTED once they run out. */
  final java.util.concurrent.ConcurrentLinkedQueue<io.bulwark.proto.v1.CommitTxnReply>
      commitReplies = new java.util.concurrent.ConcurrentLinkedQueue<>();
  /** What ResolveTxn answers. */
  volatile io.bulwark.proto.v1.TxnOutcomeMsg resolveOutcome =
      io.bulwark.proto.v1.TxnOutcomeMsg.OUTCOME_PENDING;

  /** One node: records each request, consults its fault, then serves from the shared store. */
  final class FakeNode extends BulwarkGrpc.BulwarkImplBase {
    final String id;
    final String address;
    volatile Fault fault;
    /** Every Session stream a client opened here, in order. */
    final List<StreamObserver<SessionReply>> sessions = new CopyOnWriteArrayList<>();

    FakeNode(String id, String address) {
      this.id = id;
      this.address = address;
    }

    /**
     * Serves one request. {@code serve} returns the reply or an ErrorDetail; {@code shard} is the
     * shard whose primary must serve it, or -1 for requests any node serves.
     */
    @SuppressWarnings("unchecked")
    private <T> void handle(String method, Message req, String ks, int shard,
        StreamObserver<T> obs, Supplier<Object> serve) {
      received.add(new Received(id, method, req));
      Fault f = fault;
      Action a = f == null ? null : f.on(method, req);
      if (a != null && a.hang) {
        return;
      }
      if (a != null && !a.applyFirst) {
        error(obs, a.error);
        return;
      }
      ErrorDetail refusal = shard < 0 ? null : checkPrimary(id, ks, shard);
      if (refusal != null) {
        error(obs, refusal);
        return;
      }
      Object out = serve.get();
      if (out instanceof ErrorDetail d) {
        error(obs, d);
      } else if (a != null) {
        error(obs, a.error);
      } else {
        obs.onNext((T) out);
        obs.onCompleted();
      }
    }

    private void error(StreamObserver<?> obs, ErrorDetail d) {
      Metadata trailers = new Metadata();
      trailers.put(ERROR_KEY, d);
      obs.onError(statusFor(d.getCode()).withDescription(d.getMessage()).asRuntimeException(trailers));
    }

    @Override
    public void put(PutRequest r, StreamObserver<WriteReply> obs) {
      int shard = shardOfKey(r.getKeyspace(), r.getKey());
      handle("Put", r, r.getKeyspace(), shard, obs,
          () -> write(r.getKeyspace(), r.getId(), () -> FakeCluster.this.put(r.getKeyspace(), r.getKey().toByteArray(), r.getValue())));
    }

    @Override
    public void delete(DeleteRequest r, StreamObserver<WriteReply> obs) {
      int shard = shardOfKey(r.getKeyspace(), r.getKey());
      handle("Delete", r, r.getKeyspace(), shard, obs, () -> write(r.getKeyspace(), r.getId(), () -> {
        synchronized (FakeCluster.this) {
          data.get(r.getKeyspace()).remove(r.getKey().toByteArray());
          return WriteReply.newBuilder().setApplied(true).setVersion(logIndex).build();
        }
      }));
    }

    @Override
    public void compareAndSet(CasRequest r, StreamObserver<WriteReply> obs) {
      int shard = shardOfKey(r.getKeyspace(), r.getKey());
      handle("CompareAndSet", r, r.getKeyspace(), shard, obs, () -> write(r.getKeyspace(), r.getId(), () -> cas(r)));
    }

    @Override
    public void get(GetRequest r, StreamObserver<GetReply> obs) {
      handle("Get", r, r.getKeyspace(), shardOfKey(r.getKeyspace(), r.getKey()), obs, () -> FakeCluster.this.get(r));
    }

    /** Fails every session stream opened here, as a broken connection would. */
    void breakSessions() {
      for (StreamObserver<SessionReply> out : sessions) {
        synchronized (out) {
          out.onError(Status.UNAVAILABLE.withDescription("connection broke").asRuntimeException());
        }
      }
    }

    /** Puts and gets on a session stream, each served as its unary call and answered by id. */
    @Override
    public StreamObserver<SessionRequest> session(StreamObserver<SessionReply> out) {
      sessions.add(out);
      return new StreamObserver<>() {
        @Override
        public void onNext(SessionRequest r) {
          switch (r.getCallCase()) {
            case PUT -> put(r.getPut(), sessionCall(out, r.getCallId(), SessionReply.Builder::setPut));
            case GET -> get(r.getGet(), sessionCall(out, r.getCallId(), SessionReply.Builder::setGet));
            default -> throw new AssertionError("session call without a request: " + r);
          }
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          synchronized (out) {
            out.onCompleted();
          }
        }
      };
    }

    private <T> StreamObserver<T> sessionCall(StreamObserver<SessionReply> out, long id,
        java.util.function.BiConsumer<SessionReply.Builder, T> set) {
      return new StreamObserver<>() {
        private T value;

        @Override
        public void onNext(T v) {
          value = v;
        }

        @Override
        public void onCompleted() {
          SessionReply.Builder b = SessionReply.newBuilder().setCallId(id);
          set.accept(b, value);
          synchronized (out) {
            out.onNext(b.build());
          }
        }

        @Override
        public void onError(Throwable t) {
          Status st = Status.fromThrowable(t);
          Metadata trailers = Status.trailersFromThrowable(t);
          SessionError.Builder e = SessionError.newBuilder().setStatusCode(st.getCode().value())
              .setDescription(st.getDescription() == null ? "" : st.getDescription());
          if (trailers != null && trailers.get(ERROR_KEY) != null) {
            e.setDetail(trailers.get(ERROR_KEY));
          }
          synchronized (out) {
            out.onNext(SessionReply.newBuilder().setCallId(id).setError(e).build());
          }
        }
      };
    }

    @Override
    public void scan(ScanRequest r, StreamObserver<ScanReply> obs) {
      handle("Scan", r, r.getKeyspace(), r.getShard(), obs, () -> FakeCluster.this.scan(r));
    }

    @Override
    public void locate(LocateRequest r, StreamObserver<LocateReply> obs) {
      handle("Locate", r, r.getKeyspace(), -1, obs, () -> {
        Object d = describe(r.getKeyspace());
        return d instanceof ErrorDetail ? d
            : LocateReply.newBuilder().setShard(shardInfo(r.getKeyspace(), shardOfKey(r.getKeyspace(), r.getKey()))).build();
      });
    }

    @Override
    public void status(StatusRequest r, StreamObserver<StatusReply> obs) {
      handle("Status", r, null, -1, obs, FakeCluster.this::status);
    }

    @Override
    public void createKeyspace(CreateKeyspaceRequest r, StreamObserver<KeyspaceReply> obs) {
      handle("CreateKeyspace", r, null, -1, obs, () -> create(r.getSpec()));
    }

    @Override
    public void dropKeyspace(DropKeyspaceRequest r, StreamObserver<DropKeyspaceReply> obs) {
      handle("DropKeyspace", r, null, -1, obs, () -> drop(r.getName()));
    }

    @Override
    public void listKeyspaces(ListKeyspacesRequest r, StreamObserver<ListKeyspacesReply> obs) {
      handle("ListKeyspaces", r, null, -1, obs, () -> {
        synchronized (FakeCluster.this) {
          return ListKeyspacesReply.newBuilder().addAllKeyspaces(keyspaces.values()).build();
        }
      });
    }

    @Override
    public void describeKeyspace(DescribeKeyspaceRequest r, StreamObserver<KeyspaceReply> obs) {
      handle("DescribeKeyspace", r, null, -1, obs, () -> describe(r.getName()));
    }

    @Override
    public void commitTxn(io.bulwark.proto.v1.CommitTxnRequest r,
        StreamObserver<io.bulwark.proto.v1.CommitTxnReply> obs) {
      byte[] recordKey = r.getWritesCount() > 0 ? r.getWrites(0).getKey().toByteArray()
          : r.getReads(0).getKey().toByteArray();
      handle("CommitTxn", r, r.getKeyspace(), shardOfKey(r.getKeyspace(),
          com.google.protobuf.ByteString.copyFrom(recordKey)), obs, () -> {
            io.bulwark.proto.v1.CommitTxnReply next = commitReplies.poll();
            return next != null ? next : io.bulwark.proto.v1.CommitTxnReply.newBuilder()
                .setOutcome(io.bulwark.proto.v1.TxnOutcomeMsg.OUTCOME_COMMITTED).build();
          });
    }

    @Override
    public void resolveTxn(io.bulwark.proto.v1.ResolveTxnRequest r,
        StreamObserver<io.bulwark.proto.v1.ResolveTxnReply> obs) {
      handle("ResolveTxn", r, r.getKeyspace(), shardOfKey(r.getKeyspace(), r.getRecordKey()),
          obs, () -> io.bulwark.proto.v1.ResolveTxnReply.newBuilder()
              .setOutcome(resolveOutcome).build());
    }
  }
}

package io.bulwark.client;

import com.google.protobuf.ByteString;
import io.bulwark.core.common.KeyspaceSpec;
import io.bulwark.proto.v1.BulwarkGrpc;
import io.bulwark.proto.v1.CasRequest;
import io.bulwark.proto.v1.CommitTxnReply;
import io.bulwark.proto.v1.CommitTxnRequest;
import io.bulwark.proto.v1.CreateKeyspaceRequest;
import io.bulwark.proto.v1.DeleteRequest;
import io.bulwark.proto.v1.DescribeKeyspaceRequest;
import io.bulwark.proto.v1.DropKeyspaceRequest;
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
import io.bulwark.proto.v1.PutRequest;
import io.bulwark.proto.v1.RequestId;
import io.bulwark.proto.v1.ResolveTxnReply;
import io.bulwark.proto.v1.ResolveTxnRequest;
import io.bulwark.proto.v1.ScanReply;
import io.bulwark.proto.v1.ScanRequest;
import io.bulwark.proto.v1.ShardInfo;
import io.bulwark.proto.v1.StatusReply;
import io.bulwark.proto.v1.StatusRequest;
import io.bulwark.proto.v1.TxnOutcomeMsg;
import io.bulwark.proto.v1.WriteReply;
import io.grpc.ManagedChannel;
import java.util.ArrayList;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The Java client of a Bulwark cluster (DESIGN §3 rule 4, §8; wire contract {@code api.proto}).
 *
 * <p><b>Routing.</b> The client caches a view of the cluster: node addresses and each shard's
 * primary (from Status, DescribeKeyspace, Locate and NOT_PRIMARY hints) and each keyspace's shard
 * count. A keyed request goes to the primary of shard {@code murmur3_32(key) mod shards}. On
 * NOT_PRIMARY it follows the reply's primary hint, or refreshes the view; on UNAVAILABLE or a
 * transport failure it refreshes the view and retries, avoiding the failed node. {@link #connect}
 * makes no network call: the first call contacts the cluster.
 *
 * <p><b>Retries and deadlines.</b> Every call is bounded by {@link ClientOptions#requestTimeout()}
 * (including retries, view refreshes and keyspace lookups) and every attempt by
 * {@link ClientOptions#rpcTimeout()}. Refused-before-append errors (NOT_PRIMARY, UNAVAILABLE),
 * INDETERMINATE and transport errors are retried with exponential backoff and full jitter;
 * INVALID_ARGUMENT, UNKNOWN_KEYSPACE, KEYSPACE_EXISTS, DISK_FULL and INTERNAL are thrown at once.
 *
 * <p><b>Idempotency.</b> The client draws a random {@link #clientId()} and numbers its writes
 * (put, delete, the two compare-and-sets) with a seq; every retry of a write resends the same
 * {@code (clientId, seq)}, so the cluster applies it at most once, even across a failover.
 * {@code first_unacked_seq} is the smallest seq still in flight in this client. Reads (get, scan,
 * locate, status, keyspace lookups) are retried freely. Keyspace create and drop carry no request
 * id: a retry after an unknown outcome may report KEYSPACE_EXISTS or UNKNOWN_KEYSPACE for the
 * client's own earlier attempt, and says so by {@link BulwarkException#definite()} being false.
 *
 * <p><b>Transactions</b> (DESIGN §5): {@link #begin} / {@link Transaction} and
 * {@link #transact}, which retries aborted transactions with backoff and gives up after a
 * bounded number of attempts. A plain write of a key a transaction holds is retried (LOCKED)
 * until the deadline.
 *
 * <p><b>Errors.</b> Every method throws {@link BulwarkException} when it does not succeed; its
 * {@link BulwarkException#code()} says why and {@link BulwarkException#definite()} whether the
 * operation certainly did not happen. When the deadline passes: CLUSTER_UNAVAILABLE if no node
 * answered at all (the message names the endpoints tried); else INDETERMINATE (definite false)
 * if some attempt of a write may have been applied; else the last refusal (definite true). Null
 * arguments, other than where documented, throw {@link NullPointerException}; calls after
 * {@link #close()} throw {@link IllegalStateException}.
 *
 * <p><b>Threading.</b> Thread-safe: any number of threads may call any method at once. Every
 * method blocks its calling thread until it returns or throws, for at most about
 * {@code requestTimeout}; interrupting the thread ends the call with a BulwarkException and
 * leaves the interrupt flag set. Byte arrays passed in must not be changed during the call;
 * arrays returned belong to the caller.
 */
public final class BulwarkClient implements AutoCloseable {
  private static final String PRIMARY_BACKUP = "primary-backup";
  /** How long status waits for each primary's own report of learner progress. */
  static final Duration PROGRESS_TIMEOUT = Duration.ofSeconds(2);

  private final List<String> endpoints;
  private final RequestIds ids;
  private final ClusterView view;
  private final Channels channels;
  private final Sessions sessions;
  private final Retrier retrier;
  private final java.util.concurrent.atomic.AtomicLong txnSeq =
      new java.util.concurrent.atomic.AtomicLong();
  /**
   * Runs what is left of an asynchronous call after its first attempt failed: the retry loop
   * waits (backoff, redirects, refreshes), which a network thread must never do. Threads are
   * made on demand and end after a minute idle, so a client that never retries holds none.
   */
  private final ExecutorService retries = Executors.newCachedThreadPool(runnable -> {
    Thread t = new Thread(runnable, "bulwark-client-retry");
    t.setDaemon(true);
    return t;
  });

  private BulwarkClient(
      List<String> endpoints, ClientOptions options, Function<String, ManagedChannel> factory) {
    this.endpoints = List.copyOf(endpoints);
    this.ids = new RequestIds(UUID.randomUUID().toString());
    this.view = new ClusterView(this.endpoints);
    this.channels = new Channels(factory);
    this.sessions = new Sessions(channels);
    this.retrier = new Retrier(view, channels, sessions,
        Objects.requireNonNull(options, "options"));
  }

  /**
   * A client with {@link ClientOptions#defaults()} for {@code "host:port,host:port"}. Any
   * reachable node will do; the rest of the cluster is discovered.
   *
   * @throws IllegalArgumentException if the list is empty or a part is not host:port; the
   *     message names the part
   */
  public static BulwarkClient connect(String endpoints) {
    return connect(Endpoints.parseList(endpoints), ClientOptions.defaults());
  }

  /**
   * A client for the given {@code host:port} endpoints.
   *
   * @throws IllegalArgumentException if the list is empty or an element is not host:port; the
   *     message names the element
   */
  public static BulwarkClient connect(List<String> endpoints, ClientOptions options) {
    Objects.requireNonNull(options, "options");
    return new BulwarkClient(Endpoints.parseList(endpoints), options,
        address -> Channels.netty(address, options));
  }

  /** For tests: a client whose channels come from {@code channelFactory} (address to channel). */
  static BulwarkClient create(List<String> endpoints, ClientOptions options,
      Function<String, ManagedChannel> channelFactory) {
    return new BulwarkClient(Endpoints.parseList(endpoints), options, channelFactory);
  }

  // ---- data ----

  /** Writes {@code value} under {@code key}. Idempotent across retries (same clientId, seq). */
  public WriteResult put(String keyspace, byte[] key, byte[] value) {
    Objects.requireNonNull(value, "value");
    return write("put", keyspace, key, (stub, id) -> stub.put(PutRequest.newBuilder()
        .setKeyspace(keyspace).setKey(ByteString.copyFrom(key)).setValue(ByteString.copyFrom(value))
        .setId(id).build()));
  }

  /**
   * A linearizable read from the shard's primary under its lease.
   *
   * @return the value and its version, or empty if the key is absent
   */
  public Optional<VersionedValue> get(String keyspace, byte[] key) {
    CallState s = retrier.begin("get keyspace=" + keyspace);
    int shard = shardOf(s, keyspace, key);
    GetRequest req = GetRequest.newBuilder().setKeyspace(keyspace).setKey(ByteString.copyFrom(key)).build();
    return found(keyed(keyspace, () ->
        retrier.run(s, false, retrier.shardPrimary(keyspace, shard), stub -> stub.get(req))));
  }

  private static Optional<VersionedValue> found(GetReply r) {
    return r.getFound()
        ? Optional.of(new VersionedValue(r.getValue().toByteArray(), r.getVersion()))
        : Optional.empty();
  }

  /**
   * {@link #put} without blocking the calling thread: the future completes with the same result,
   * or fails with the {@link BulwarkException} put would throw. The request goes out at once;
   * the future completes on a network thread, so stages that depend on it must not block (use
   * the {@code ...Async} stages with an executor of your own for work that may). Retries, if the
   * first attempt fails, run on a thread of the client's.
   */
  public CompletableFuture<WriteResult> putAsync(String keyspace, byte[] key, byte[] value) {
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(key, "key");
    KeyspaceSpec spec = keyspace == null ? null : view.spec(keyspace);
    if (spec == null) {
      // The keyspace must be described first, which blocks: the whole call goes to a thread
      // that may wait. Only a client's first call to a keyspace takes this path.
      return CompletableFuture.supplyAsync(() -> put(keyspace, key, value), retries);
    }
    CallState s = retrier.begin("put keyspace=" + keyspace);
    int shard = spec.shardOf(key);
    long seq = ids.begin();
    ByteString k = ByteString.copyFrom(key);
    ByteString v = ByteString.copyFrom(value);
    Supplier<PutRequest> request = () -> PutRequest.newBuilder()
        .setKeyspace(keyspace).setKey(k).setValue(v).setId(ids.idFor(seq)).build();
    return keyedAsync(keyspace, retrier.runAsync(s, true, retrier.shardPrimary(keyspace, shard),
        (session, timeout, reply) -> session.put(request.get(), timeout, reply),
        stub -> stub.put(request.get()), retries))
        .whenComplete((r, e) -> ids.end(seq)) // Never sent again either way, as in write().
        .thenApply(Convert::writeResult);
  }

  /**
   * {@link #get} without blocking the calling thread; completes as {@link #putAsync} does.
   */
  public CompletableFuture<Optional<VersionedValue>> getAsync(String keyspace, byte[] key) {
    Objects.requireNonNull(key, "key");
    KeyspaceSpec spec = keyspace == null ? null : view.spec(keyspace);
    if (spec == null) {
      return CompletableFuture.supplyAsync(() -> get(keyspace, key), retries);
    }
    CallState s = retrier.begin("get keyspace=" + keyspace);
    int shard = spec.shardOf(key);
    GetRequest req = GetRequest.newBuilder().setKeyspace(keyspace)
        .setKey(ByteString.copyFrom(key)).build();
    return keyedAsync(keyspace, retrier.runAsync(s, false, retrier.shardPrimary(keyspace, shard),
        (session, timeout, reply) -> session.get(req, timeout, reply), stub -> stub.get(req),
        retries))
        .thenApply(BulwarkClient::found);
  }

  /** Deletes {@code key} (a write of a tombstone; absent keys are no error). Idempotent. */
  public WriteResult delete(String keyspace, byte[] key) {
    return write("delete", keyspace, key, (stub, id) -> stub.delete(DeleteRequest.newBuilder()
        .setKeyspace(keyspace).setKey(ByteString.copyFrom(key)).setId(id).build()));
  }

  /**
   * Writes {@code newValue} only if the key's current value equals {@code expectedValue}.
   * {@link WriteResult#applied()} is false if it did not; the result then carries the current
   * version and value. Idempotent across retries.
   *
   * @param expectedValue the value required, or null to require the key to be absent
   * @param newValue the value to write, or null to delete the key
   */
  public WriteResult compareAndSet(
      String keyspace, byte[] key, byte[] expectedValue, byte[] newValue) {
    CasRequest.Builder b = CasRequest.newBuilder()
        .setKeyspace(keyspace).setKey(ByteString.copyFrom(key))
        // A negative expected_version selects comparison by value (CasOp in log.proto).
        .setExpectedVersion(-1);
    if (expectedValue != null) {
      b.setExpectedValue(ByteString.copyFrom(expectedValue));
    }
    if (newValue != null) {
      b.setNewValue(ByteString.copyFrom(newValue));
    }
    return write("cas", keyspace, key, (stub, id) -> stub.compareAndSet(b.setId(id).build()));
  }

  /**
   * Writes {@code newValue} only if the key's current version is {@code expectedVersion}.
   * Idempotent across retries.
   *
   * @param expectedVersion the version required, 0 to require the key to be absent
   * @param newValue the value to write, or null to delete the key
   * @throws BulwarkException INVALID_ARGUMENT (definite) if {@code expectedVersion} is negative
   */
  public WriteResult compareAndSetVersion(
      String keyspace, byte[] key, long expectedVersion, byte[] newValue) {
    if (expectedVersion < 0) {
      throw new BulwarkException(ErrorCode.INVALID_ARGUMENT, true,
          "expectedVersion must be 0 (absent) or a version, was " + expectedVersion);
    }
    CasRequest.Builder b = CasRequest.newBuilder()
        .setKeyspace(keyspace).setKey(ByteString.copyFrom(key)).setExpectedVersion(expectedVersion);
    if (newValue != null) {
      b.setNewValue(ByteString.copyFrom(newValue));
    }
    return write("cas-version", keyspace, key, (stub, id) -> stub.compareAndSet(b.setId(id).build()));
  }

  /**
   * Keys starting with {@code prefix}, in unsigned byte order, at most {@code limit} of them.
   * Asks every shard's primary in turn (each under its lease) and merges, so the result is not
   * one snapshot: a write that commits during the scan may or may not be in it. Needs memory for
   * up to {@code shards * limit} entries.
   *
   * @param prefix the key prefix; null or empty for every key
   * @throws BulwarkException INVALID_ARGUMENT (definite) if {@code limit} is below 1
   */
  public List<KeyValueEntry> scan(String keyspace, byte[] prefix, int limit) {
    if (limit < 1) {
      throw new BulwarkException(ErrorCode.INVALID_ARGUMENT, true, "scan limit must be at least 1, was " + limit);
    }
    CallState s = retrier.begin("scan keyspace=" + keyspace);
    KeyspaceSpec spec = spec(s, keyspace);
    ByteString p = prefix == null ? ByteString.EMPTY : ByteString.copyFrom(prefix);
    List<KeyValueEntry> all = new ArrayList<>();
    for (int shard = 0; shard < spec.shards(); shard++) {
      ScanRequest req = ScanRequest.newBuilder()
          .setKeyspace(keyspace).setShard(shard).setPrefix(p).setLimit(limit).build();
      ScanReply r = keyed(keyspace, () -> retrier.run(
          s, false, retrier.shardPrimary(keyspace, req.getShard()), stub -> stub.scan(req)));
      for (KeyValueMsg kv : r.getItemsList()) {
        all.add(new KeyValueEntry(kv.getKey().toByteArray(), kv.getValue().toByteArray(), kv.getVersion()));
      }
    }
    all.sort((a, b) -> Arrays.compareUnsigned(a.key(), b.key()));
    return List.copyOf(all.subList(0, Math.min(limit, all.size())));
  }

  /** The shard that owns {@code key} and its configuration, as a node reports it now. */
  public ShardLocation locate(String keyspace, byte[] key) {
    CallState s = retrier.begin("locate keyspace=" + keyspace);
    LocateRequest req = LocateRequest.newBuilder()
        .setKeyspace(keyspace).setKey(ByteString.copyFrom(key)).build();
    LocateReply r = keyed(keyspace, () -> retrier.run(s, false, retrier.anyNode(), stub -> stub.locate(req)));
    view.applyShards(List.of(r.getShard()));
    return Convert.shard(r.getShard());
  }

  /** Every node and shard as one node sees them. Also refreshes the client's routing view. */
  public ClusterStatus status() {
    CallState s = retrier.begin("status");
    StatusReply r = retrier.run(s, false, retrier.anyNode(),
        stub -> stub.status(StatusRequest.getDefaultInstance()));
    view.apply(r);
    return withLearnerProgress(Convert.status(r));
  }

  /**
   * Re-replication progress is known only at each shard's primary (DESIGN §6): asks the primary
   * of every shard with learners for its own Status, once per node, each within
   * {@link #PROGRESS_TIMEOUT}; a primary that does not answer leaves its shards without progress.
   */
  private ClusterStatus withLearnerProgress(ClusterStatus status) {
    Map<String, StatusReply> byPrimary = new HashMap<>();
    List<ShardLocation> shards = new ArrayList<>();
    for (ShardLocation loc : status.shards()) {
      if (loc.learners().isEmpty() || loc.primaryAddress().isEmpty()) {
        shards.add(loc);
        continue;
      }
      StatusReply r = byPrimary.computeIfAbsent(loc.primaryAddress(), this::statusAt);
      List<LearnerCopy> progress = List.of();
      for (ShardInfo s : r == null ? List.<ShardInfo>of() : r.getShardsList()) {
        if (s.getKeyspace().equals(loc.keyspace()) && s.getShard() == loc.shard()
            && s.getEpoch() == loc.epoch()) {
          progress = Convert.learnerProgress(s);
        }
      }
      shards.add(loc.withLearnerProgress(progress));
    }
    return new ClusterStatus(status.nodes(), shards, status.controller());
  }

  private StatusReply statusAt(String address) {
    CallState s = new CallState("status at " + address, System.nanoTime(),
        PROGRESS_TIMEOUT.toNanos());
    try {
      return retrier.run(s, false, cs -> address,
          stub -> stub.status(StatusRequest.getDefaultInstance()));
    } catch (BulwarkException e) {
      return null;
    }
  }

  /**
   * Asks the primary of {@code keyspace}/{@code shard} to hand over to {@code target}, one of
   * its backups (DESIGN §3 rule 8). Returns the configuration the request was made against once
   * the request is stored; the handover itself follows within about a lease.
   */
  public ShardLocation handOver(String keyspace, int shard, String target) {
    CallState s = retrier.begin("handover " + keyspace + "/" + shard + " to " + target);
    HandOverRequest req = HandOverRequest.newBuilder().setKeyspace(keyspace).setShard(shard)
        .setTarget(target).build();
    // Idempotent (the same request stored again), so retried like a read.
    HandOverReply r = retrier.run(s, false, retrier.anyNode(), stub -> stub.handOver(req));
    return Convert.shard(r.getShard());
  }

  // ---- transactions (DESIGN §5) ----

  /** Most attempts {@link #transact} makes by default before it gives up. */
  public static final int TRANSACT_ATTEMPTS_DEFAULT = 10;
  /** Pauses between {@link #transact} attempts grow from this... */
  static final long TRANSACT_BACKOFF_MIN_NANOS = 10_000_000L;
  /** ...up to this, drawn with full jitter. */
  static final long TRANSACT_BACKOFF_MAX_NANOS = 1_000_000_000L;

  /** Begins a transaction in the {@code default} keyspace. */
  public Transaction begin() {
    return begin(KeyspaceSpec.DEFAULT);
  }

  /** Begins a transaction in {@code keyspace} (a primary-backup keyspace). No network call. */
  public Transaction begin(String keyspace) {
    if (channels.isClosed()) {
      throw new IllegalStateException("client is closed");
    }
    return new Transaction(this, keyspace, ids.clientId() + ":t" + txnSeq.incrementAndGet());
  }

  /** {@link #transact(String, int, Function)} in {@code default}, with the default attempts. */
  public <T> T transact(Function<Transaction, T> body) {
    return transact(KeyspaceSpec.DEFAULT, TRANSACT_ATTEMPTS_DEFAULT, body);
  }

  /**
   * Runs {@code body} in a new transaction and commits it; on an abort (a conflict with another
   * transaction, or txn-timeout) runs it again in a new transaction after a pause that grows
   * exponentially from 10 ms to 1 s (full jitter), at most {@code attemptsMax} times in all.
   * {@code body} may run several times, so it must have no effects outside the transaction.
   *
   * @return what the committed attempt's {@code body} returned
   * @throws TransactionAbortedException after {@code attemptsMax} aborts; the message gives the
   *     count and the last reason
   * @throws BulwarkException any other failure of a read or of the commit, at once (an unknown
   *     outcome, {@code definite() == false}, is never retried: it may have committed)
   */
  public <T> T transact(String keyspace, int attemptsMax, Function<Transaction, T> body) {
    if (attemptsMax < 1) {
      throw new IllegalArgumentException("attemptsMax must be at least 1, was " + attemptsMax);
    }
    TransactionAbortedException last = null;
    for (int attempt = 1; attempt <= attemptsMax; attempt++) {
      Transaction tx = begin(keyspace);
      T result = body.apply(tx);
      try {
        tx.commit();
        return result;
      } catch (TransactionAbortedException e) {
        last = e;
      }
      if (attempt < attemptsMax) {
        pauseBeforeRetry(attempt);
      }
    }
    if (attemptsMax == 1) {
      throw last;
    }
    throw new TransactionAbortedException("(" + attemptsMax + " attempts)", "gave up after "
        + attemptsMax + " aborted attempts; last: " + last.reason());
  }

  private static void pauseBeforeRetry(int attempt) {
    long cap = Math.min(TRANSACT_BACKOFF_MAX_NANOS,
        TRANSACT_BACKOFF_MIN_NANOS << Math.min(attempt, 20));
    long nanos = java.util.concurrent.ThreadLocalRandom.current().nextLong(
        TRANSACT_BACKOFF_MIN_NANOS, cap + 1);
    try {
      java.util.concurrent.TimeUnit.NANOSECONDS.sleep(nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BulwarkException(ErrorCode.ABORTED, true, "transact interrupted", e);
    }
  }

  /**
   * Sends {@code tx}'s commit to the primary of its record shard (any node can coordinate; that
   * one saves a hop). If the answer is lost or UNKNOWN: a one-shard transaction (one phase, no
   * record) is committed again under the same id, which its shard deduplicates; a two-phase one
   * is never sent again — a coordinator starting after it finished could take its forgotten
   * entries for a NO — and the client asks the record shard instead ({@link #resolveTxn}).
   */
  TxnOutcomeMsg commitTxn(Transaction tx, CommitTxnRequest req) {
    String keyspace = tx.keyspace();
    CallState s = retrier.begin("txn commit " + tx.txnId());
    int shard = shardOf(s, keyspace, tx.recordKey());
    boolean onePhase = true;
    for (byte[] k : tx.keys()) {
      onePhase &= shardOf(s, keyspace, k) == shard;
    }
    CommitTxnReply r;
    try {
      r = keyed(keyspace, () -> retrier.run(s, true, retrier.shardPrimary(keyspace, shard),
          stub -> {
            if (s.maybeApplied) {
              throw new BulwarkException(ErrorCode.INDETERMINATE, false, "maybe sent");
            }
            return stub.commitTxn(req);
          }, s.remainingNanos()));
    } catch (BulwarkException e) {
      if (e.definite()) {
        throw e;
      }
      return onePhase ? recommit(tx, req, shard) : resolveTxn(tx, shard, e.getMessage());
    }
    if (Transaction.isFinal(tx, r)) {
      return TxnOutcomeMsg.OUTCOME_COMMITTED;
    }
    return onePhase ? recommit(tx, req, shard) : resolveTxn(tx, shard, r.getReason());
  }

  /** Commits a one-shard transaction again (deduplicated) until the answer is final. */
  private TxnOutcomeMsg recommit(Transaction tx, CommitTxnRequest req, int shard) {
    CallState s = retrier.begin("txn commit again " + tx.txnId());
    for (int pauses = 0; ; pauses++) {
      CommitTxnReply r;
      try {
        r = retrier.run(s, false, retrier.shardPrimary(tx.keyspace(), shard),
            stub -> stub.commitTxn(req), s.remainingNanos());
      } catch (BulwarkException e) {
        throw new BulwarkException(ErrorCode.INDETERMINATE, false, "transaction " + tx.txnId()
            + ": outcome unknown; committing it again failed: " + e.getMessage(), e);
      }
      if (Transaction.isFinal(tx, r)) {
        return TxnOutcomeMsg.OUTCOME_COMMITTED;
      }
      if (!retrier.backoff(s, pauses)) {
        throw new BulwarkException(ErrorCode.INDETERMINATE, false, "transaction " + tx.txnId()
            + ": outcome unknown at the deadline (" + r.getReason() + ")");
      }
    }
  }

  /** Asks the record shard for {@code tx}'s fate until it is final or the deadline passes. */
  private TxnOutcomeMsg resolveTxn(Transaction tx, int shard, String why) {
    CallState s = retrier.begin("txn resolve " + tx.txnId());
    ResolveTxnRequest req = tx.resolveRequest();
    for (int pauses = 0; ; pauses++) {
      ResolveTxnReply r;
      try {
        r = retrier.run(s, false, retrier.shardPrimary(tx.keyspace(), shard),
            stub -> stub.resolveTxn(req));
      } catch (BulwarkException e) {
        throw new BulwarkException(ErrorCode.INDETERMINATE, false, "transaction " + tx.txnId()
            + ": outcome unknown (" + why + "), and asking its record shard failed: "
            + e.getMessage(), e);
      }
      if (Transaction.isFinal(tx, r)) {
        return TxnOutcomeMsg.OUTCOME_COMMITTED;
      }
      if (!retrier.backoff(s, pauses)) {
        throw new BulwarkException(ErrorCode.INDETERMINATE, false, "transaction " + tx.txnId()
            + ": outcome unknown (" + why + "); its record was still PENDING at the deadline");
      }
    }
  }

  // ---- keyspaces ----

  /**
   * Creates a primary-backup keyspace (DESIGN §2). Retried like a write; it carries no request
   * id, so KEYSPACE_EXISTS with {@code definite() == false} may mean this call created it.
   *
   * @param acks {@code "all"} or {@code "primary"}
   */
  public KeyspaceInfo createKeyspace(String name, int replicas, int shards, int minInsync, String acks) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(acks, "acks");
    CallState s = retrier.begin("create-keyspace name=" + name);
    CreateKeyspaceRequest req = CreateKeyspaceRequest.newBuilder().setSpec(KeyspaceSpecMsg.newBuilder()
        .setName(name).setStrategy(PRIMARY_BACKUP).setReplicas(replicas).setShards(shards)
        .setMinInsync(minInsync).setAcks(acks)).build();
    KeyspaceReply r = retrier.run(s, true, retrier.anyNode(), stub -> stub.createKeyspace(req));
    return remember(r);
  }

  /**
   * Drops a keyspace and its data. Retried like a write; UNKNOWN_KEYSPACE with
   * {@code definite() == false} may mean this call dropped it.
   */
  public void dropKeyspace(String name) {
    Objects.requireNonNull(name, "name");
    CallState s = retrier.begin("drop-keyspace name=" + name);
    DropKeyspaceRequest req = DropKeyspaceRequest.newBuilder().setName(name).build();
    try {
      retrier.run(s, true, retrier.anyNode(), stub -> stub.dropKeyspace(req));
    } finally {
      view.forgetKeyspace(name);
    }
  }

  /** Every keyspace's spec; {@link KeyspaceInfo#shardLocations()} is empty here. */
  public List<KeyspaceInfo> listKeyspaces() {
    CallState s = retrier.begin("list-keyspaces");
    ListKeyspacesReply r = retrier.run(s, false, retrier.anyNode(),
        stub -> stub.listKeyspaces(ListKeyspacesRequest.getDefaultInstance()));
    List<KeyspaceInfo> out = new ArrayList<>(r.getKeyspacesCount());
    for (KeyspaceSpecMsg m : r.getKeyspacesList()) {
      view.putSpec(m);
      out.add(Convert.keyspace(m, List.of()));
    }
    return out;
  }

  /** A keyspace's spec and its shards' configurations. */
  public KeyspaceInfo describeKeyspace(String name) {
    Objects.requireNonNull(name, "name");
    CallState s = retrier.begin("describe-keyspace name=" + name);
    return remember(describe(s, name));
  }

  /** The random id that, with a seq, names each write of this client (DESIGN §3 rule 4). */
  public String clientId() {
    return ids.clientId();
  }

  /**
   * Closes every channel, waiting up to 5 s for calls in flight. Calls still running end with
   * a BulwarkException; later calls throw IllegalStateException. Idempotent.
   */
  @Override
  public void close() {
    retries.shutdown();
    sessions.close();
    channels.close();
  }

  @Override
  public String toString() {
    return "BulwarkClient[clientId=" + ids.clientId() + ", endpoints=" + endpoints + "]";
  }

  // ---- internals ----

  private WriteResult write(String op, String keyspace, byte[] key,
      BiFunction<BulwarkGrpc.BulwarkBlockingStub, RequestId, WriteReply> send) {
    CallState s = retrier.begin(op + " keyspace=" + keyspace);
    int shard = shardOf(s, keyspace, key);
    long seq = ids.begin();
    try {
      WriteReply r = keyed(keyspace, () -> retrier.run(s, true, retrier.shardPrimary(keyspace, shard),
          stub -> send.apply(stub, ids.idFor(seq))));
      return Convert.writeResult(r);
    } finally {
      // Success or not, this seq is never sent again: let the cluster forget it.
      ids.end(seq);
    }
  }

  private int shardOf(CallState s, String keyspace, byte[] key) {
    Objects.requireNonNull(key, "key");
    return spec(s, keyspace).shardOf(key);
  }

  private KeyspaceSpec spec(CallState s, String keyspace) {
    Objects.requireNonNull(keyspace, "keyspace");
    KeyspaceSpec spec = view.spec(keyspace);
    if (spec != null) {
      return spec;
    }
    remember(describe(s, keyspace));
    spec = view.spec(keyspace);
    if (spec == null) {
      throw s.fail(ErrorCode.INTERNAL, "keyspace " + keyspace + " was described with no shards", null);
    }
    return spec;
  }

  private KeyspaceReply describe(CallState s, String name) {
    DescribeKeyspaceRequest req = DescribeKeyspaceRequest.newBuilder().setName(name).build();
    return keyed(name, () -> retrier.run(s, false, retrier.anyNode(), stub -> stub.describeKeyspace(req)));
  }

  private KeyspaceInfo remember(KeyspaceReply r) {
    view.putSpec(r.getSpec());
    view.applyShards(r.getShardsList());
    return Convert.keyspace(r.getSpec(), r.getShardsList());
  }

  /** {@link #keyed} for an asynchronous call. */
  private <T> CompletableFuture<T> keyedAsync(String keyspace, CompletableFuture<T> call) {
    return call.whenComplete((r, e) -> {
      if (e instanceof BulwarkException b && b.code() == ErrorCode.UNKNOWN_KEYSPACE) {
        view.forgetKeyspace(keyspace);
      }
    });
  }

  /** Runs a keyspace's request; UNKNOWN_KEYSPACE also drops the keyspace from the cache. */
  private <T> T keyed(String keyspace, Supplier<T> call) {
    try {
      return call.get();
    } catch (BulwarkException e) {
      if (e.code() == ErrorCode.UNKNOWN_KEYSPACE) {
        view.forgetKeyspace(keyspace);
      }
      throw e;
    }
  }

  /** For tests. */
  RequestIds requestIds() {
    return ids;
  }

  /** For tests. */
  java.util.Map<String, ManagedChannel> channelsForTest() {
    return channels.snapshot();
  }

  /** For tests. */
  ClusterView view() {
    return view;
  }
}

package io.bulwark.storage;

import io.bulwark.core.common.Invariants;
import io.bulwark.core.common.ShardId;
import io.bulwark.core.pb.Command;
import io.bulwark.core.pb.Intent;
import io.bulwark.core.pb.KeyValue;
import io.bulwark.core.pb.LogEntry;
import io.bulwark.core.pb.Op;
import io.bulwark.core.pb.Outcome;
import io.bulwark.core.pb.PreparedTxn;
import io.bulwark.core.pb.ShardStateMachine;
import io.bulwark.core.pb.TxnRecord;
import io.bulwark.core.pb.TxnResult;
import io.bulwark.core.pb.TxnRules;
import io.bulwark.core.pb.Versioned;
import io.bulwark.storage.Rows.AppliedPosition;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.TreeSet;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * One shard's applied state in the node's RocksDB ({@code data} column family): user keys with
 * versions, the replicated dedup table and the applied {@code (index, epoch)} (DESIGN §3.4,
 * §3.12, §7). Implements {@link ShardStateMachine} as its Javadoc says.
 *
 * <p><b>Apply.</b> An entry's data change, dedup row and the forgetting of the client's rows
 * below its {@code firstUnackedSeq} go into the node store's pending apply batch, which
 * {@link NodeStore#flushApplies} writes once per replica-loop pass with the applied position of
 * every shard it touched; so recovery is a replay of the log from the stored applied index.
 * Every read goes through {@link #db()}, which writes the pending batch first: a read sees every
 * apply before it, and within one entry all reads come before its first write, so a batch never
 * holds part of an entry (checked). Internal commands ({@link Command#isInternal()}) get no
 * dedup row.
 *
 * <p><b>Transactions</b> (DESIGN §5). A prepared transaction (its intents and read locks) is a
 * row {@code prefix 'p' txnId}, a transaction record a row {@code prefix 'r' txnId} (see
 * {@link Keys}); both are written in the entry's batch with the data change and the dedup row,
 * carried in snapshots and replaced by an install. The vote is {@link TxnRules#vote}, the rule
 * every implementation shares; the rest follows {@code MemoryShardStateMachine}, the reference.
 * {@link TxnIndex} keeps the locks and the PENDING records in memory, rebuilt from the rows on
 * open (so crash replay starts from the state of the applied index) and changed once the entry's
 * rows are in the pending batch (a failed write of that batch halts the node).
 *
 * <p><b>Dedup index.</b> Which dedup rows a client has in this shard is also kept in memory
 * ({@link ClientRows}, loaded from disk on a client's first request and bounded to
 * {@link #CLIENTS_CACHED} clients), so forgetting deletes exactly the rows that exist and "was
 * this seq forgotten?" is answered without a seek. A range delete per write, and a seek over a
 * client's deleted rows per write, made every read of the shard slower with each write.
 *
 * <p><b>Threading.</b> Not thread-safe: used by one thread at a time, the shard core's (STYLE
 * P3). The runtime hands a shard to another thread only with a happens-before edge.
 *
 * <p><b>Durability.</b> Applies reach the WAL without a sync ({@link NodeStore#flushApplies});
 * {@link #install} is synced. Errors: {@link StorageException} for RocksDB failures,
 * {@link IllegalStateException} once the store is closed or the shard dropped, and
 * {@link Invariants.InvariantViolation} for an apply out of order or a corrupt stored row.
 */
public final class RocksShardStateMachine implements ShardStateMachine {
  private final NodeStore store;
  private final ShardId shard;
  private final byte[] prefix;
  private final byte[] appliedKey;
  private final byte[] dedupPrefix;
  private long appliedIndex;
  private long appliedEpoch;
  private volatile boolean dropped;
  private final TxnIndex txns = new TxnIndex();
  /** Changes to {@link #txns} of the entry being applied, run once its rows are batched. */
  private final List<Runnable> afterWrite = new ArrayList<>();
  /** While an entry is applied: the pending batch's size when it began; else -1. */
  private int entryStart = -1;

  /** Most clients whose dedup rows are indexed in memory; others are re-read on use. */
  static final int CLIENTS_CACHED = 4_096;

  /** A client's dedup rows in this shard, as stored: their seqs, and a FORGOTTEN marker's. */
  private static final class ClientRows {
    final TreeSet<Long> seqs = new TreeSet<>();
    /** Seq of the FORGOTTEN marker; it is always the lowest row. */
    Long marker;
  }

  private final Map<String, ClientRows> clients =
      new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ClientRows> eldest) {
          return size() > CLIENTS_CACHED;
        }
      };

  RocksShardStateMachine(NodeStore store, ShardId shard) {
    this.store = store;
    this.shard = shard;
    this.prefix = Keys.shardPrefix(shard);
    this.appliedKey = Keys.appliedKey(prefix);
    this.dedupPrefix = Keys.dedupPrefix(prefix);
    AppliedPosition position = store.call("load applied position", shard,
        () -> store.appliedPosition(shard));
    this.appliedIndex = position.index();
    this.appliedEpoch = position.epoch();
    store.call("load transaction state", shard, () -> {
      loadTxnIndex(null);
      return null;
    });
  }

  /** Rebuilds {@link #txns} from the stored rows (at {@code at}, or the latest state). */
  private void loadTxnIndex(org.rocksdb.Snapshot at) throws RocksDBException {
    txns.clear();
    readPrepared(at).forEach(txns::lock);
    readRecords(at).forEach(txns::record);
  }

  /** The stored prepared transactions, in preparation order. */
  private List<PreparedTxn> readPrepared(org.rocksdb.Snapshot at) throws RocksDBException {
    List<PreparedTxn> out = readTxnRows(Keys.PREPARED_TAG, at, Rows::prepared,
        PreparedTxn::txnId);
    out.sort(Comparator.comparingLong(PreparedTxn::preparedIndex));
    return out;
  }

  /** Every stored transaction record, in creation order. */
  private List<TxnRecord> readRecords(org.rocksdb.Snapshot at) throws RocksDBException {
    List<Map.Entry<Long, TxnRecord>> out = readTxnRows(Keys.RECORD_TAG, at,
        row -> Map.entry(Rows.recordOrder(row), Rows.record(row)), e -> e.getValue().txnId());
    out.sort(Map.Entry.comparingByKey());
    return out.stream().map(Map.Entry::getValue).toList();
  }

  /** Decodes every row under {@code prefix tag}, checking each is stored under its txn id. */
  private <T> List<T> readTxnRows(byte tag, org.rocksdb.Snapshot at,
      java.util.function.Function<byte[], T> decode,
      java.util.function.Function<T, String> txnIdOf) throws RocksDBException {
    List<T> out = new ArrayList<>();
    byte[] from = Keys.txnPrefix(prefix, tag);
    try (RangeIterator it = new RangeIterator(
        db(), store.dataCf(), from, Keys.successor(from), at)) {
      for (it.seekToFirst(); it.valid(); it.next()) {
        T row = decode.apply(it.value());
        Invariants.check(Arrays.equals(it.key(), Keys.txnKey(prefix, tag, txnIdOf.apply(row))),
            "shard %s: transaction row of %s stored under another key", shard,
            txnIdOf.apply(row));
        out.add(row);
      }
      it.checkStatus();
    }
    return out;
  }

  /** The shard this state machine holds. */
  public ShardId shard() {
    return shard;
  }

  @Override
  public long appliedIndex() {
    checkNotDropped();
    return appliedIndex;
  }

  /** The epoch of the last applied entry (or of the installed snapshot); 0 for an empty shard. */
  @Override
  public long appliedEpoch() {
    checkNotDropped();
    return appliedEpoch;
  }

  @Override
  public Outcome apply(LogEntry entry) {
    Objects.requireNonNull(entry, "entry");
    checkNotDropped();
    Invariants.check(entry.index() == appliedIndex + 1,
        "shard %s: apply of index %s, but the next index to apply is %s",
        shard, entry.index(), appliedIndex + 1);
    Invariants.check(entry.epoch() >= appliedEpoch,
        "shard %s: apply of index %s with epoch %s below the applied epoch %s",
        shard, entry.index(), entry.epoch(), appliedEpoch);
    try {
      return store.call("apply", shard, () -> {
        Outcome outcome = applyInBatch(entry);
        appliedIndex = entry.index();
        appliedEpoch = entry.epoch();
        store.pendingPosition(this);
        return outcome;
      });
    } catch (RuntimeException e) {
      clients.clear(); // The index may be ahead of a batch that was never written.
      afterWrite.clear();
      throw e;
    }
  }

  private Outcome applyInBatch(LogEntry entry) throws RocksDBException {
    Command command = entry.command();
    afterWrite.clear();
    WriteBatch batch = store.pendingApplies();
    entryStart = batch.count();
    try {
      Outcome outcome;
      if (command.isInternal()) {
        outcome = applyOp(batch, entry.index(), command.op());
      } else {
        Outcome recorded = readOutcome(command.clientId(), command.seq());
        if (recorded != null) {
          // A retry of an applied command returns the recorded outcome and changes nothing but
          // the applied position (DESIGN §3.4).
          outcome = recorded;
        } else {
          outcome = applyOp(batch, entry.index(), command.op());
          batch.put(store.dataCf(), Keys.dedupKey(prefix, command.clientId(), command.seq()),
              Rows.dedup(new DedupRecord(command.clientId(), command.seq(), outcome)));
          rows(command.clientId()).seqs.add(command.seq());
          forgetAcked(batch, command);
        }
      }
      afterWrite.forEach(Runnable::run);
      afterWrite.clear();
      return outcome;
    } finally {
      entryStart = -1;
    }
  }

  /**
   * Adds this shard's applied position to {@code batch}, which holds every apply up to it: the
   * data, the dedup rows and the applied position are written in one atomic batch, never apart.
   */
  void addAppliedPosition(WriteBatch batch) throws RocksDBException {
    batch.put(store.dataCf(), appliedKey,
        Rows.applied(new AppliedPosition(appliedIndex, appliedEpoch)));
  }

  /**
   * The database, for a read: writes the node's pending applies first, so the read sees them.
   * Inside an apply a read must come before the entry's first write, or the pending batch would
   * be written holding part of an entry.
   */
  private RocksDB db() throws RocksDBException {
    Invariants.check(entryStart < 0 || store.pendingApplies().count() == entryStart,
        "shard %s: a read inside an apply after the entry's first write", shard);
    store.writePendingApplies();
    if (entryStart >= 0) {
      entryStart = 0; // The batch is empty now; the entry still has written nothing.
    }
    return store.db();
  }

  /**
   * Deletes the client's dedup rows below its {@code firstUnackedSeq} once there are
   * {@link ShardStateMachine#forgetBatch} of them: it promised never to retry those seqs. Same
   * rule as {@code MemoryShardStateMachine} (forget only when a command is newly applied, after
   * recording it), so simulated and real dedup tables agree.
   */
  private void forgetAcked(WriteBatch batch, Command command) throws RocksDBException {
    if (command.firstUnackedSeq() <= 0) {
      return;
    }
    ClientRows rows = rows(command.clientId());
    NavigableSet<Long> forgettable = rows.seqs.headSet(command.firstUnackedSeq(), false);
    if (forgettable.size() < ShardStateMachine.forgetBatch(command.clientId())) {
      return;
    }
    for (long seq : forgettable) {
      batch.delete(store.dataCf(), Keys.dedupKey(prefix, command.clientId(), seq));
    }
    forgettable.clear();
    // Remember the forgetting (ShardStateMachine#FORGOTTEN): a stale duplicate of a forgotten
    // seq, still in the network, must not be applied again.
    long marker = command.firstUnackedSeq() - 1;
    batch.put(store.dataCf(), Keys.dedupKey(prefix, command.clientId(), marker),
        Rows.dedup(new DedupRecord(command.clientId(), marker, FORGOTTEN)));
    rows.seqs.add(marker);
    rows.marker = marker;
  }

  /** The client's rows, read from disk (one seek over its range) if not indexed yet. */
  private ClientRows rows(String clientId) throws RocksDBException {
    ClientRows rows = clients.get(clientId);
    if (rows != null) {
      return rows;
    }
    rows = new ClientRows();
    byte[] client = Keys.dedupClientPrefix(prefix, clientId);
    try (RangeIterator it = new RangeIterator(db(), store.dataCf(), client,
        Keys.successor(client), null)) {
      for (it.seekToFirst(); it.valid(); it.next()) {
        DedupRecord r = decodeDedup(it.key(), it.value());
        if (rows.seqs.isEmpty() && FORGOTTEN.equals(r.outcome())) {
          rows.marker = r.seq();
        }
        rows.seqs.add(r.seq());
      }
      it.checkStatus();
    }
    clients.put(clientId, rows);
    return rows;
  }

  /** Adds {@code op}'s change to {@code batch}, deciding its outcome on the current state. */
  private Outcome applyOp(WriteBatch batch, long index, Op op) throws RocksDBException {
    byte[] plainKey = TxnRules.plainWriteKey(op);
    String holder = plainKey == null ? null : txns.lockHolder(plainKey, null);
    if (holder != null) {
      // §5: a plain write that met a lock when it applied does not apply, and never will.
      return TxnRules.lockedOutcome(plainKey, holder, readData(plainKey));
    }
    if (op instanceof Op.Put put) {
      Objects.requireNonNull(put.key(), "put key");
      // A null value is stored as empty, as Codec carries it, so every replica agrees.
      byte[] value = put.value() == null ? new byte[0] : put.value();
      batch.put(store.dataCf(), Keys.dataKey(prefix, put.key()), Rows.versioned(index, value));
      return Outcome.applied(index);
    }
    if (op instanceof Op.Delete delete) {
      Objects.requireNonNull(delete.key(), "delete key");
      batch.delete(store.dataCf(), Keys.dataKey(prefix, delete.key()));
      return Outcome.applied(index);
    }
    if (op instanceof Op.Cas cas) {
      return applyCas(batch, index, cas);
    }
    if (op instanceof Op.Noop) {
      return Outcome.applied(index);
    }
    Outcome txnOutcome = applyTxnOp(batch, index, op);
    Invariants.check(txnOutcome != null, "shard %s: unknown op %s", shard,
        op.getClass().getSimpleName());
    return txnOutcome;
  }

  /** Adds a transaction op's change to {@code batch} (§5); null if {@code op} is none. */
  private Outcome applyTxnOp(WriteBatch batch, long index, Op op) throws RocksDBException {
    if (op instanceof Op.TxnPrepare p) {
      return Outcome.txn(index, applyPrepare(batch, index, p));
    }
    if (op instanceof Op.TxnCommit c) {
      PreparedTxn t = release(batch, c.txnId());
      if (t != null) {
        writeAll(batch, index, t.writes());
      }
      return Outcome.txn(index, TxnResult.of(TxnResult.Status.COMMITTED));
    }
    if (op instanceof Op.TxnAbort a) {
      release(batch, a.txnId());
      return Outcome.txn(index, TxnResult.of(TxnResult.Status.ABORTED));
    }
    if (op instanceof Op.TxnRecordCreate rc) {
      TxnRecord r = readRecord(rc.txnId());
      if (r == null) {
        r = new TxnRecord(rc.txnId(), TxnResult.Status.PENDING, rc.participants(),
            rc.timeoutNanos());
        putRecord(batch, index, r);
      }
      return Outcome.txn(index, TxnResult.of(r.status()));
    }
    if (op instanceof Op.TxnRecordDecide d) {
      return Outcome.txn(index, TxnResult.of(decide(batch, index, d)));
    }
    return null;
  }

  private TxnResult applyPrepare(WriteBatch batch, long index, Op.TxnPrepare p)
      throws RocksDBException {
    if (txns.prepared(p.txnId()) != null) {
      return TxnResult.of(TxnResult.Status.PREPARED); // Already holds its locks.
    }
    TxnResult vote = TxnRules.vote(p, this);
    if (vote.status() != TxnResult.Status.PREPARED) {
      return vote;
    }
    if (p.onePhase()) {
      writeAll(batch, index, p.writes());
      return TxnResult.of(TxnResult.Status.COMMITTED);
    }
    List<byte[]> readKeys = new ArrayList<>();
    p.reads().forEach(r -> readKeys.add(r.key()));
    PreparedTxn t = new PreparedTxn(p.txnId(), p.recordKey(), p.writes(), readKeys, index);
    batch.put(store.dataCf(), Keys.txnKey(prefix, Keys.PREPARED_TAG, t.txnId()),
        Rows.prepared(t));
    afterWrite.add(() -> txns.lock(t));
    return vote;
  }

  /** Drops {@code txnId}'s intents and read locks; returns what it held, or null. */
  private PreparedTxn release(WriteBatch batch, String txnId) throws RocksDBException {
    PreparedTxn t = txns.prepared(txnId);
    if (t != null) {
      batch.delete(store.dataCf(), Keys.txnKey(prefix, Keys.PREPARED_TAG, txnId));
      afterWrite.add(() -> txns.release(txnId));
    }
    return t;
  }

  private void writeAll(WriteBatch batch, long index, List<Op.TxnWrite> writes)
      throws RocksDBException {
    for (Op.TxnWrite w : writes) {
      byte[] dataKey = Keys.dataKey(prefix, w.key());
      if (w.value() == null) {
        batch.delete(store.dataCf(), dataKey);
      } else {
        batch.put(store.dataCf(), dataKey, Rows.versioned(index, w.value()));
      }
    }
  }

  /** The record CAS PENDING -> target; an absent record decided ABORTED is created ABORTED. */
  private TxnResult.Status decide(WriteBatch batch, long index, Op.TxnRecordDecide d)
      throws RocksDBException {
    Invariants.check(d.target() == TxnResult.Status.COMMITTED
        || d.target() == TxnResult.Status.ABORTED, "decide to %s", d.target());
    TxnRecord r = readRecord(d.txnId());
    if (r == null) {
      if (d.target() == TxnResult.Status.COMMITTED) {
        return TxnResult.Status.ABSENT;
      }
      // Created ABORTED so that a late TxnRecordCreate finds it (DESIGN §5).
      putRecord(batch, index, new TxnRecord(d.txnId(), TxnResult.Status.ABORTED, List.of(), 0));
      return TxnResult.Status.ABORTED;
    }
    if (r.status() != TxnResult.Status.PENDING) {
      return r.status();
    }
    byte[] row = db().get(store.dataCf(), Keys.txnKey(prefix, Keys.RECORD_TAG, r.txnId()));
    putRecord(batch, Rows.recordOrder(row),
        new TxnRecord(r.txnId(), d.target(), r.participants(), r.timeoutNanos()));
    return d.target();
  }

  private void putRecord(WriteBatch batch, long order, TxnRecord r) throws RocksDBException {
    batch.put(store.dataCf(), Keys.txnKey(prefix, Keys.RECORD_TAG, r.txnId()),
        Rows.record(order, r));
    afterWrite.add(() -> txns.record(r));
  }

  /** The record of {@code txnId}: PENDING ones from memory, final ones from disk. */
  private TxnRecord readRecord(String txnId) throws RocksDBException {
    TxnRecord pending = txns.pendingRecord(txnId);
    if (pending != null) {
      return pending;
    }
    byte[] row = db().get(store.dataCf(), Keys.txnKey(prefix, Keys.RECORD_TAG, txnId));
    return row == null ? null : Rows.record(row);
  }

  private Versioned readData(byte[] key) throws RocksDBException {
    byte[] row = db().get(store.dataCf(), Keys.dataKey(prefix, key));
    return row == null ? null : Rows.versioned(row);
  }

  private Outcome applyCas(WriteBatch batch, long index, Op.Cas cas) throws RocksDBException {
    Objects.requireNonNull(cas.key(), "cas key");
    byte[] dataKey = Keys.dataKey(prefix, cas.key());
    byte[] row = db().get(store.dataCf(), dataKey);
    Versioned current = row == null ? null : Rows.versioned(row);
    if (!cas.matches(current)) {
      return current == null
          ? new Outcome(false, 0, null)
          : new Outcome(false, current.version(), current.value());
    }
    if (cas.newValue() == null) {
      batch.delete(store.dataCf(), dataKey);
    } else {
      batch.put(store.dataCf(), dataKey, Rows.versioned(index, cas.newValue()));
    }
    return Outcome.applied(index);
  }

  @Override
  public Outcome appliedOutcome(String clientId, long seq) {
    Objects.requireNonNull(clientId, "clientId");
    checkNotDropped();
    return store.call("appliedOutcome", shard, () -> readOutcome(clientId, seq));
  }

  private Outcome readOutcome(String clientId, long seq) throws RocksDBException {
    ClientRows rows = rows(clientId);
    if (rows.seqs.contains(seq)) {
      byte[] key = Keys.dedupKey(prefix, clientId, seq);
      byte[] row = db().get(store.dataCf(), key);
      Invariants.check(row != null, "shard %s: dedup row of (%s, %s) indexed but not stored",
          shard, clientId, seq);
      return decodeDedup(key, row).outcome();
    }
    // No record: forgotten if the client's lowest row is a forgetting marker above this seq.
    return rows.marker != null && rows.marker > seq ? FORGOTTEN : null;
  }

  private DedupRecord decodeDedup(byte[] key, byte[] row) {
    DedupRecord record = Rows.dedupOrNull(row);
    if (record == null) {
      throw new StorageException("corrupt dedup row of shard " + shard + " in node store "
          + store.directory() + ": undecodable", null);
    }
    Invariants.check(Arrays.equals(
            key, Keys.dedupKey(prefix, record.clientId(), record.seq())),
        "shard %s: dedup row of (%s, %s) stored under another key", shard,
        record.clientId(), record.seq());
    return record;
  }

  @Override
  public Versioned get(byte[] key) {
    Objects.requireNonNull(key, "key");
    checkNotDropped();
    return store.call("get", shard, () -> readData(key));
  }

  @Override
  public List<KeyValue> scan(byte[] keyPrefix, int limit) {
    Objects.requireNonNull(keyPrefix, "keyPrefix");
    if (limit < 0) {
      throw new IllegalArgumentException("scan limit must be >= 0, was " + limit);
    }
    checkNotDropped();
    if (limit == 0) {
      return List.of();
    }
    return store.call("scan", shard, () -> {
      byte[] from = Keys.dataKey(prefix, keyPrefix);
      List<KeyValue> result = new ArrayList<>(Math.min(limit, 1024));
      try (RangeIterator it = new RangeIterator(
          db(), store.dataCf(), from, Keys.successor(from), null)) {
        for (it.seekToFirst(); it.valid() && result.size() < limit; it.next()) {
          Versioned v = Rows.versioned(it.value());
          result.add(new KeyValue(Keys.userKey(prefix, it.key()), v.value(), v.version()));
        }
        it.checkStatus();
      }
      return result;
    });
  }

  /**
   * Reads the shard's keys, dedup table and applied position at one RocksDB snapshot, so the
   * copy is consistent even if the store is written meanwhile.
   */
  @Override
  public Snapshot snapshot() {
    checkNotDropped();
    return store.call("snapshot", shard, () -> {
      RocksDB db = db();
      // Fully qualified: ShardStateMachine.Snapshot is the core's record of the same name.
      org.rocksdb.Snapshot at = db.getSnapshot();
      try {
        AppliedPosition position;
        try (org.rocksdb.ReadOptions options = new org.rocksdb.ReadOptions().setSnapshot(at)) {
          position = Rows.applied(db.get(store.dataCf(), options, appliedKey));
        }
        List<KeyValue> entries = new ArrayList<>();
        byte[] dataPrefix = Keys.dataPrefix(prefix);
        try (RangeIterator it = new RangeIterator(
            db, store.dataCf(), dataPrefix, Keys.successor(dataPrefix), at)) {
          for (it.seekToFirst(); it.valid(); it.next()) {
            Versioned v = Rows.versioned(it.value());
            entries.add(new KeyValue(Keys.userKey(prefix, it.key()), v.value(), v.version()));
          }
          it.checkStatus();
        }
        List<DedupRecord> dedup = new ArrayList<>();
        try (RangeIterator it = new RangeIterator(
            db, store.dataCf(), dedupPrefix, Keys.successor(dedupPrefix), at)) {
          for (it.seekToFirst(); it.valid(); it.next()) {
            dedup.add(decodeDedup(it.key(), it.value()));
          }
          it.checkStatus();
        }
        return new Snapshot(position.index(), position.epoch(), entries, dedup,
            new TxnState(readPrepared(at), readRecords(at)));
      } finally {
        db.releaseSnapshot(at);
      }
    });
  }

  /**
   * Replaces the shard's applied state with {@code snapshot}'s in one synced batch: the
   * shard's whole data range is deleted, then the snapshot's keys, dedup rows and applied
   * position are written. The log is not touched; the runtime truncates or trims it.
   */
  @Override
  public void install(Snapshot snapshot) {
    Objects.requireNonNull(snapshot, "snapshot");
    checkNotDropped();
    checkInstallable(snapshot);
    store.call("install", shard, () -> {
      try (WriteBatch batch = new WriteBatch()) {
        batch.deleteRange(store.dataCf(), prefix, Keys.successor(prefix));
        for (KeyValue kv : snapshot.entries()) {
          batch.put(store.dataCf(), Keys.dataKey(prefix, kv.key()),
              Rows.versioned(kv.version(), kv.value()));
        }
        for (DedupRecord r : snapshot.dedup()) {
          batch.put(store.dataCf(), Keys.dedupKey(prefix, r.clientId(), r.seq()), Rows.dedup(r));
        }
        for (PreparedTxn t : snapshot.txn().prepared()) {
          batch.put(store.dataCf(), Keys.txnKey(prefix, Keys.PREPARED_TAG, t.txnId()),
              Rows.prepared(t));
        }
        List<TxnRecord> records = snapshot.txn().records();
        for (int i = 0; i < records.size(); i++) {
          // Creation order: the snapshot's list order; later records order by their index,
          // which exceeds the snapshot's and so the list's length.
          batch.put(store.dataCf(), Keys.txnKey(prefix, Keys.RECORD_TAG,
              records.get(i).txnId()), Rows.record(i, records.get(i)));
        }
        batch.put(store.dataCf(), appliedKey,
            Rows.applied(new AppliedPosition(snapshot.index(), snapshot.epoch())));
        // Synced: the runtime acts on the new applied index at once (it trims or truncates
        // the log, acks the primary), and the replaced state is not in any log to replay.
        db().write(store.syncedWrite(), batch);
      }
      loadTxnIndex(null);
      return null;
    });
    clients.clear();
    appliedIndex = snapshot.index();
    appliedEpoch = snapshot.epoch();
  }

  @Override
  public Intent intentOn(byte[] key) {
    Objects.requireNonNull(key, "key");
    checkNotDropped();
    return txns.intentOn(key);
  }

  @Override
  public String lockHolder(byte[] key, String exceptTxnId) {
    Objects.requireNonNull(key, "key");
    checkNotDropped();
    return txns.lockHolder(key, exceptTxnId);
  }

  @Override
  public TxnRecord txnRecord(String txnId) {
    Objects.requireNonNull(txnId, "txnId");
    checkNotDropped();
    return store.call("txnRecord", shard, () -> readRecord(txnId));
  }

  @Override
  public List<PreparedTxn> preparedTxns() {
    checkNotDropped();
    return txns.preparedTxns();
  }

  @Override
  public List<TxnRecord> pendingTxnRecords() {
    checkNotDropped();
    return txns.pendingRecords();
  }

  /** Refuses, before writing anything, a snapshot that no replica could have produced. */
  private void checkInstallable(Snapshot snapshot) {
    for (PreparedTxn t : snapshot.txn().prepared()) {
      if (t.txnId() == null || t.txnId().isEmpty() || t.preparedIndex() > snapshot.index()) {
        throw new IllegalArgumentException("snapshot of shard " + shard + " at index "
            + snapshot.index() + " holds a prepared txn without id or prepared later");
      }
    }
    for (TxnRecord r : snapshot.txn().records()) {
      if (r.txnId() == null || r.txnId().isEmpty() || r.status() == null) {
        throw new IllegalArgumentException("snapshot of shard " + shard
            + " holds a transaction record without id or status");
      }
    }
    if (snapshot.index() < 0 || snapshot.epoch() < 0) {
      throw new IllegalArgumentException("snapshot of shard " + shard + " at (epoch "
          + snapshot.epoch() + ", index " + snapshot.index() + ") has a negative position");
    }
    for (KeyValue kv : snapshot.entries()) {
      if (kv.key() == null || kv.value() == null) {
        throw new IllegalArgumentException(
            "snapshot of shard " + shard + " has a null key or value");
      }
      if (kv.version() < 1 || kv.version() > snapshot.index()) {
        throw new IllegalArgumentException("snapshot of shard " + shard + " at index "
            + snapshot.index() + " holds a key with version " + kv.version());
      }
    }
    for (DedupRecord r : snapshot.dedup()) {
      if (r.clientId() == null || r.clientId().isEmpty() || r.outcome() == null) {
        throw new IllegalArgumentException(
            "snapshot of shard " + shard + " has a dedup row without client id or outcome");
      }
    }
  }

  void markDropped() {
    dropped = true;
  }

  private void checkNotDropped() {
    if (dropped) {
      throw new IllegalStateException("shard " + shard + " was dropped from node store "
          + store.directory() + "; get a new state machine");
    }
  }
}

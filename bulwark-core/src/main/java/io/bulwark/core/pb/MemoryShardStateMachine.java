package io.bulwark.core.pb;

import io.bulwark.core.common.Invariants;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A {@link ShardStateMachine} in memory, for unit tests and the simulator. It follows the same
 * contract as the RocksDB one; "not durable when apply returns" is modelled by the simulator,
 * which replaces it with a copy of its last durable state on a crash. It is the reference for the
 * transaction rules of DESIGN §5 (see the transaction ops in {@link Op}): the vote is
 * {@link TxnRules#vote}; intents and read locks are indexes over the prepared transactions.
 */
public final class MemoryShardStateMachine implements ShardStateMachine {
  private final TreeMap<String, KeyValue> data = new TreeMap<>();
  private final Map<String, TreeMap<Long, Outcome>> dedup = new HashMap<>();
  private long appliedIndex;
  private long appliedEpoch;
  /** Prepared, unresolved transactions in preparation order. */
  private final LinkedHashMap<String, PreparedTxn> prepared = new LinkedHashMap<>();
  /** Key -> the txn holding its write intent. */
  private final Map<String, String> intents = new HashMap<>();
  /** Key -> the txns holding read locks on it (sorted: deterministic choice of holder). */
  private final Map<String, TreeSet<String>> readLocks = new HashMap<>();
  /** Transaction records in creation order. */
  private final LinkedHashMap<String, TxnRecord> records = new LinkedHashMap<>();
  /** The PENDING ones among them (records are kept, so this index keeps ticks cheap). */
  private final LinkedHashMap<String, TxnRecord> pendingRecords = new LinkedHashMap<>();

  @Override
  public long appliedIndex() {
    return appliedIndex;
  }

  @Override
  public long appliedEpoch() {
    return appliedEpoch;
  }

  @Override
  public Outcome apply(LogEntry entry) {
    Invariants.check(entry.index() == appliedIndex + 1,
        "apply of %s after %s", entry.index(), appliedIndex);
    Command c = entry.command();
    Outcome o = c.isInternal() ? null : appliedOutcome(c.clientId(), c.seq());
    if (o == null) {
      o = applyOp(entry.index(), c.op());
      if (!c.isInternal()) {
        TreeMap<Long, Outcome> rows = dedup.computeIfAbsent(c.clientId(), k -> new TreeMap<>());
        rows.put(c.seq(), o);
        SortedMap<Long, Outcome> forgettable = rows.headMap(c.firstUnackedSeq());
        if (forgettable.size() >= ShardStateMachine.forgetBatch(c.clientId())) {
          // Remember the forgetting, so a stale duplicate of a forgotten seq is not re-applied.
          forgettable.clear();
          rows.put(c.firstUnackedSeq() - 1, FORGOTTEN);
        }
      }
    }
    appliedIndex = entry.index();
    appliedEpoch = entry.epoch();
    return o;
  }

  private Outcome applyOp(long index, Op op) {
    byte[] plainKey = TxnRules.plainWriteKey(op);
    if (plainKey != null) {
      String holder = lockHolder(plainKey, null);
      if (holder != null) {
        return TxnRules.lockedOutcome(plainKey, holder, get(plainKey));
      }
    }
    if (op instanceof Op.TxnPrepare p) {
      return Outcome.txn(index, applyPrepare(index, p));
    }
    if (op instanceof Op.TxnCommit c) {
      PreparedTxn t = release(c.txnId());
      if (t != null) {
        writeAll(index, t.writes());
      }
      return Outcome.txn(index, TxnResult.of(TxnResult.Status.COMMITTED));
    }
    if (op instanceof Op.TxnAbort a) {
      release(a.txnId());
      return Outcome.txn(index, TxnResult.of(TxnResult.Status.ABORTED));
    }
    if (op instanceof Op.TxnRecordCreate rc) {
      if (!records.containsKey(rc.txnId())) {
        putRecord(new TxnRecord(rc.txnId(), TxnResult.Status.PENDING, rc.participants(),
            rc.timeoutNanos()));
      }
      return Outcome.txn(index, TxnResult.of(records.get(rc.txnId()).status()));
    }
    if (op instanceof Op.TxnRecordDecide d) {
      return Outcome.txn(index, TxnResult.of(decide(d)));
    }
    if (op instanceof Op.Put p) {
      data.put(key(p.key()), new KeyValue(p.key(), p.value(), index));
      return Outcome.applied(index);
    }
    if (op instanceof Op.Delete d) {
      data.remove(key(d.key()));
      return Outcome.applied(index);
    }
    if (op instanceof Op.Cas cas) {
      Versioned cur = get(cas.key());
      if (!cas.matches(cur)) {
        return new Outcome(false, cur == null ? 0 : cur.version(), cur == null ? null : cur.value());
      }
      if (cas.newValue() == null) {
        data.remove(key(cas.key()));
      } else {
        data.put(key(cas.key()), new KeyValue(cas.key(), cas.newValue(), index));
      }
      return Outcome.applied(index);
    }
    return Outcome.applied(index);
  }

  private TxnResult applyPrepare(long index, Op.TxnPrepare p) {
    if (prepared.containsKey(p.txnId())) {
      return TxnResult.of(TxnResult.Status.PREPARED); // Already holds its locks.
    }
    TxnResult vote = TxnRules.vote(p, this);
    if (vote.status() != TxnResult.Status.PREPARED) {
      return vote;
    }
    if (p.onePhase()) {
      writeAll(index, p.writes());
      return TxnResult.of(TxnResult.Status.COMMITTED);
    }
    List<byte[]> readKeys = new ArrayList<>();
    p.reads().forEach(r -> readKeys.add(r.key()));
    lock(new PreparedTxn(p.txnId(), p.recordKey(), p.writes(), readKeys, index));
    return vote;
  }

  private void lock(PreparedTxn t) {
    prepared.put(t.txnId(), t);
    for (Op.TxnWrite w : t.writes()) {
      String prev = intents.put(key(w.key()), t.txnId());
      Invariants.check(prev == null || prev.equals(t.txnId()), "intent of %s over %s's",
          t.txnId(), prev);
    }
    for (byte[] k : t.readKeys()) {
      readLocks.computeIfAbsent(key(k), x -> new TreeSet<>()).add(t.txnId());
    }
  }

  /** Removes {@code txnId}'s intents and read locks; returns what it held, or null. */
  private PreparedTxn release(String txnId) {
    PreparedTxn t = prepared.remove(txnId);
    if (t == null) {
      return null;
    }
    for (Op.TxnWrite w : t.writes()) {
      intents.remove(key(w.key()));
    }
    for (byte[] k : t.readKeys()) {
      TreeSet<String> holders = readLocks.get(key(k));
      holders.remove(txnId);
      if (holders.isEmpty()) {
        readLocks.remove(key(k));
      }
    }
    return t;
  }

  private void writeAll(long index, List<Op.TxnWrite> writes) {
    for (Op.TxnWrite w : writes) {
      if (w.value() == null) {
        data.remove(key(w.key()));
      } else {
        data.put(key(w.key()), new KeyValue(w.key(), w.value(), index));
      }
    }
  }

  private TxnResult.Status decide(Op.TxnRecordDecide d) {
    Invariants.check(d.target() == TxnResult.Status.COMMITTED
        || d.target() == TxnResult.Status.ABORTED, "decide to %s", d.target());
    TxnRecord r = records.get(d.txnId());
    if (r == null) {
      if (d.target() == TxnResult.Status.COMMITTED) {
        return TxnResult.Status.ABSENT;
      }
      // Created ABORTED so that a late TxnRecordCreate finds it (DESIGN §5).
      putRecord(new TxnRecord(d.txnId(), TxnResult.Status.ABORTED, List.of(), 0));
      return TxnResult.Status.ABORTED;
    }
    if (r.status() == TxnResult.Status.PENDING) {
      putRecord(new TxnRecord(r.txnId(), d.target(), r.participants(), r.timeoutNanos()));
      return d.target();
    }
    return r.status();
  }

  private void putRecord(TxnRecord r) {
    records.put(r.txnId(), r);
    if (r.status() == TxnResult.Status.PENDING) {
      pendingRecords.put(r.txnId(), r);
    } else {
      pendingRecords.remove(r.txnId());
    }
  }

  @Override
  public Intent intentOn(byte[] k) {
    String txnId = intents.get(key(k));
    if (txnId == null) {
      return null;
    }
    PreparedTxn t = prepared.get(txnId);
    for (Op.TxnWrite w : t.writes()) {
      if (Arrays.equals(w.key(), k)) {
        return new Intent(txnId, t.recordKey(), k, w.value());
      }
    }
    throw new Invariants.InvariantViolation("intent index names " + txnId + " for a key it"
        + " does not write");
  }

  @Override
  public String lockHolder(byte[] k, String exceptTxnId) {
    String intent = intents.get(key(k));
    if (intent != null && !intent.equals(exceptTxnId)) {
      return intent;
    }
    TreeSet<String> holders = readLocks.get(key(k));
    if (holders != null) {
      for (String h : holders) {
        if (!h.equals(exceptTxnId)) {
          return h;
        }
      }
    }
    return null;
  }

  @Override
  public TxnRecord txnRecord(String txnId) {
    return records.get(txnId);
  }

  @Override
  public List<PreparedTxn> preparedTxns() {
    return List.copyOf(prepared.values());
  }

  @Override
  public List<TxnRecord> pendingTxnRecords() {
    return List.copyOf(pendingRecords.values());
  }

  @Override
  public Outcome appliedOutcome(String clientId, long seq) {
    TreeMap<Long, Outcome> rows = dedup.get(clientId);
    if (rows == null) {
      return null;
    }
    Outcome o = rows.get(seq);
    if (o == null && !rows.isEmpty() && seq < rows.firstKey()
        && FORGOTTEN.equals(rows.firstEntry().getValue())) {
      return FORGOTTEN;
    }
    return o;
  }

  @Override
  public Versioned get(byte[] key) {
    KeyValue kv = data.get(key(key));
    return kv == null ? null : new Versioned(kv.value(), kv.version());
  }

  @Override
  public List<KeyValue> scan(byte[] prefix, int limit) {
    List<KeyValue> out = new ArrayList<>();
    Iterator<KeyValue> it = data.tailMap(key(prefix)).values().iterator();
    while (it.hasNext() && out.size() < limit) {
      KeyValue kv = it.next();
      if (kv.key().length < prefix.length
          || !Arrays.equals(Arrays.copyOf(kv.key(), prefix.length), prefix)) {
        break;
      }
      out.add(kv);
    }
    return out;
  }

  @Override
  public Snapshot snapshot() {
    List<DedupRecord> rows = new ArrayList<>();
    dedup.forEach((client, m) -> m.forEach((seq, o) -> rows.add(new DedupRecord(client, seq, o))));
    return new Snapshot(appliedIndex, appliedEpoch, new ArrayList<>(data.values()), rows,
        new TxnState(List.copyOf(prepared.values()), List.copyOf(records.values())));
  }

  @Override
  public void install(Snapshot s) {
    data.clear();
    dedup.clear();
    prepared.clear();
    intents.clear();
    readLocks.clear();
    records.clear();
    pendingRecords.clear();
    s.txn().prepared().forEach(this::lock);
    s.txn().records().forEach(this::putRecord);
    for (KeyValue kv : s.entries()) {
      data.put(key(kv.key()), kv);
    }
    for (DedupRecord r : s.dedup()) {
      dedup.computeIfAbsent(r.clientId(), k -> new TreeMap<>()).put(r.seq(), r.outcome());
    }
    appliedIndex = s.index();
    appliedEpoch = s.epoch();
  }

  /** Byte-order key: ISO-8859-1 maps each byte to one char, so String order = unsigned order. */
  private static String key(byte[] k) {
    return new String(k, java.nio.charset.StandardCharsets.ISO_8859_1);
  }
}

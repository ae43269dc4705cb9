package io.bulwark.storage;

import io.bulwark.core.common.Invariants;
import io.bulwark.core.pb.Intent;
import io.bulwark.core.pb.Op;
import io.bulwark.core.pb.PreparedTxn;
import io.bulwark.core.pb.TxnRecord;
import io.bulwark.core.pb.TxnResult;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The in-memory index of one shard's transaction state (DESIGN §5) over what
 * {@link RocksShardStateMachine} stores: the prepared transactions with the intents and read
 * locks they hold, and the records still PENDING (final records are only on disk). The replica
 * asks for locks on every plain write and for the prepared and pending lists on every tick, so
 * these must not cost a disk read.
 *
 * <p>It is rebuilt from the stored rows when the state machine is created (crash replay starts
 * from it) and when a snapshot is installed, and changed only after the write batch holding the
 * same change was written, so it never shows state the disk does not hold. Not thread-safe: the
 * shard core's thread only.
 */
final class TxnIndex {
  /** Prepared, unresolved transactions, in preparation order. */
  private final LinkedHashMap<String, PreparedTxn> prepared = new LinkedHashMap<>();
  /** Key -> the transaction holding its write intent. */
  private final Map<ByteBuffer, String> intents = new HashMap<>();
  /** Key -> the transactions holding a read lock on it (sorted: a deterministic holder). */
  private final Map<ByteBuffer, TreeSet<String>> readLocks = new HashMap<>();
  /** PENDING records, in creation order. */
  private final LinkedHashMap<String, TxnRecord> pending = new LinkedHashMap<>();

  void clear() {
    prepared.clear();
    intents.clear();
    readLocks.clear();
    pending.clear();
  }

  /** Adds a prepared transaction's intents and read locks; they must be free for it. */
  void lock(PreparedTxn t) {
    Invariants.check(!prepared.containsKey(t.txnId()), "txn %s prepared twice", t.txnId());
    prepared.put(t.txnId(), t);
    for (Op.TxnWrite w : t.writes()) {
      String previous = intents.put(ByteBuffer.wrap(w.key()), t.txnId());
      Invariants.check(previous == null, "intent of txn %s over txn %s's", t.txnId(), previous);
    }
    for (byte[] k : t.readKeys()) {
      readLocks.computeIfAbsent(ByteBuffer.wrap(k), x -> new TreeSet<>()).add(t.txnId());
    }
  }

  /** Drops {@code txnId}'s intents and read locks; returns what it held, or null. */
  PreparedTxn release(String txnId) {
    PreparedTxn t = prepared.remove(txnId);
    if (t == null) {
      return null;
    }
    for (Op.TxnWrite w : t.writes()) {
      intents.remove(ByteBuffer.wrap(w.key()));
    }
    for (byte[] k : t.readKeys()) {
      ByteBuffer key = ByteBuffer.wrap(k);
      TreeSet<String> holders = readLocks.get(key);
      holders.remove(txnId);
      if (holders.isEmpty()) {
        readLocks.remove(key);
      }
    }
    return t;
  }

  PreparedTxn prepared(String txnId) {
    return prepared.get(txnId);
  }

  /** Records {@code r} as the record's state: kept while PENDING, dropped once final. */
  void record(TxnRecord r) {
    if (r.status() == TxnResult.Status.PENDING) {
      pending.put(r.txnId(), r);
    } else {
      pending.remove(r.txnId());
    }
  }

  TxnRecord pendingRecord(String txnId) {
    return pending.get(txnId);
  }

  Intent intentOn(byte[] key) {
    String txnId = intents.get(ByteBuffer.wrap(key));
    if (txnId == null) {
      return null;
    }
    for (Op.TxnWrite w : prepared.get(txnId).writes()) {
      if (ByteBuffer.wrap(w.key()).equals(ByteBuffer.wrap(key))) {
        return new Intent(txnId, prepared.get(txnId).recordKey(), key, w.value());
      }
    }
    throw new Invariants.InvariantViolation(
        "intent index names txn " + txnId + " for a key it does not write");
  }

  String lockHolder(byte[] key, String exceptTxnId) {
    String writer = intents.get(ByteBuffer.wrap(key));
    if (writer != null && !writer.equals(exceptTxnId)) {
      return writer;
    }
    TreeSet<String> readers = readLocks.get(ByteBuffer.wrap(key));
    if (readers == null) {
      return null;
    }
    return readers.stream().filter(h -> !h.equals(exceptTxnId)).findFirst().orElse(null);
  }

  List<PreparedTxn> preparedTxns() {
    return List.copyOf(prepared.values());
  }

  List<TxnRecord> pendingRecords() {
    return new ArrayList<>(pending.values());
  }
}

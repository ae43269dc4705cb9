package io.bulwark.client;

import com.google.protobuf.ByteString;
import io.bulwark.proto.v1.CommitTxnReply;
import io.bulwark.proto.v1.CommitTxnRequest;
import io.bulwark.proto.v1.ResolveTxnReply;
import io.bulwark.proto.v1.ResolveTxnRequest;
import io.bulwark.proto.v1.TxnOutcomeMsg;
import io.bulwark.proto.v1.TxnReadMsg;
import io.bulwark.proto.v1.TxnWriteMsg;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One transaction of a {@link BulwarkClient} (DESIGN §5, docs/transactions.md): reads go to the
 * cluster at once (linearizable, as {@link BulwarkClient#get}) and the version of each key read is
 * remembered; writes are buffered; {@link #commit} sends both to a coordinator, which commits them
 * atomically — across shards — only if no key read has changed and no other transaction holds
 * them. A read of a key this transaction wrote returns the buffered value.
 *
 * <p>Outcomes of {@link #commit}: returns = committed; {@link TransactionAbortedException} =
 * certainly not applied (retry the whole transaction, as {@link BulwarkClient#transact} does);
 * {@link BulwarkException} with {@code definite() == false} = unknown (the client asked the
 * record shard until its deadline without a final answer — rare: the record shard's primary
 * aborts an undecided transaction after txn-timeout).
 *
 * <p>Not thread-safe: one thread uses a transaction, once. Its id is
 * {@code clientId + ":t" + n}.
 */
public final class Transaction {
  /** The state of the outcome. */
  private enum State { OPEN, COMMITTING, DONE }

  private final BulwarkClient client;
  private final String keyspace;
  private final String txnId;
  private final Map<ByteBuffer, Long> readVersions = new LinkedHashMap<>();
  private final Map<ByteBuffer, Optional<VersionedValue>> readValues = new LinkedHashMap<>();
  private final Map<ByteBuffer, byte[]> writes = new LinkedHashMap<>();
  private State state = State.OPEN;

  Transaction(BulwarkClient client, String keyspace, String txnId) {
    this.client = client;
    this.keyspace = Objects.requireNonNull(keyspace, "keyspace");
    this.txnId = txnId;
  }

  /** The id the cluster knows this transaction by. */
  public String txnId() {
    return txnId;
  }

  public String keyspace() {
    return keyspace;
  }

  /**
   * The value of {@code key}: this transaction's own buffered write if there is one, else a
   * linearizable read whose version the commit will check. A key read twice is read from the
   * cluster once.
   */
  public Optional<VersionedValue> get(byte[] key) {
    checkOpen();
    ByteBuffer k = ByteBuffer.wrap(key.clone());
    if (writes.containsKey(k)) {
      byte[] v = writes.get(k);
      return v == null ? Optional.empty() : Optional.of(new VersionedValue(v.clone(), 0));
    }
    Optional<VersionedValue> seen = readValues.get(k);
    if (seen == null) {
      seen = client.get(keyspace, key);
      readValues.put(k, seen);
      readVersions.put(k, seen.map(VersionedValue::version).orElse(0L));
    }
    return seen;
  }

  /** Buffers a write of {@code value} under {@code key} (a later write of the key replaces it). */
  public void put(byte[] key, byte[] value) {
    checkOpen();
    writes.put(ByteBuffer.wrap(key.clone()), Objects.requireNonNull(value, "value").clone());
  }

  /** Buffers a delete of {@code key}. */
  public void delete(byte[] key) {
    checkOpen();
    writes.put(ByteBuffer.wrap(key.clone()), null);
  }

  /** The keys read so far and what each read returned (empty: absent), in read order. */
  public Map<byte[], Optional<VersionedValue>> reads() {
    Map<byte[], Optional<VersionedValue>> out = new LinkedHashMap<>();
    readValues.forEach((k, v) -> out.put(k.array().clone(), v));
    return out;
  }

  /**
   * Commits. A transaction that neither read nor wrote anything commits trivially.
   *
   * @throws TransactionAbortedException if it aborted (definite; the message says why)
   * @throws BulwarkException if the outcome could not be learnt ({@code definite() == false}),
   *     or the request was refused as invalid (e.g. too many keys: the message names the limit)
   */
  public void commit() {
    checkOpen();
    state = State.COMMITTING;
    try {
      if (readVersions.isEmpty() && writes.isEmpty()) {
        return;
      }
      TxnOutcomeMsg outcome = client.commitTxn(this, request());
      if (outcome == TxnOutcomeMsg.OUTCOME_COMMITTED) {
        return;
      }
      throw new IllegalStateException("unexpected outcome " + outcome);
    } finally {
      state = State.DONE;
    }
  }

  /** The record key: the first written key, or the first read one (as the coordinator picks). */
  byte[] recordKey() {
    ByteBuffer k = writes.isEmpty() ? readVersions.keySet().iterator().next()
        : writes.keySet().iterator().next();
    return k.array();
  }

  CommitTxnRequest request() {
    CommitTxnRequest.Builder b = CommitTxnRequest.newBuilder().setKeyspace(keyspace)
        .setTxnId(txnId);
    readVersions.forEach((k, v) -> b.addReads(TxnReadMsg.newBuilder()
        .setKey(ByteString.copyFrom(k.array())).setVersion(v)));
    writes.forEach((k, v) -> {
      TxnWriteMsg.Builder w = TxnWriteMsg.newBuilder().setKey(ByteString.copyFrom(k.array()));
      if (v != null) {
        w.setValue(ByteString.copyFrom(v));
      }
      b.addWrites(w);
    });
    return b.build();
  }

  ResolveTxnRequest resolveRequest() {
    return ResolveTxnRequest.newBuilder().setKeyspace(keyspace).setTxnId(txnId)
        .setRecordKey(ByteString.copyFrom(recordKey())).build();
  }

  /** True if the reply is final: committed; throws if aborted. */
  static boolean isFinal(Transaction t, TxnOutcomeMsg outcome, String reason) {
    if (outcome == TxnOutcomeMsg.OUTCOME_ABORTED) {
      throw new TransactionAbortedException(t.txnId, reason);
    }
    return outcome == TxnOutcomeMsg.OUTCOME_COMMITTED;
  }

  static boolean isFinal(Transaction t, CommitTxnReply r) {
    return isFinal(t, r.getOutcome(), r.getReason());
  }

  static boolean isFinal(Transaction t, ResolveTxnReply r) {
    return isFinal(t, r.getOutcome(), "the record shard aborted it (txn-timeout)");
  }

  /** Every key read or written (a key both read and written appears twice). */
  List<byte[]> keys() {
    List<byte[]> out = new ArrayList<>();
    readVersions.keySet().forEach(k -> out.add(k.array()));
    writes.keySet().forEach(k -> out.add(k.array()));
    return out;
  }

  private void checkOpen() {
    if (state != State.OPEN) {
      throw new IllegalStateException("transaction " + txnId + " was already committed or "
          + "aborted; begin a new one");
    }
  }
}

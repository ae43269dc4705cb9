package io.bulwark.core.txn;

import io.bulwark.core.pb.Op;
import java.util.List;
import java.util.Objects;

/**
 * What a client asks a coordinator to commit: the versions it read (0: absent) and its buffered
 * writes, all in one keyspace. {@code txnId} is the client's (unique per attempt, e.g.
 * {@code clientId:seq}): a client that loses its coordinator asks the record shard about it.
 * The record shard is the shard of the first write (of the first read when there is none).
 */
public record TxnRequest(String txnId, List<Op.TxnRead> reads, List<Op.TxnWrite> writes) {
  public TxnRequest {
    Objects.requireNonNull(txnId, "txnId");
    reads = List.copyOf(reads);
    writes = List.copyOf(writes);
    if (reads.isEmpty() && writes.isEmpty()) {
      throw new IllegalArgumentException("a transaction reads or writes at least one key");
    }
  }

  /** The key whose shard keeps the transaction record. */
  public byte[] recordKey() {
    return writes.isEmpty() ? reads.get(0).key() : writes.get(0).key();
  }
}

package io.bulwark.core.pb;

import java.util.List;

/**
 * A transaction record (DESIGN §5), replicated state of the shard of the transaction's first
 * written key. {@code status} is PENDING, COMMITTED or ABORTED; it leaves PENDING once, by a
 * {@link Op.TxnRecordDecide} that applied. {@code participants} are the shard numbers (in the
 * record's keyspace) holding the transaction's keys, empty when the record was created ABORTED
 * by a timeout. {@code timeoutNanos} is how long the record shard's primary lets it stay PENDING,
 * measured on its own clock from when it first saw it (never an absolute time: clocks of different
 * nodes are not comparable).
 */
public record TxnRecord(
    String txnId, TxnResult.Status status, List<Integer> participants, long timeoutNanos) {}

package io.bulwark.core.pb;

/**
 * A write intent (DESIGN §5): the exclusive lock a prepared transaction holds on a key it
 * writes, with the value it will write ({@code value} null = a delete) when its
 * {@link Op.TxnCommit} applies. {@code recordKey} locates the transaction record (its shard is
 * the record shard). Replicated state, carried in snapshots.
 */
public record Intent(String txnId, byte[] recordKey, byte[] key, byte[] value) {}

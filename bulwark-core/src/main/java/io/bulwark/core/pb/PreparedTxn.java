package io.bulwark.core.pb;

import java.util.List;

/**
 * A transaction a participant shard prepared (voted YES for) and has not yet resolved: its
 * write intents and read locks (DESIGN §5). Replicated state, carried in snapshots; removed
 * when {@link Op.TxnCommit} or {@link Op.TxnAbort} applies.
 *
 * @param preparedIndex the log index of its {@link Op.TxnPrepare} entry
 */
public record PreparedTxn(
    String txnId, byte[] recordKey, List<Op.TxnWrite> writes, List<byte[]> readKeys,
    long preparedIndex) {}

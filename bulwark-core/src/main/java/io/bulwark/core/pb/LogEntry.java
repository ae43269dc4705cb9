package io.bulwark.core.pb;

import io.bulwark.core.common.Invariants;

/**
 * One replicated log entry. Its position is {@code (epoch, index)}: the epoch of the primary that
 * created it and its index in the shard's log (DESIGN §3.1). Indexes start at 1 and are dense.
 */
public record LogEntry(long epoch, long index, Command command) {

  /**
   * What {@link #sizeBytes()} adds for everything but the client id, keys and values: epoch,
   * index, seqs, the op's tag and the framing and CRC32C around them (a few varints each).
   */
  static final int OVERHEAD_BYTES = 32;

  /**
   * An estimate of this entry's size on the wire and in memory: its client id, keys and values
   * plus {@link #OVERHEAD_BYTES}. What catch-up bounds ({@link ReplicaOptions#batchBytesMax()},
   * {@link ReplicaOptions#unackedBytesMax()}); it need not be exact, only grow with the payload,
   * which the keys and values dominate (DESIGN §2: key <= 4 KiB, value <= 1 MiB). Constant time
   * for a put, a delete and a CAS.
   */
  public long sizeBytes() {
    return OVERHEAD_BYTES + command.clientId().length() + opBytes(command.op());
  }

  private static long opBytes(Op op) {
    if (op instanceof Op.Put p) {
      return len(p.key()) + len(p.value());
    }
    if (op instanceof Op.Delete d) {
      return len(d.key());
    }
    if (op instanceof Op.Cas c) {
      return len(c.key()) + len(c.expectedValue()) + len(c.newValue()) + 8;
    }
    if (op instanceof Op.TxnPrepare t) {
      long bytes = t.txnId().length() + len(t.recordKey());
      for (Op.TxnRead r : t.reads()) {
        bytes += len(r.key()) + 8;
      }
      for (Op.TxnWrite w : t.writes()) {
        bytes += len(w.key()) + len(w.value());
      }
      return bytes;
    }
    if (op instanceof Op.TxnRecordCreate t) {
      return t.txnId().length() + 4L * t.participants().size() + 8;
    }
    if (op instanceof Op.TxnCommit t) {
      return t.txnId().length();
    }
    if (op instanceof Op.TxnAbort t) {
      return t.txnId().length();
    }
    if (op instanceof Op.TxnRecordDecide t) {
      return t.txnId().length() + 1;
    }
    Invariants.check(op instanceof Op.Noop, "no size estimate for op %s", op);
    return 0;
  }

  private static long len(byte[] b) {
    return b == null ? 0 : b.length;
  }
}

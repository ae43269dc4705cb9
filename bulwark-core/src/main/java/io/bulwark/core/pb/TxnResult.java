package io.bulwark.core.pb;

import java.util.Objects;

/**
 * What a transaction log entry decided when it applied (DESIGN §5), carried in its
 * {@link Outcome}: the vote of a {@link Op.TxnPrepare}, the record's status after a
 * {@link Op.TxnRecordCreate} or {@link Op.TxnRecordDecide}, or — for a plain write that met a
 * lock — {@link Status#LOCKED}. Replicated (dedup table), so a retried call returns the same one.
 *
 * @param reason why, for NO votes, aborts and LOCKED (names the conflicting transaction); "" else
 */
public record TxnResult(Status status, String reason) {

  /** The states of a transaction as seen by one entry. */
  public enum Status {
    /** Record: created or found PENDING. */
    PENDING,
    /** Prepare: vote YES, intents and read locks taken. */
    PREPARED,
    /** Record: committed. One-phase prepare / TxnCommit: applied. */
    COMMITTED,
    /** Record: aborted. Prepare: vote NO (reason says why). TxnAbort: dropped. */
    ABORTED,
    /** Record: there is none (a decide COMMITTED found no record: it cannot commit). */
    ABSENT,
    /** A plain write met an intent or read lock when it applied: it did not apply, and never will. */
    LOCKED
  }

  public TxnResult {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(reason, "reason");
  }

  public static TxnResult of(Status status) {
    return new TxnResult(status, "");
  }

  /** True for a status no later entry can change: COMMITTED or ABORTED. */
  public boolean isFinal() {
    return status == Status.COMMITTED || status == Status.ABORTED;
  }
}

package io.bulwark.core.pb;

import java.util.List;

/** The answer to a client request. */
public sealed interface ClientReply {

  /** Why a request was refused before anything was appended: it certainly did not happen. */
  enum Refusal {
    /** This replica is not the primary; {@code primaryHint} names who is, if known. */
    NOT_PRIMARY,
    /** The primary holds no lease, is reconciling, or has fewer than min-insync members. */
    UNAVAILABLE,
    /**
     * A plain write of a key that carries a transaction's write intent or read lock (DESIGN §5).
     * Retryable: send the same request again after a backoff; locks are held only until the
     * transaction resolves, at most about txn-timeout.
     */
    LOCKED
  }

  /** The write committed and applied with this outcome. */
  record Written(Outcome outcome) implements ClientReply {}

  /**
   * A read's value (null when absent). The runtime releases it only if its clock, read after the
   * value was read, is still before {@code validUntilNanos} (§3.6); otherwise the client retries.
   */
  record ReadValue(Versioned value, long validUntilNanos) implements ClientReply {}

  /** A scan's result, released under the same lease rule as {@link ReadValue}. */
  record Scanned(List<KeyValue> items, long validUntilNanos) implements ClientReply {}

  /**
   * A read met a write intent (DESIGN §5): {@code committed} is the last committed value (null
   * when absent), {@code intent} the pending write. The reader asks the record (a
   * {@link Input.TxnResolve} at the record shard): if it is COMMITTED the intent's value is the
   * answer, otherwise the committed value is. Released under the same lease rule as
   * {@link ReadValue}.
   */
  record IntentFound(Versioned committed, Intent intent, long validUntilNanos)
      implements ClientReply {}

  /**
   * The answer to {@link Input.TxnResolve}: the record's status. PENDING means "not yet: ask again
   * later"; COMMITTED and ABORTED are final.
   */
  record TxnStatusIs(String txnId, TxnResult.Status status) implements ClientReply {}

  /** Refused before append. */
  record Refused(Refusal refusal, String message, String primaryHint) implements ClientReply {}

  /** Appended, but this replica can no longer learn whether it committed; retry to find out. */
  record Indeterminate(String message) implements ClientReply {}
}

package io.bulwark.core.pb;

import java.util.Arrays;
import java.util.List;

/**
 * A state-machine operation carried by a log entry. Every outcome (a CAS that fails, the version
 * a put creates, a transaction's vote) is decided when the entry applies, identically on every
 * replica.
 *
 * <p>Transaction operations (DESIGN §5, docs/transactions.md) are logged with the client id
 * {@code "txn/" + txnId} and seq = the protocol phase ({@link #TXN_PHASE_RECORD} ..
 * {@link #TXN_PHASE_RECOVER}), {@code firstUnackedSeq} = seq: a resend is deduplicated and a
 * delayed copy of an earlier phase never applies after a later one did. Recovery entries that a
 * primary appends on its own (a timeout abort, a resolution) are {@link Command#INTERNAL}.
 */
public sealed interface Op {

  /** Writes {@code value} at {@code key}; its version becomes the entry's index (DESIGN §3.12). */
  record Put(byte[] key, byte[] value) implements Op {}

  /** Removes {@code key}. Deleting an absent key succeeds. */
  record Delete(byte[] key) implements Op {}

  /**
   * Writes {@code newValue} (or deletes, if null) only if the current state matches: the value
   * equals {@code expectedValue} (null meaning "absent"), and, when {@code expectedVersion >= 0},
   * the version equals it (0 meaning "absent").
   */
  record Cas(byte[] key, byte[] expectedValue, long expectedVersion, byte[] newValue)
      implements Op {
    /** True if a stored value/version pair satisfies this CAS's expectation. */
    public boolean matches(Versioned current) {
      byte[] curValue = current == null ? null : current.value();
      long curVersion = current == null ? 0 : current.version();
      if (expectedVersion >= 0) {
        return curVersion == expectedVersion;
      }
      return Arrays.equals(curValue, expectedValue);
    }
  }

  /**
   * An entry that changes nothing: a new primary appends one when its epoch starts, so the
   * epoch has an entry of its own and reconciliation commits the inherited suffix (§3.10).
   */
  record Noop() implements Op {}

  /** Phase numbers used as seqs of a transaction's commands (see the class comment). */
  long TXN_PHASE_RECORD = 1;
  long TXN_PHASE_PREPARE = 2;
  long TXN_PHASE_DECIDE = 3;
  long TXN_PHASE_RESOLVE = 4;
  /**
   * A participant's recovery ({@code TxnCoordinator} on a stale report). Its own phase, above
   * the coordinator's: a prepare delayed past the coordinator's TxnAbort applies after it (no
   * earlier row of that txn existed there to mark it stale) and takes locks again; the recovery
   * that releases them must not be deduplicated into that earlier TxnAbort, and once it applied,
   * every older phase of the txn is a stale duplicate there.
   */
  long TXN_PHASE_RECOVER = 5;

  /** The client id under which the coordinator logs the commands of {@code txnId}. */
  static String txnClientId(String txnId) {
    return TXN_CLIENT_PREFIX + txnId;
  }

  /** Whether {@code clientId} is a transaction's identity ({@link #txnClientId}). */
  static boolean isTxnClientId(String clientId) {
    return clientId.startsWith(TXN_CLIENT_PREFIX);
  }

  /** The prefix of transaction identities. */
  String TXN_CLIENT_PREFIX = "txn/";

  /** A key a transaction read, and the version it read (0: absent). */
  record TxnRead(byte[] key, long version) {}

  /** A key a transaction writes, and the value ({@code null}: delete). */
  record TxnWrite(byte[] key, byte[] value) {}

  /**
   * A participant's prepare (DESIGN §5). When it applies: NO (outcome ABORTED, reason) if a key
   * read carries another transaction's intent, a key written carries another transaction's
   * intent or read lock (read locks are shared), or a read key's version differs from
   * {@link TxnRead#version}; else YES (PREPARED), taking an intent per write and a
   * read lock per read, recorded as a {@link PreparedTxn}. With {@code onePhase} (every key of the
   * transaction is in this shard) a YES applies the writes at once and the outcome is COMMITTED;
   * nothing stays locked. A prepare for a transaction this shard already holds returns PREPARED.
   * Every key must belong to this shard.
   */
  record TxnPrepare(String txnId, byte[] recordKey, List<TxnRead> reads, List<TxnWrite> writes,
      boolean onePhase) implements Op {
    public TxnPrepare {
      reads = List.copyOf(reads);
      writes = List.copyOf(writes);
    }
  }

  /**
   * Applies the intents of {@code txnId} (each write's version = this entry's index) and releases
   * its locks. Outcome COMMITTED. Idempotent: a shard that holds nothing of it changes nothing.
   * Appended only once the record is COMMITTED.
   */
  record TxnCommit(String txnId) implements Op {}

  /** Drops the intents and read locks of {@code txnId}. Outcome ABORTED. Idempotent. */
  record TxnAbort(String txnId) implements Op {}

  /**
   * Creates the record of {@code txnId} as PENDING only if it is absent. Outcome: the record's
   * status afterwards (PENDING, or the final status a timeout abort already wrote).
   */
  record TxnRecordCreate(String txnId, List<Integer> participants, long timeoutNanos)
      implements Op {
    public TxnRecordCreate {
      participants = List.copyOf(participants);
    }
  }

  /**
   * The commit point: compare-and-set the record PENDING -> {@code target} (COMMITTED or ABORTED),
   * evaluated when it applies. An absent record becomes ABORTED for target ABORTED (so a late
   * {@link TxnRecordCreate} fails) and stays absent for target COMMITTED. A final record is left
   * as it is. Outcome: the record's status afterwards (ABSENT if none).
   */
  record TxnRecordDecide(String txnId, TxnResult.Status target) implements Op {}
}

package io.bulwark.core.pb;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A primary's transaction timers (DESIGN §5), on its own monotonic clock and never replicated: a
 * new primary starts them afresh, which can only make an abort later, never earlier. Two kinds:
 * how long each transaction has been prepared here (participant: past txn-timeout it is reported
 * stale, then again every txn-timeout), and how long each PENDING or absent record has been
 * known here (record shard: past its timeout a {@link Input.TxnResolve} aborts it). Part of
 * {@link ShardReplica}; not thread-safe.
 */
final class TxnTimers {
  /** Prepared txn -> {first seen, last reported stale}. */
  private final Map<String, long[]> prepared = new LinkedHashMap<>();
  /** Record (PENDING or absent) -> first seen. */
  private final Map<String, Long> records = new HashMap<>();

  /** Forgets everything: this replica is a new primary, or no longer one. */
  void reset() {
    prepared.clear();
    records.clear();
  }

  /**
   * Starts timers for transactions newly prepared, drops those resolved, and returns those that
   * have been prepared at least {@code timeoutNanos} and were not reported within it.
   */
  List<PreparedTxn> stale(long now, List<PreparedTxn> current, long timeoutNanos) {
    Map<String, long[]> keep = new LinkedHashMap<>();
    List<PreparedTxn> due = new ArrayList<>();
    for (PreparedTxn t : current) {
      long[] seen = prepared.get(t.txnId());
      if (seen == null) {
        seen = new long[] {now, now};
      }
      keep.put(t.txnId(), seen);
      if (now - seen[1] >= timeoutNanos) {
        seen[1] = now;
        due.add(t);
      }
    }
    prepared.clear();
    prepared.putAll(keep);
    return due;
  }

  /** Starts the timer an entry this primary just applied calls for (a record, a prepare). */
  void applied(long now, Op op) {
    if (op instanceof Op.TxnRecordCreate rc) {
      records.putIfAbsent(rc.txnId(), now);
    } else if (op instanceof Op.TxnPrepare p && !p.onePhase()) {
      prepared.putIfAbsent(p.txnId(), new long[] {now, now});
    }
  }

  /** Starts timers for PENDING records this primary has not seen yet. */
  void observeRecords(long now, List<TxnRecord> pending) {
    for (TxnRecord r : pending) {
      records.putIfAbsent(r.txnId(), now);
    }
  }

  /**
   * True if the record of {@code txnId} (PENDING, or absent) has been known to this primary for
   * at least {@code timeoutNanos}; starts its timer if it was not known.
   */
  boolean recordExpired(long now, String txnId, long timeoutNanos) {
    long seen = records.computeIfAbsent(txnId, k -> now);
    return now - seen >= timeoutNanos;
  }

  /** The record of {@code txnId} is final: its timer is no longer needed. */
  void recordFinal(String txnId) {
    records.remove(txnId);
  }
}

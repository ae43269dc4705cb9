package io.bulwark.check.internals.txn;

import io.bulwark.check.history.MicroOp;
import io.bulwark.check.history.Operation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Judges every read of every ok txn on its own, before any graph is built.
 *
 * <p>A read that follows the txn's own read or write of the key is internal: it must return what
 * the txn last read or wrote there. A first read is external: it saw some committed version, which
 * must be the initial one (null) or a value whose write is known, committed and the writer's last
 * to that key; otherwise it is a garbage read, an aborted read (G1a) or an intermediate read (G1b).
 * Reads of info txns are unknown and ignored; failed txns read nothing. Keys that break the {@link
 * WriteIndex} precondition are skipped, except for the internal check, which does not need it.
 */
final class ReadChecker {

  /**
   * An external read that passed.
   *
   * @param source the write it saw, or null for the initial version
   */
  record ExternalRead(Operation reader, String key, String value, WriteIndex.Write source) {}

  private final WriteIndex writes;
  private final List<ExternalRead> externalReads = new ArrayList<>();
  private final List<TxnAnomaly> anomalies = new ArrayList<>();

  ReadChecker(List<Operation> txns, WriteIndex writes) {
    this.writes = writes;
    for (Operation txn : txns) {
      if (txn.isOk()) {
        checkTxn(txn);
      }
    }
  }

  /** The external reads that passed, in history order. */
  List<ExternalRead> externalReads() {
    return externalReads;
  }

  /** The anomalies found, at most one per txn (its first bad read). */
  List<TxnAnomaly> anomalies() {
    return anomalies;
  }

  private void checkTxn(Operation txn) {
    Map<String, String> lastSeen = new HashMap<>();
    Map<String, String> howSeen = new HashMap<>();
    List<MicroOp> microOps = WriteIndex.microOps(txn);
    for (int i = 0; i < microOps.size(); i++) {
      MicroOp microOp = microOps.get(i);
      String key = microOp.key();
      if (microOp.isRead()
          && lastSeen.containsKey(key)
          && !Objects.equals(lastSeen.get(key), microOp.value())) {
        String context = "after " + howSeen.get(key) + " " + show(key, lastSeen);
        anomalies.add(internal(txn, i, microOp, context));
        return;
      }
      if (microOp.isRead() && !lastSeen.containsKey(key)) {
        TxnAnomaly anomaly = checkExternalRead(txn, i, microOp);
        if (anomaly != null) {
          anomalies.add(anomaly);
          return;
        }
      }
      lastSeen.put(key, microOp.value());
      howSeen.put(key, microOp.isRead() ? "its own read of" : "its own write of");
    }
  }

  /** Records a good external read and returns null, or returns what is wrong with it. */
  private TxnAnomaly checkExternalRead(Operation txn, int position, MicroOp read) {
    String key = read.key();
    String value = read.value();
    if (writes.isUnchecked(key)) {
      return null;
    }
    if (value == null) {
      externalReads.add(new ExternalRead(txn, key, null, null));
      return null;
    }
    WriteIndex.Write source = writes.writeOf(key, value);
    String reads = TxnAnomaly.name(txn) + " reads " + TxnAnomaly.assignment(key, value);
    if (source == null) {
      return new TxnAnomaly(
          AnomalyKind.GARBAGE_READ, List.of(txn), List.of(reads + ", which no txn wrote"));
    }
    if (source.txn() == txn) {
      return internal(txn, position, read, "before its own write of that value");
    }
    String writer = TxnAnomaly.name(source.txn());
    if (source.txn().isFail()) {
      return new TxnAnomaly(
          AnomalyKind.G1A,
          List.of(source.txn(), txn),
          List.of(reads + ", written by " + writer + ", which failed"));
    }
    if (!source.installed()) {
      return new TxnAnomaly(
          AnomalyKind.G1B,
          List.of(source.txn(), txn),
          List.of(reads + ", which " + writer + " wrote and then overwrote within itself"));
    }
    externalReads.add(new ExternalRead(txn, key, value, source));
    return null;
  }

  private static TxnAnomaly internal(Operation txn, int position, MicroOp read, String context) {
    String fact =
        TxnAnomaly.name(txn)
            + " reads "
            + TxnAnomaly.assignment(read.key(), read.value())
            + " at micro-op "
            + position
            + ", "
            + context;
    return new TxnAnomaly(AnomalyKind.INTERNAL, List.of(txn), List.of(fact));
  }

  private static String show(String key, Map<String, String> lastSeen) {
    return TxnAnomaly.assignment(key, lastSeen.get(key));
  }
}

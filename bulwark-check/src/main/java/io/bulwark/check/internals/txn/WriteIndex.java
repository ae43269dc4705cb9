package io.bulwark.check.internals.txn;

import io.bulwark.check.history.MicroOp;
import io.bulwark.check.history.OpValue;
import io.bulwark.check.history.Operation;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Who wrote each value, for every txn whatever its outcome, and which keys break the checker's
 * precondition.
 *
 * <p>The precondition (as for Elle's rw-register): every value written to a key is written once in
 * the whole history, and never null. Then a read names the one write it saw, and null names the
 * initial version. A key that breaks it is left unchecked: a read of such a key could have seen
 * either of two writes, and guessing which could invent or hide an anomaly.
 */
final class WriteIndex {

  /**
   * One write micro-op.
   *
   * @param installed true if it is the txn's last write to the key: the version the txn leaves, the
   *     others being intermediate
   */
  record Write(Operation txn, String key, String value, boolean installed) {}

  private final Map<String, Map<String, Write>> writesByKey = new HashMap<>();
  private final Map<String, String> uncheckedKeys = new TreeMap<>();

  WriteIndex(List<Operation> txns) {
    for (Operation txn : txns) {
      List<MicroOp> microOps = microOps(txn);
      for (int i = 0; i < microOps.size(); i++) {
        MicroOp microOp = microOps.get(i);
        if (microOp.isWrite()) {
          add(new Write(txn, microOp.key(), microOp.value(), isLastWrite(microOps, i)));
        }
      }
    }
  }

  /** The micro-ops of a txn operation. */
  static List<MicroOp> microOps(Operation txn) {
    return ((OpValue.Txn) txn.value()).microOps();
  }

  /** The write of non-null {@code value} to {@code key}, or null if no txn wrote it. */
  Write writeOf(String key, String value) {
    Map<String, Write> writes = writesByKey.get(key);
    return writes == null ? null : writes.get(value);
  }

  /** True if {@code key} breaks the precondition and is left unchecked. */
  boolean isUnchecked(String key) {
    return uncheckedKeys.containsKey(key);
  }

  /** The keys that break the precondition, sorted, each with why. */
  Map<String, String> uncheckedKeys() {
    return uncheckedKeys;
  }

  private void add(Write write) {
    String txn = TxnAnomaly.name(write.txn());
    if (write.value() == null) {
      uncheckedKeys.putIfAbsent(write.key(), txn + " deletes it, and null is its initial value");
      return;
    }
    Write earlier =
        writesByKey.computeIfAbsent(write.key(), k -> new HashMap<>()).get(write.value());
    if (earlier != null) {
      String writers =
          earlier.txn() == write.txn()
              ? "twice by " + txn
              : "by both " + TxnAnomaly.name(earlier.txn()) + " and " + txn;
      uncheckedKeys.putIfAbsent(
          write.key(), TxnAnomaly.show(write.value()) + " is written " + writers);
      return;
    }
    writesByKey.get(write.key()).put(write.value(), write);
  }

  private static boolean isLastWrite(List<MicroOp> microOps, int position) {
    String key = microOps.get(position).key();
    for (int i = position + 1; i < microOps.size(); i++) {
      if (microOps.get(i).isWrite() && microOps.get(i).key().equals(key)) {
        return false;
      }
    }
    return true;
  }
}

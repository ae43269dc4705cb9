package io.bulwark.check.internals.txn;

import io.bulwark.check.history.OpValue;
import io.bulwark.check.history.Operation;
import java.util.Comparator;
import java.util.List;

/**
 * One anomaly: its kind, the txns involved and the facts that prove it, one line each.
 *
 * @param txns the txns involved, each once, in the order the proof walks them
 * @param facts why, for example {@code T3 -rw-> T4: T3 read y absent, T4 wrote y = "1"}
 */
record TxnAnomaly(AnomalyKind kind, List<Operation> txns, List<String> facts) {

  /** Fewer txns first (a smaller anomaly is easier to read), then the more basic kind. */
  static final Comparator<TxnAnomaly> SMALLEST_FIRST =
      Comparator.<TxnAnomaly>comparingInt(a -> a.txns().size()).thenComparing(TxnAnomaly::kind);

  TxnAnomaly {
    txns = List.copyOf(txns);
    facts = List.copyOf(facts);
  }

  /** How reports name a txn: T1 is the first operation invoked in the history. */
  static String name(Operation txn) {
    return "T" + (txn.index() + 1);
  }

  /** A value as written in the history: a JSON string, or null for absent. */
  static String show(String value) {
    return new OpValue.Scalar(value).toString();
  }

  /** {@code key = value}, for facts. */
  static String assignment(String key, String value) {
    return key + " = " + show(value);
  }

  String render() {
    StringBuilder text = new StringBuilder();
    text.append(kind.label()).append(" (").append(kind.meaning()).append(") involving ");
    text.append(txns.size()).append(txns.size() == 1 ? " txn:\n" : " txns:\n");
    for (Operation txn : txns) {
      text.append("  ").append(name(txn)).append(" = ").append(txn.describe()).append('\n');
    }
    for (String fact : facts) {
      text.append("  ").append(fact).append('\n');
    }
    return text.toString().stripTrailing();
  }
}

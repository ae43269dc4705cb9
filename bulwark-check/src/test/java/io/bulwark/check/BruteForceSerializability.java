package io.bulwark.check;

import io.bulwark.check.history.MicroOp;
import io.bulwark.check.history.OpValue;
import io.bulwark.check.history.Operation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Serializability by definition, as an oracle for tiny txn histories: is there an order of the ok
 * txns, plus any subset of the info ones, in which every ok txn, run alone against the store left
 * by the txns before it, reads what it read? Failed txns are left out; an info txn's reads are
 * unknown and not checked. Exponential; for at most about six txns.
 */
final class BruteForceSerializability {
  private final List<Operation> candidates = new ArrayList<>();
  private final int okCount;

  BruteForceSerializability(List<Operation> txns) {
    int ok = 0;
    for (Operation txn : txns) {
      if (!txn.isFail()) {
        candidates.add(txn);
        ok += txn.isOk() ? 1 : 0;
      }
    }
    this.okCount = ok;
  }

  boolean isSerializable() {
    return extend(new boolean[candidates.size()], 0, new HashMap<>());
  }

  private boolean extend(boolean[] used, int okUsed, Map<String, String> store) {
    if (okUsed == okCount) {
      return true;
    }
    for (int i = 0; i < candidates.size(); i++) {
      Operation txn = candidates.get(i);
      if (used[i]) {
        continue;
      }
      Map<String, String> next = new HashMap<>(store);
      if (!run(txn, next)) {
        continue;
      }
      used[i] = true;
      boolean found = extend(used, okUsed + (txn.isOk() ? 1 : 0), next);
      used[i] = false;
      if (found) {
        return true;
      }
    }
    return false;
  }

  /** Applies {@code txn} to {@code store}; false if an ok txn's read disagrees with it. */
  private static boolean run(Operation txn, Map<String, String> store) {
    for (MicroOp microOp : ((OpValue.Txn) txn.value()).microOps()) {
      if (microOp.isWrite()) {
        store.put(microOp.key(), microOp.value());
      } else if (txn.isOk() && !Objects.equals(store.get(microOp.key()), microOp.value())) {
        return false;
      }
    }
    return true;
  }
}

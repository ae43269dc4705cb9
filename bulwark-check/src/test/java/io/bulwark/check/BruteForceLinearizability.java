package io.bulwark.check;

import io.bulwark.check.history.OpFunction;
import io.bulwark.check.history.OpValue;
import io.bulwark.check.history.Operation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The definition of linearizability, run literally, as an oracle for tiny histories: try every
 * order of every subset of operations that keeps all ok ones, respects real time and is legal for
 * registers that start absent. Written from the definition, not from the checker: no per-key split,
 * no memo, and an info operation is either left out or placed where it succeeds (an info cas only
 * where it matches). Exponential; for at most about eight operations.
 */
final class BruteForceLinearizability {
  private final List<Operation> candidates = new ArrayList<>();
  private final int requiredCount;

  BruteForceLinearizability(List<Operation> operations) {
    int required = 0;
    for (Operation op : operations) {
      boolean didNothing = op.isFail() || (op.isInfo() && op.f() == OpFunction.READ);
      if (!didNothing) {
        candidates.add(op);
        required += op.isOk() ? 1 : 0;
      }
    }
    this.requiredCount = required;
  }

  boolean isLinearizable() {
    return extend(new boolean[candidates.size()], 0, new HashMap<>());
  }

  private boolean extend(boolean[] placed, int requiredPlaced, Map<String, String> state) {
    if (requiredPlaced == requiredCount) {
      return true;
    }
    for (int i = 0; i < candidates.size(); i++) {
      Operation op = candidates.get(i);
      if (placed[i] || !allPredecessorsPlaced(op, placed) || !legal(op, state)) {
        continue;
      }
      Map<String, String> next = new HashMap<>(state);
      apply(op, next);
      placed[i] = true;
      boolean found = extend(placed, requiredPlaced + (op.isOk() ? 1 : 0), next);
      placed[i] = false;
      if (found) {
        return true;
      }
    }
    return false;
  }

  /** Real time: every ok operation that returned before {@code op} was invoked comes first. */
  private boolean allPredecessorsPlaced(Operation op, boolean[] placed) {
    for (int j = 0; j < candidates.size(); j++) {
      Operation other = candidates.get(j);
      if (!placed[j] && other.isOk() && other.completeNanos() < op.invokeNanos()) {
        return false;
      }
    }
    return true;
  }

  private static boolean legal(Operation op, Map<String, String> state) {
    String current = state.get(op.key());
    switch (op.f()) {
      case READ:
        return Objects.equals(current, ((OpValue.Scalar) op.value()).value());
      case CAS:
        return Objects.equals(current, ((OpValue.Cas) op.value()).expected());
      default:
        return true;
    }
  }

  private static void apply(Operation op, Map<String, String> state) {
    if (op.f() == OpFunction.WRITE) {
      state.put(op.key(), ((OpValue.Scalar) op.value()).value());
    } else if (op.f() == OpFunction.CAS) {
      state.put(op.key(), ((OpValue.Cas) op.value()).newValue());
    }
  }
}

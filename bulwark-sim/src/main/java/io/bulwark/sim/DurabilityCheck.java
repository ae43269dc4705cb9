package io.bulwark.sim;

import io.bulwark.check.history.History;
import io.bulwark.check.history.OpFunction;
import io.bulwark.check.history.OpValue;
import io.bulwark.check.history.Operation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * End-of-run check, independent of the linearizability checker: every acknowledged write is
 * readable at the end, or was superseded. For each key, the value read last must be the value of
 * some write (values are unique, so it names its writer), and for every {@code ok} write of the
 * key, either it is that writer or that writer could come after it (it did not complete before
 * the acknowledged write was invoked; an {@code info} write may take effect at any time).
 */
final class DurabilityCheck {
  private DurabilityCheck() {}

  /** The first lost write found, described, or null if none was lost. */
  static String findLostWrite(History history, Map<String, String> finalValues) {
    for (Map.Entry<String, String> e : finalValues.entrySet()) {
      String problem = checkKey(history, e.getKey(), e.getValue());
      if (problem != null) {
        return problem;
      }
    }
    return null;
  }

  private static String checkKey(History history, String key, String finalValue) {
    List<Operation> writers = new ArrayList<>();
    List<Operation> acked = new ArrayList<>();
    for (Operation op : history.operations()) {
      if (!key.equals(op.key()) || op.f() == OpFunction.READ || op.isFail()) {
        continue;
      }
      if (Objects.equals(written(op), finalValue)) {
        writers.add(op);
      }
      if (op.isOk()) {
        acked.add(op);
      }
    }
    if (finalValue != null && writers.isEmpty()) {
      return "key " + key + " ends with value " + finalValue + ", which no client wrote";
    }
    for (Operation a : acked) {
      if (Objects.equals(written(a), finalValue)) {
        continue;
      }
      boolean superseded = writers.stream().anyMatch(w -> w.completeNanos() > a.invokeNanos());
      if (!superseded) {
        return "acknowledged write lost: " + a.describe() + "; key " + key + " ends with "
            + (finalValue == null ? "no value" : "value " + finalValue)
            + (writers.isEmpty() ? " and no write of it could come later"
                : ", written by " + writers.get(0).describe() + " which completed before it");
      }
    }
    return null;
  }

  private static String written(Operation op) {
    if (op.value() instanceof OpValue.Cas c) {
      return c.newValue();
    }
    return ((OpValue.Scalar) op.value()).value();
  }
}

package io.bulwark.check.internals.register;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Settles optional (info) writes and cas whose fate the rest of the history already tells, before
 * the search pays for not knowing it. Optional operations are what make the search expensive: each
 * may or may not have taken effect, at any later time. etcd's robustness tests patch Porcupine
 * histories the same way.
 *
 * <p>Both rules apply to an optional operation that is the only one writing its value v (non-null,
 * as null is also the initial state) on the key:
 *
 * <ul>
 *   <li>If no operation expects v (no read returned it, no cas expected it), taking effect could
 *       only set a state that nothing observes and the next write replaces: dropping it changes no
 *       verdict.
 *   <li>If an ok operation expects v, the write certainly took effect, before the earliest such
 *       observer returned: it becomes required, with that return as its deadline. (Unless that
 *       deadline precedes its invoke: then nothing could have written v in time, the history is not
 *       linearizable either way, and the operation is left as it is.)
 * </ul>
 *
 * Histories that write unique values, as workloads should, lose nearly all their optional
 * operations this way. Stateless.
 */
final class OptionalOpResolver {
  private OptionalOpResolver() {}

  static List<RegisterOp> resolve(List<RegisterOp> ops) {
    Map<Integer, Integer> writerCount = new HashMap<>();
    Map<Integer, Long> earliestRequiredObserver = new HashMap<>();
    Map<Integer, Integer> observerCount = new HashMap<>();
    for (RegisterOp op : ops) {
      if (op.isWriter()) {
        writerCount.merge(op.written(), 1, Integer::sum);
      }
      if (op.kind() != RegisterOp.Kind.WRITE) {
        observerCount.merge(op.expected(), 1, Integer::sum);
        if (op.required()) {
          earliestRequiredObserver.merge(op.expected(), op.completeNanos(), Math::min);
        }
      }
    }
    List<RegisterOp> resolved = new ArrayList<>(ops.size());
    for (RegisterOp op : ops) {
      int value = op.written();
      boolean unique = op.isWriter() && value != RegisterOp.ABSENT && writerCount.get(value) == 1;
      if (op.required() || !unique) {
        resolved.add(op);
        continue;
      }
      // A cas expecting its own new value observes itself; that does not count.
      int selfObservations = op.kind() == RegisterOp.Kind.CAS && op.expected() == value ? 1 : 0;
      Long deadline = earliestRequiredObserver.get(value);
      if (observerCount.getOrDefault(value, 0) == selfObservations) {
        continue; // dropped: nothing can see it
      }
      boolean promotable = deadline != null && deadline >= op.invokeNanos();
      resolved.add(promotable ? op.promoted(deadline) : op);
    }
    return resolved;
  }
}

package io.bulwark.check.internals.register;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds an ok read or cas that expected a value no operation could have written in time: none that
 * writes it was invoked before the observer returned. Such an observer proves the key not
 * linearizable by itself, in linear time, where the search could spend its whole time limit proving
 * it (it would try every order of the operations before the observer). Garbage reads, from
 * corruption or a mixed-up key, look like this. Stateless.
 */
final class MissingWriterCheck {
  private MissingWriterCheck() {}

  /** The first such observer to return, if any. */
  static Optional<RegisterOp> find(List<RegisterOp> ops) {
    Map<Integer, Long> firstWriterInvoke = new HashMap<>();
    for (RegisterOp op : ops) {
      if (op.isWriter()) {
        firstWriterInvoke.merge(op.written(), op.invokeNanos(), Math::min);
      }
    }
    return ops.stream()
        .filter(op -> op.required() && op.kind() != RegisterOp.Kind.WRITE)
        .filter(op -> op.expected() != RegisterOp.ABSENT) // the initial state needs no writer
        .filter(
            op ->
                firstWriterInvoke.getOrDefault(op.expected(), Long.MAX_VALUE) > op.completeNanos())
        .min(Comparator.comparingLong(RegisterOp::completeNanos));
  }

  /** The report for {@code observer} on {@code key}. */
  static String render(String key, RegisterOp observer) {
    String seen = observer.isRead() ? "the value it read" : "the value it expected";
    return "key "
        + key
        + " is not linearizable: no operation writing "
        + seen
        + " was invoked before this one returned:\n  "
        + observer.source().describe();
  }
}

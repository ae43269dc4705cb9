package io.bulwark.check;

import io.bulwark.check.history.History;
import io.bulwark.check.history.HistoryFormatException;
import io.bulwark.check.history.MicroOp;
import io.bulwark.check.history.Op;
import io.bulwark.check.history.OpFunction;
import io.bulwark.check.history.OpType;
import io.bulwark.check.history.OpValue;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Builds histories for tests one operation at a time, each with its invoke and completion time, and
 * emits the events in time order as a recorder would. Operations of one process must not overlap. A
 * completion time of {@link #NEVER_COMPLETES} leaves the invoke without completion.
 */
final class HistoryBuilder {
  static final long NEVER_COMPLETES = -1;

  private record Timed(Op event, long order) {}

  private final List<Timed> events = new ArrayList<>();

  HistoryBuilder read(long process, String key, String value, long start, long end) {
    return op(process, OpFunction.READ, key, scalar(null), scalar(value), OpType.OK, start, end);
  }

  HistoryBuilder write(long process, String key, String value, long start, long end) {
    return op(process, OpFunction.WRITE, key, scalar(value), scalar(value), OpType.OK, start, end);
  }

  HistoryBuilder write(
      long process, String key, String value, OpType outcome, long start, long end) {
    return op(process, OpFunction.WRITE, key, scalar(value), scalar(value), outcome, start, end);
  }

  HistoryBuilder cas(long process, String key, String expected, String next, long start, long end) {
    return cas(process, key, expected, next, OpType.OK, start, end);
  }

  HistoryBuilder cas(
      long process,
      String key,
      String expected,
      String next,
      OpType outcome,
      long start,
      long end) {
    OpValue value = new OpValue.Cas(expected, next);
    return op(process, OpFunction.CAS, key, value, value, outcome, start, end);
  }

  /** A txn whose completion carries {@code microOps}; its invoke has the reads' values blanked. */
  HistoryBuilder txn(long process, OpType outcome, long start, long end, MicroOp... microOps) {
    List<MicroOp> invoked = new ArrayList<>();
    for (MicroOp microOp : microOps) {
      invoked.add(microOp.isRead() ? MicroOp.read(microOp.key(), null) : microOp);
    }
    OpValue completion = new OpValue.Txn(outcome == OpType.OK ? List.of(microOps) : invoked);
    return op(
        process, OpFunction.TXN, null, new OpValue.Txn(invoked), completion, outcome, start, end);
  }

  HistoryBuilder op(
      long process,
      OpFunction f,
      String key,
      OpValue invokeValue,
      OpValue completionValue,
      OpType outcome,
      long start,
      long end) {
    Op invoke = new Op(process, OpType.INVOKE, f, key, invokeValue, start);
    add(invoke);
    if (end != NEVER_COMPLETES) {
      add(invoke.complete(outcome, completionValue, end));
    }
    return this;
  }

  /** The events in time order; ties keep the order they were added in. */
  List<Op> events() {
    return events.stream()
        .sorted(
            Comparator.comparingLong((Timed t) -> t.event().timeNanos())
                .thenComparingLong(Timed::order))
        .map(Timed::event)
        .toList();
  }

  History build() {
    try {
      return History.of(events());
    } catch (HistoryFormatException e) {
      throw new IllegalStateException("test history does not pair up: " + e.getMessage(), e);
    }
  }

  static MicroOp r(String key, String value) {
    return MicroOp.read(key, value);
  }

  static MicroOp w(String key, String value) {
    return MicroOp.write(key, value);
  }

  private static OpValue scalar(String value) {
    return new OpValue.Scalar(value);
  }

  private void add(Op event) {
    events.add(new Timed(event, events.size()));
  }
}

package io.bulwark.check.history;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Pairs events into operations, per process, in the order they were observed (DESIGN §9: a process
 * has at most one operation outstanding, and after an info it never invokes again). Single use, not
 * thread-safe.
 */
final class OperationPairer {

  /** An invoke waiting for its completion. */
  private record Pending(int index, Op invoke, long line) {}

  private final List<Operation> operations = new ArrayList<>();
  private final Map<Long, Pending> pendingByProcess = new HashMap<>();

  /** Processes that completed with info, mapped to the line of that info. */
  private final Map<Long, Long> infoLineByProcess = new HashMap<>();

  /** Adds the next event, read from {@code line}. */
  void add(Op event, long line) throws HistoryFormatException {
    if (event.type() == OpType.INVOKE) {
      addInvoke(event, line);
    } else {
      addCompletion(event, line);
    }
  }

  /** The operations in invoke order; invokes still outstanding become info operations. */
  List<Operation> finish() {
    for (Pending pending : pendingByProcess.values()) {
      operations.set(pending.index(), toOperation(pending, OpType.INFO, pending.invoke(), 0));
    }
    pendingByProcess.clear();
    return List.copyOf(operations);
  }

  private void addInvoke(Op invoke, long line) throws HistoryFormatException {
    Pending outstanding = pendingByProcess.get(invoke.process());
    if (outstanding != null) {
      throw new HistoryFormatException(
          line,
          "process "
              + invoke.process()
              + " invokes while its operation from line "
              + outstanding.line()
              + " is outstanding (one operation per process at a time)");
    }
    Long infoLine = infoLineByProcess.get(invoke.process());
    if (infoLine != null) {
      throw new HistoryFormatException(
          line,
          "process "
              + invoke.process()
              + " invokes after its info at line "
              + infoLine
              + " (after an info a process never invokes again; use a new process number)");
    }
    pendingByProcess.put(invoke.process(), new Pending(operations.size(), invoke, line));
    operations.add(null); // filled in when the operation completes or the history ends
  }

  private void addCompletion(Op completion, long line) throws HistoryFormatException {
    Pending pending = pendingByProcess.remove(completion.process());
    if (pending == null) {
      throw new HistoryFormatException(
          line,
          completion.type().jsonName()
              + " for process "
              + completion.process()
              + " without an outstanding invoke");
    }
    Op invoke = pending.invoke();
    if (completion.f() != invoke.f()) {
      throw mismatch(line, "f", completion.f().jsonName(), invoke.f().jsonName(), pending);
    }
    if (invoke.key() != null && !invoke.key().equals(completion.key())) {
      throw mismatch(line, "key", completion.key(), invoke.key(), pending);
    }
    if (completion.timeNanos() < invoke.timeNanos()) {
      throw new HistoryFormatException(
          line,
          "completes at time "
              + completion.timeNanos()
              + ", before its invoke at line "
              + pending.line()
              + " (time "
              + invoke.timeNanos()
              + ")");
    }
    if (completion.type() == OpType.OK) {
      requireOkValueMatches(invoke, completion, line, pending);
    } else if (completion.type() == OpType.INFO) {
      infoLineByProcess.put(completion.process(), line);
    }
    operations.set(pending.index(), toOperation(pending, completion.type(), completion, line));
  }

  /**
   * An ok completion may fill in what was read, but must not change what was written: the checkers
   * take writes from the invoke and reads from the completion.
   */
  private static void requireOkValueMatches(Op invoke, Op completion, long line, Pending pending)
      throws HistoryFormatException {
    switch (invoke.f()) {
      case READ:
        return;
      case WRITE:
      case CAS:
        if (!invoke.value().equals(completion.value())) {
          throw mismatch(
              line, "value", completion.value().toString(), invoke.value().toString(), pending);
        }
        return;
      case TXN:
        String problem =
            txnShapeProblem((OpValue.Txn) invoke.value(), (OpValue.Txn) completion.value());
        if (problem != null) {
          throw new HistoryFormatException(
              line, "ok txn does not match its invoke at line " + pending.line() + ": " + problem);
        }
        return;
      default:
        throw new IllegalStateException("unhandled function " + invoke.f());
    }
  }

  /** Why an ok txn's micro-ops do not match its invoke's, or null if they do. */
  private static String txnShapeProblem(OpValue.Txn invoke, OpValue.Txn ok) {
    List<MicroOp> asked = invoke.microOps();
    List<MicroOp> done = ok.microOps();
    if (asked.size() != done.size()) {
      return "it has " + done.size() + " micro-ops, the invoke " + asked.size();
    }
    for (int i = 0; i < asked.size(); i++) {
      MicroOp a = asked.get(i);
      MicroOp d = done.get(i);
      boolean sameStep = a.kind() == d.kind() && a.key().equals(d.key());
      if (!sameStep || (a.isWrite() && !a.equals(d))) {
        return "micro-op " + i + " is " + d + " but was invoked as " + a;
      }
    }
    return null;
  }

  private static HistoryFormatException mismatch(
      long line, String field, String got, String invoked, Pending pending) {
    return new HistoryFormatException(
        line,
        "completion has "
            + field
            + " "
            + got
            + " but its invoke at line "
            + pending.line()
            + " has "
            + invoked);
  }

  private static Operation toOperation(
      Pending pending, OpType outcome, Op completion, long completeLine) {
    Op invoke = pending.invoke();
    boolean resultInCompletion =
        outcome == OpType.OK && (invoke.f() == OpFunction.READ || invoke.f() == OpFunction.TXN);
    return new Operation(
        pending.index(),
        invoke.process(),
        invoke.f(),
        invoke.key(),
        outcome,
        resultInCompletion ? completion.value() : invoke.value(),
        invoke.timeNanos(),
        outcome == OpType.INFO ? Operation.NEVER : completion.timeNanos(),
        pending.line(),
        completeLine);
  }
}

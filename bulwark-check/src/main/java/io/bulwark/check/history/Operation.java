package io.bulwark.check.history;

/**
 * An invoke paired with its completion: the unit the checkers reason about.
 *
 * <p>{@code outcome} is {@link OpType#OK}, {@link OpType#FAIL} or {@link OpType#INFO}; an invoke
 * that never completed is {@code INFO}. {@code value} is what the operation did or tried to do: for
 * an ok read or ok txn the completion's value (with the values read), otherwise the invoke's. An
 * info operation may take effect at any time after its invoke, so {@code completeNanos} is {@link
 * #NEVER} for it even when an info event was recorded. {@code index} is the position of the invoke
 * among all invokes, which names the operation in reports; {@code completeLine} is 0 when there was
 * no completion event.
 */
public record Operation(
    int index,
    long process,
    OpFunction f,
    String key,
    OpType outcome,
    OpValue value,
    long invokeNanos,
    long completeNanos,
    long invokeLine,
    long completeLine) {

  /** The return time of an operation whose effect may come at any time: +infinity. */
  public static final long NEVER = Long.MAX_VALUE;

  public Operation {
    if (!outcome.isCompletion()) {
      throw new IllegalArgumentException("an operation's outcome is ok, fail or info");
    }
    if (outcome == OpType.INFO && completeNanos != NEVER) {
      throw new IllegalArgumentException("an info operation never returns");
    }
    if (completeNanos < invokeNanos) {
      throw new IllegalArgumentException("an operation cannot complete before its invoke");
    }
  }

  public boolean isOk() {
    return outcome == OpType.OK;
  }

  public boolean isFail() {
    return outcome == OpType.FAIL;
  }

  public boolean isInfo() {
    return outcome == OpType.INFO;
  }

  /**
   * A one-line description for reports, for example {@code read k7 -> "12" ok, process 1, [1100,
   * 1460], lines 3-4}.
   */
  public String describe() {
    StringBuilder text = new StringBuilder(f.jsonName());
    if (key != null) {
      text.append(' ').append(key);
    }
    if (f != OpFunction.READ) {
      text.append(' ').append(value);
    } else if (isOk()) {
      text.append(" -> ").append(value);
    }
    text.append(' ').append(outcome.jsonName());
    text.append(", process ").append(process);
    text.append(", [").append(invokeNanos).append(", ");
    text.append(completeNanos == NEVER ? "inf)" : completeNanos + "]");
    if (completeLine == 0) {
      text.append(", line ").append(invokeLine).append(" (never completed)");
    } else {
      text.append(", lines ").append(invokeLine).append('-').append(completeLine);
    }
    return text.toString();
  }

  @Override
  public String toString() {
    return describe();
  }
}

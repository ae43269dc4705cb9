package io.bulwark.check.internals.register;

import io.bulwark.check.history.Operation;

/**
 * A register operation on one key, with values encoded as small ints ({@link #ABSENT} for null) so
 * that the search compares and memoises states cheaply.
 *
 * <p>A required operation must be linearized before {@code completeNanos}: it returned ok, or it is
 * an info one known to have taken effect by then (see {@link OptionalOpResolver}). An optional one
 * (an info write or cas, or an ok one still pending at a cut-off, see {@link AnomalyExplainer}) may
 * be linearized at any time after {@code invokeNanos}, or never.
 *
 * @param expected for a read the value it returned; for a cas the value it expected
 * @param written for a write or cas the value it wrote
 */
record RegisterOp(
    Operation source,
    Kind kind,
    int expected,
    int written,
    long invokeNanos,
    long completeNanos,
    boolean required) {

  /** The encoding of null: the key is absent, as it is before any write. */
  static final int ABSENT = 0;

  /** Returned by {@link #step} when the operation cannot take effect in the given state. */
  static final int ILLEGAL = -1;

  enum Kind {
    READ,
    WRITE,
    CAS
  }

  /** The state after this operation takes effect in {@code state}, or {@link #ILLEGAL}. */
  int step(int state) {
    switch (kind) {
      case READ:
        return state == expected ? state : ILLEGAL;
      case WRITE:
        return written;
      case CAS:
        return state == expected ? written : ILLEGAL;
      default:
        throw new IllegalStateException("unhandled kind " + kind);
    }
  }

  boolean isRead() {
    return kind == Kind.READ;
  }

  /** True if this operation may change the state: a write or a cas. */
  boolean isWriter() {
    return kind != Kind.READ;
  }

  /** This optional operation made required: it certainly took effect by {@code deadlineNanos}. */
  RegisterOp promoted(long deadlineNanos) {
    return new RegisterOp(source, kind, expected, written, invokeNanos, deadlineNanos, true);
  }

  /**
   * This operation as seen at a cut-off it had not yet returned by: a write or cas becomes optional
   * (it may or may not have happened yet), and a read, whose result nobody has seen yet, constrains
   * nothing and is dropped (null).
   */
  RegisterOp pendingAtCutoff() {
    if (isRead()) {
      return null;
    }
    return new RegisterOp(source, kind, expected, written, invokeNanos, Operation.NEVER, false);
  }
}

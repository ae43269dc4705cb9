package io.bulwark.core.common;

/**
 * Always-on invariant checks (STYLE §5). A failed check is a bug: it throws
 * {@link InvariantViolation}, an {@link Error}, which the runtime's fatal handler turns into a
 * process exit and the simulator into a failed seed. Expected outcomes are never checked here.
 */
public final class Invariants {
  private Invariants() {}

  public static void check(boolean condition, String format, Object... args) {
    if (!condition) {
      throw new InvariantViolation(String.format(format, args));
    }
  }

  /** A broken invariant: the process state can no longer be trusted. */
  public static final class InvariantViolation extends Error {
    private static final long serialVersionUID = 1L;

    public InvariantViolation(String message) {
      super(message);
    }
  }
}

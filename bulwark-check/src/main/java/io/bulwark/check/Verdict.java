package io.bulwark.check;

/** What a checker concluded about a history. */
public enum Verdict {
  /** The history satisfies the model. */
  VALID,
  /** The history violates the model; the result names the smallest anomaly found. */
  INVALID,
  /** The checker could not decide (time limit reached, or a precondition unmet); never a guess. */
  UNKNOWN
}

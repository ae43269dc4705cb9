package io.bulwark.check.internals.register;

/** What a linearizability search of one key concluded. */
public enum SearchOutcome {
  LINEARIZABLE,
  NOT_LINEARIZABLE,
  /** The deadline passed first: undecided. */
  TIME_LIMIT,
  /** The memo of configurations reached its size limit first: undecided. */
  MEMO_LIMIT;

  /** True if the search reached a verdict. */
  public boolean isDecided() {
    return this == LINEARIZABLE || this == NOT_LINEARIZABLE;
  }
}

package io.bulwark.check.history;

import java.io.IOException;

/**
 * A history that does not follow DESIGN §9: malformed JSON, a field of the wrong shape, or events
 * that do not pair up (a completion without an invoke, a second invoke while one is outstanding, an
 * invoke after an info). The message names the line and what is wrong; no checker can judge such a
 * history, so {@code bulwark check} exits 2 on it.
 */
public final class HistoryFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  private final long lineNumber;
  private final String problem;

  public HistoryFormatException(long lineNumber, String problem) {
    super("line " + lineNumber + ": " + problem);
    this.lineNumber = lineNumber;
    this.problem = problem;
  }

  /** The 1-based line (event number, for a history built in memory) where the problem is. */
  public long lineNumber() {
    return lineNumber;
  }

  /** What is wrong, without the line number. */
  public String problem() {
    return problem;
  }
}

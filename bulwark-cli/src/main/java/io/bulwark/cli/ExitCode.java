package io.bulwark.cli;

/** The process exit codes of {@code bin/bulwark} (DESIGN §8, §9). */
public final class ExitCode {
  /** The command did what was asked. */
  public static final int OK = 0;
  /**
   * The operation failed: a {@code get} of a missing key, a CAS whose expectation did not hold, a
   * refused request (limit exceeded, unknown keyspace), an unknown outcome.
   */
  public static final int FAILED = 1;
  /** The command line was wrong; nothing was sent. */
  public static final int USAGE = 2;
  /**
   * {@code check}: the history cannot be read, is not a DESIGN §9 history, or does not fit the
   * model (the same number as {@link #USAGE}: bad input either way).
   */
  public static final int UNREADABLE = 2;
  /** The cluster could not be reached or could not serve the request after the client's retries. */
  public static final int UNAVAILABLE = 3;
  /**
   * {@code check} and {@code verify}: the checker reached its time limit, or the txn model's
   * precondition does not hold, so the history is neither valid nor invalid.
   */
  public static final int UNKNOWN = 4;

  private ExitCode() {}
}

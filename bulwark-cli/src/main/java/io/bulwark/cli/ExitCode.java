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
  /** The cluster could not be reached or could not serve the request after the client's retries. */
  public static final int UNAVAILABLE = 3;

  private ExitCode() {}
}

package io.bulwark.cli;

/**
 * An expected failure of a command: {@link Main} prints {@code error: MESSAGE} on standard error,
 * without a stack trace, and exits with {@link #exitCode()}.
 */
public final class CliException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int exitCode;

  public CliException(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  public CliException(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  /** A failed operation (exit 1). */
  public static CliException failed(String message) {
    return new CliException(ExitCode.FAILED, message);
  }

  /** A usage error (exit 2). */
  public static CliException usage(String message) {
    return new CliException(ExitCode.USAGE, message);
  }

  public int exitCode() {
    return exitCode;
  }
}

package io.bulwark.cli.verify;

/**
 * A verify run could not do what it needed to (a command failed, the cluster did not start):
 * not a verdict on the store. The message says what and where.
 */
final class VerifyException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  VerifyException(String message) {
    super(message);
  }

  VerifyException(String message, Throwable cause) {
    super(message, cause);
  }
}

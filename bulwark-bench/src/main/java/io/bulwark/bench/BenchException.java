package io.bulwark.bench;

/**
 * The bench could not do what was asked (a peer did not start, a preload failed, a system
 * stalled). Its message says what and where to look; the CLI prints it and exits 1.
 */
public final class BenchException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public BenchException(String message) {
    super(message);
  }

  public BenchException(String message, Throwable cause) {
    super(message, cause);
  }
}

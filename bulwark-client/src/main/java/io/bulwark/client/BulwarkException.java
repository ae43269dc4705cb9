package io.bulwark.client;

import java.util.Objects;

/**
 * A {@link BulwarkClient} call that did not succeed. Thrown only after the client has retried
 * everything that is safe to retry (see {@link BulwarkClient}), or at once for errors that no
 * retry can fix ({@link ErrorCode#INVALID_ARGUMENT}, {@link ErrorCode#UNKNOWN_KEYSPACE},
 * {@link ErrorCode#KEYSPACE_EXISTS}, {@link ErrorCode#DISK_FULL}, {@link ErrorCode#INTERNAL}).
 *
 * <p>{@link #definite()} says whether the operation certainly did not take effect. It is
 * {@code true} for reads (they change nothing) and for a write every attempt of which was refused
 * before append or never left this process. It is {@code false} when some attempt may have been
 * appended (an {@code INDETERMINATE} reply, a timeout or a broken connection after sending): the
 * write may be applied, once, at any time after the call began. In a DESIGN §9 history a definite
 * failure is {@code fail}, any other is {@code info}.
 *
 * <p>Immutable and thread-safe.
 */
public class BulwarkException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;
  private final boolean definite;

  public BulwarkException(ErrorCode code, boolean definite, String message) {
    this(code, definite, message, null);
  }

  public BulwarkException(ErrorCode code, boolean definite, String message, Throwable cause) {
    super(message, cause);
    this.code = Objects.requireNonNull(code, "code");
    this.definite = definite;
  }

  /** Why the call failed. */
  public ErrorCode code() {
    return code;
  }

  /** True if the operation certainly did not happen; false if it may have been applied. */
  public boolean definite() {
    return definite;
  }
}

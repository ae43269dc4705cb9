package io.bulwark.cli;

import io.bulwark.client.BulwarkException;
import io.bulwark.client.ErrorCode;

/** How a failed client call becomes an exit code and one line on standard error (DESIGN §8). */
final class Errors {
  private Errors() {}

  /**
   * 3 when the cluster could not serve the call after the client's retries (no node answered,
   * no primary with a lease, too few in-sync replicas); 1 for everything else, which is a
   * refusal of this particular request or an unknown outcome.
   */
  static int exitCode(ErrorCode code) {
    switch (code) {
      case CLUSTER_UNAVAILABLE:
      case UNAVAILABLE:
      case NOT_PRIMARY:
        return ExitCode.UNAVAILABLE;
      case INDETERMINATE:
      case INVALID_ARGUMENT:
      case UNKNOWN_KEYSPACE:
      case KEYSPACE_EXISTS:
      case DISK_FULL:
      case INTERNAL:
      case LOCKED:
      case ABORTED:
        return ExitCode.FAILED;
      default:
        throw new IllegalStateException("unhandled error code " + code);
    }
  }

  /**
   * The server's message as is (it names the limit, the keyspace, the endpoints tried), and for
   * an operation that may have taken effect, a note saying so.
   */
  static String message(BulwarkException e) {
    String m = e.getMessage() == null || e.getMessage().isBlank()
        ? e.code().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
        : e.getMessage();
    if (!e.definite()) {
      m += " (outcome unknown: the operation may or may not have taken effect)";
    }
    return m;
  }
}

package io.bulwark.client;

/**
 * Why a {@link BulwarkClient} call failed. The first eight mirror {@code bulwark.v1.ErrorCode}
 * in {@code api.proto} (DESIGN §8); {@link #CLUSTER_UNAVAILABLE} is the client's own, for a call
 * during which no node answered at all (the CLI exits with code 3 for it).
 *
 * <p>Whether the failed operation may still have taken effect is not part of the code: read
 * {@link BulwarkException#definite()}.
 */
public enum ErrorCode {
  /** The node is not the shard's primary. Retried by the client; seen only once the deadline passed. */
  NOT_PRIMARY,
  /** No lease, too few in-sync replicas, or shutting down: refused before append. Retried. */
  UNAVAILABLE,
  /** A write may or may not have been applied (DESIGN §3 rule 4). */
  INDETERMINATE,
  /** The request can never succeed as sent, e.g. a key over its limit; the message names it. */
  INVALID_ARGUMENT,
  /** The keyspace does not exist. */
  UNKNOWN_KEYSPACE,
  /** Creating a keyspace whose name is taken. */
  KEYSPACE_EXISTS,
  /** The node refuses writes until disk space returns. */
  DISK_FULL,
  /** A server bug, or a reply the client could not make sense of. */
  INTERNAL,
  /** No node answered before the deadline; the message names the endpoints tried. */
  CLUSTER_UNAVAILABLE,
  /**
   * A plain write of a key a transaction holds (DESIGN §5); it did not apply. The client retries
   * it with backoff; seen only once the deadline passed.
   */
  LOCKED,
  /**
   * The client's own: a transaction aborted (a conflict, or txn-timeout); definite, the message
   * says why. See {@link TransactionAbortedException}.
   */
  ABORTED;

  /** The client's code for a wire code; codes this client does not know are {@link #INTERNAL}. */
  static ErrorCode fromProto(io.bulwark.proto.v1.ErrorCode code) {
    switch (code) {
      case NOT_PRIMARY:
        return NOT_PRIMARY;
      case UNAVAILABLE:
        return UNAVAILABLE;
      case INDETERMINATE:
        return INDETERMINATE;
      case INVALID_ARGUMENT:
        return INVALID_ARGUMENT;
      case UNKNOWN_KEYSPACE:
        return UNKNOWN_KEYSPACE;
      case KEYSPACE_EXISTS:
        return KEYSPACE_EXISTS;
      case DISK_FULL:
        return DISK_FULL;
      case LOCKED:
        return LOCKED;
      default:
        return INTERNAL;
    }
  }
}

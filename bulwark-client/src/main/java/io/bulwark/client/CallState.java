package io.bulwark.client;

import io.grpc.StatusRuntimeException;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * What one public client call has learned across its attempts: its deadline, the nodes it
 * tried, whether any node answered, and whether a write attempt may have been applied. It
 * decides the {@link BulwarkException} the call ends with. Used by one thread at a time: the
 * calling thread, or for an asynchronous call the network thread and then a retry thread, each
 * hand-off through a future or an executor.
 */
final class CallState {
  final String op;
  private final long startNanos;
  private final long deadlineNanos;
  /** Every address an attempt or a refresh went to, in order, for messages. */
  final Set<String> tried = new LinkedHashSet<>();
  /** Addresses that failed at the transport level; routing avoids them while it can. */
  final Set<String> failed = new HashSet<>();
  /** Some node replied, with a result or an ErrorDetail: the cluster is reachable. */
  boolean answered;
  /** Some write attempt may have been appended: a timeout, a broken call, INDETERMINATE. */
  boolean maybeApplied;
  int attempts;
  private ErrorCode lastCode;
  private String lastError;
  private Throwable lastCause;

  CallState(String op, long startNanos, long requestTimeoutNanos) {
    this.op = op;
    this.startNanos = startNanos;
    this.deadlineNanos = startNanos + requestTimeoutNanos;
  }

  long remainingNanos() {
    return deadlineNanos - System.nanoTime();
  }

  /** A node to ask anything, avoiding failed ones until every candidate has failed. */
  String pickAny(ClusterView view) {
    String a = view.pickAny(failed);
    if (a == null) {
      failed.clear();
      a = view.pickAny(failed);
    }
    return a;
  }

  void noteError(ErrorCode code, String address, StatusRuntimeException e) {
    lastCode = code;
    lastError = address + " " + Errors.describe(e);
    lastCause = e;
  }

  /** Notes an error only if none is known yet (a failed refresh says less than a failed op). */
  void noteErrorIfFirst(ErrorCode code, String address, StatusRuntimeException e) {
    if (lastError == null) {
      noteError(code, address, e);
    }
  }

  /** A failure no retry can fix. */
  BulwarkException fail(ErrorCode code, String message, Throwable cause) {
    return new BulwarkException(code, !maybeApplied, op + " failed: " + message, cause);
  }

  /** The deadline passed (DESIGN §3 rule 4, §8). */
  BulwarkException timeout() {
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    String last = lastError == null ? "none" : lastError;
    if (!answered) {
      return new BulwarkException(ErrorCode.CLUSTER_UNAVAILABLE, !maybeApplied,
          "cluster unavailable: no node answered " + op + " within " + ms + " ms; tried "
              + String.join(", ", tried) + "; last error: " + last, lastCause);
    }
    if (maybeApplied) {
      return new BulwarkException(ErrorCode.INDETERMINATE, false, op + " timed out after " + ms
          + " ms and " + attempts + " attempts; it may have been applied; last error: " + last,
          lastCause);
    }
    ErrorCode code = lastCode == null || lastCode == ErrorCode.INDETERMINATE
        ? ErrorCode.UNAVAILABLE : lastCode;
    return new BulwarkException(code, true, op + " timed out after " + ms + " ms and " + attempts
        + " attempts, each refused; last error: " + last, lastCause);
  }

  /** The calling thread was interrupted; its interrupt flag stays set. */
  BulwarkException interrupted(Throwable cause) {
    return new BulwarkException(maybeApplied ? ErrorCode.INDETERMINATE : ErrorCode.UNAVAILABLE,
        !maybeApplied, op + " interrupted after " + attempts + " attempts"
            + (maybeApplied ? "; it may have been applied" : ""), cause);
  }

  /** The client was closed while the call ran. */
  BulwarkException closed() {
    return new BulwarkException(maybeApplied ? ErrorCode.INDETERMINATE : ErrorCode.UNAVAILABLE,
        !maybeApplied, op + " abandoned: the client was closed"
            + (maybeApplied ? "; it may have been applied" : ""));
  }
}

package io.bulwark.client;

import io.bulwark.proto.v1.ErrorDetail;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.ProtoUtils;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;

/** Reads the wire's error contract ({@code api.proto} header). Stateless. */
final class Errors {
  /** The trailer every Bulwark error status carries; the server uses the same key. */
  static final Metadata.Key<ErrorDetail> ERROR_DETAIL_KEY =
      Metadata.Key.of("bulwark-error-bin", ProtoUtils.metadataMarshaller(ErrorDetail.getDefaultInstance()));

  private Errors() {}

  /** The ErrorDetail a Bulwark node attached, or null for a transport-level failure. */
  static ErrorDetail detail(StatusRuntimeException e) {
    Metadata trailers = e.getTrailers();
    return trailers == null ? null : trailers.get(ERROR_DETAIL_KEY);
  }

  /**
   * Whether the attempt failed to reach any node: the connection could not be made, so the
   * request was never sent. Only then is a transport failure of a write certainly harmless.
   */
  static boolean isConnectFailure(StatusRuntimeException e) {
    if (e.getStatus().getCode() != Status.Code.UNAVAILABLE) {
      return false;
    }
    for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
      if (t instanceof ConnectException || t instanceof NoRouteToHostException
          || t instanceof UnknownHostException || t instanceof UnresolvedAddressException) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether a status without ErrorDetail is worth retrying elsewhere: the connection broke, the
   * attempt timed out, or something between client and node failed. Other codes (e.g.
   * UNIMPLEMENTED, RESOURCE_EXHAUSTED for an oversized reply) would fail the same way again.
   */
  static boolean isRetryableTransport(Status.Code code) {
    switch (code) {
      case UNAVAILABLE:
      case DEADLINE_EXCEEDED:
      case CANCELLED:
      case ABORTED:
      case UNKNOWN:
      case INTERNAL:
        return true;
      default:
        return false;
    }
  }

  /** "CODE: description" for messages. */
  static String describe(StatusRuntimeException e) {
    ErrorDetail d = detail(e);
    if (d != null) {
      return d.getCode().name() + (d.getMessage().isEmpty() ? "" : ": " + d.getMessage());
    }
    Status s = e.getStatus();
    return s.getCode() + (s.getDescription() == null ? "" : ": " + s.getDescription());
  }
}

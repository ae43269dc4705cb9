package io.bulwark.server;

import io.bulwark.proto.v1.ErrorCode;
import io.bulwark.proto.v1.ErrorDetail;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.ProtoUtils;

/**
 * The one mapping from Bulwark error codes to gRPC statuses (api.proto header): each error
 * carries an {@link ErrorDetail} in the {@code bulwark-error-bin} trailer so clients can tell
 * "certainly did not happen" from "outcome unknown" and follow primary hints.
 */
final class ApiErrors {
  static final Metadata.Key<ErrorDetail> DETAIL_KEY =
      Metadata.Key.of("bulwark-error-bin", ProtoUtils.metadataMarshaller(
          ErrorDetail.getDefaultInstance()));

  private ApiErrors() {}

  static StatusRuntimeException error(ErrorCode code, String message) {
    return error(ErrorDetail.newBuilder().setCode(code).setMessage(message).build());
  }

  static StatusRuntimeException notPrimary(String message, String hintNode, String hintAddress) {
    return error(ErrorDetail.newBuilder().setCode(ErrorCode.NOT_PRIMARY).setMessage(message)
        .setPrimaryHintNode(hintNode == null ? "" : hintNode)
        .setPrimaryHintAddress(hintAddress == null ? "" : hintAddress).build());
  }

  static StatusRuntimeException error(ErrorDetail detail) {
    Metadata trailers = new Metadata();
    trailers.put(DETAIL_KEY, detail);
    return statusOf(detail.getCode()).withDescription(detail.getMessage())
        .asRuntimeException(trailers);
  }

  private static Status statusOf(ErrorCode code) {
    switch (code) {
      case NOT_PRIMARY:
        return Status.FAILED_PRECONDITION;
      case UNAVAILABLE:
      case INDETERMINATE:
        return Status.UNAVAILABLE;
      case INVALID_ARGUMENT:
        return Status.INVALID_ARGUMENT;
      case UNKNOWN_KEYSPACE:
        return Status.NOT_FOUND;
      case KEYSPACE_EXISTS:
        return Status.ALREADY_EXISTS;
      case DISK_FULL:
        return Status.RESOURCE_EXHAUSTED;
      case LOCKED:
        return Status.ABORTED;
      default:
        return Status.INTERNAL;
    }
  }

  /** A lower-case label for metrics. */
  static String label(ErrorCode code) {
    return code.name().toLowerCase();
  }
}

package io.bulwark.server;

import io.bulwark.proto.v1.BulwarkGrpc;
import io.bulwark.proto.v1.ErrorCode;
import io.bulwark.proto.v1.ErrorDetail;
import io.bulwark.proto.v1.GetReply;
import io.bulwark.proto.v1.SessionError;
import io.bulwark.proto.v1.SessionReply;
import io.bulwark.proto.v1.SessionRequest;
import io.bulwark.proto.v1.WriteReply;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's {@code Session} stream (api.proto): each request is served by the very handler
 * of the unary {@code Put} or {@code Get}, and what that handler answers — a reply or an error
 * status with its ErrorDetail — goes back as one {@link SessionReply} carrying the request's
 * call id. A call's error never ends the stream.
 *
 * <p>Why it exists: a unary call costs an HTTP/2 stream with headers and trailers on both
 * sides; on a session a call costs one message each way (issue 7's profile).
 *
 * <p>Replies come from the replica loop, the network thread and the transaction threads, while
 * a gRPC stream takes one writer at a time: {@link #answered} serializes them. After the client
 * cancels, replies still due are dropped; after it half-closes, the stream ends with the last
 * reply due.
 */
final class ClientSession implements StreamObserver<SessionRequest> {
  private static final Logger LOG = LoggerFactory.getLogger(ClientSession.class);

  private final BulwarkGrpc.BulwarkImplBase unary;
  private final ServerCallStreamObserver<SessionReply> out;
  private int inFlight; // guarded by this
  private boolean halfClosed; // guarded by this
  private boolean closed; // guarded by this

  /** Serves the stream's calls through {@code unary}'s Put and Get handlers. */
  ClientSession(BulwarkGrpc.BulwarkImplBase unary, ServerCallStreamObserver<SessionReply> out) {
    this.unary = unary;
    this.out = out;
    // Without a handler, a reply sent after the client cancelled would throw on the loop thread.
    out.setOnCancelHandler(this::clientGone);
  }

  @Override
  public void onNext(SessionRequest req) {
    long id = req.getCallId();
    synchronized (this) {
      inFlight++;
    }
    switch (req.getCallCase()) {
      case PUT -> serve(new Call<WriteReply>(id, SessionReply.Builder::setPut),
          call -> unary.put(req.getPut(), call));
      case GET -> serve(new Call<GetReply>(id, SessionReply.Builder::setGet),
          call -> unary.get(req.getGet(), call));
      default -> new Call<Void>(id, (b, v) -> { }).answer(error(id, Status.Code.INVALID_ARGUMENT,
          ErrorDetail.newBuilder().setCode(ErrorCode.INVALID_ARGUMENT)
              .setMessage("session call " + id + " carries no put or get").build(), null));
    }
  }

  private static <T> void serve(Call<T> call, Consumer<Call<T>> handler) {
    try {
      handler.accept(call);
    } catch (RuntimeException e) {
      // As gRPC fails a unary call whose handler threw; the stream's other calls go on.
      LOG.warn("event=session-call-failed call={}", call.id, e);
      call.onError(Status.INTERNAL.withDescription("call failed: " + e).asRuntimeException());
    }
  }

  /** The client went away: nothing more can be sent. */
  @Override
  public void onError(Throwable t) {
    clientGone();
  }

  /**
   * The client ended its side (it is closing): the stream ends once the calls it sent are
   * answered.
   */
  @Override
  public synchronized void onCompleted() {
    halfClosed = true;
    endIfDone();
  }

  /** The client cancelled or its stream failed: replies still due are dropped. */
  private synchronized void clientGone() {
    closed = true;
  }

  /** Sends one call's answer; the last answer after the client's half-close ends the stream. */
  private synchronized void answered(SessionReply reply) {
    inFlight--;
    if (closed) {
      return;
    }
    try {
      out.onNext(reply);
    } catch (RuntimeException e) {
      // This runs on the replica loop, which must never fail for one client's stream.
      closed = true;
      LOG.warn("event=session-reply-failed call={}", reply.getCallId(), e);
      return;
    }
    endIfDone();
  }

  private void endIfDone() {
    if (halfClosed && inFlight == 0 && !closed) {
      closed = true;
      out.onCompleted();
    }
  }

  private static SessionReply error(long id, Status.Code code, ErrorDetail detail,
      String description) {
    SessionError.Builder e = SessionError.newBuilder().setStatusCode(code.value());
    if (detail != null) {
      e.setDetail(detail);
    }
    if (description != null) {
      e.setDescription(description);
    }
    return SessionReply.newBuilder().setCallId(id).setError(e).build();
  }

  /** One call of the session, handed to the unary handler as its reply observer. */
  private final class Call<T> implements StreamObserver<T> {
    private final long id;
    private final BiConsumer<SessionReply.Builder, T> result;
    private T value;
    private boolean answered; // Once only, even if a handler answers and then throws.

    Call(long id, BiConsumer<SessionReply.Builder, T> result) {
      this.id = id;
      this.result = result;
    }

    @Override
    public void onNext(T v) {
      value = v;
    }

    @Override
    public void onCompleted() {
      if (value == null) { // As gRPC ends a unary call completed without a value.
        answer(error(id, Status.Code.INTERNAL, null, "no value received for call " + id));
        return;
      }
      SessionReply.Builder b = SessionReply.newBuilder().setCallId(id);
      result.accept(b, value);
      answer(b.build());
    }

    @Override
    public void onError(Throwable t) {
      Status s = Status.fromThrowable(t);
      Metadata trailers = Status.trailersFromThrowable(t);
      answer(error(id, s.getCode(), trailers == null ? null : trailers.get(ApiErrors.DETAIL_KEY),
          s.getDescription()));
    }

    private synchronized void answer(SessionReply reply) {
      if (!answered) {
        answered = true;
        answered(reply);
      }
    }
  }
}

package io.bulwark.client;

import io.bulwark.proto.v1.BulwarkGrpc;
import io.bulwark.proto.v1.GetReply;
import io.bulwark.proto.v1.GetRequest;
import io.bulwark.proto.v1.PutRequest;
import io.bulwark.proto.v1.SessionError;
import io.bulwark.proto.v1.SessionReply;
import io.bulwark.proto.v1.SessionRequest;
import io.bulwark.proto.v1.WriteReply;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The asynchronous puts and gets of a client, pipelined on one {@code Session} stream per node
 * (api.proto): a call is one message each way instead of a unary call's HTTP/2 stream with its
 * headers and trailers, which was most of a call's CPU on both sides (issue 7's profile). A
 * call's reply, or its error, reaches its observer exactly as the unary call's would: the same
 * value, or a {@link StatusRuntimeException} with the same status and ErrorDetail trailer, so
 * the {@link Retrier} handles both alike.
 *
 * <p>Failures: a call not answered within its timeout fails with DEADLINE_EXCEEDED (checked
 * every {@value #SWEEP_MILLIS} ms); a stream that breaks fails every call in flight on it with
 * the stream's status (a connect failure stays one, so a write that never left stays "certainly
 * not applied"), and the next call opens a new stream. Thread-safe.
 */
final class Sessions implements AutoCloseable {
  /** How often calls are checked against their deadlines. */
  static final long SWEEP_MILLIS = 20;

  private final Channels channels;
  private final Map<String, Session> open = new ConcurrentHashMap<>();
  private final ScheduledExecutorService sweeper =
      Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bulwark-client-deadlines");
        t.setDaemon(true);
        return t;
      });
  private final Object lock = new Object();
  private boolean sweeping; // guarded by lock
  private boolean closed; // guarded by lock

  Sessions(Channels channels) {
    this.channels = channels;
  }

  /**
   * The open session to {@code address}, opened if there is none.
   *
   * @throws IllegalStateException if the client is closed
   */
  Session get(String address) {
    Session s = open.get(address);
    if (s != null && !s.broken) {
      return s;
    }
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("client is closed");
      }
      if (!sweeping) {
        sweeping = true;
        sweeper.scheduleAtFixedRate(this::sweep, SWEEP_MILLIS, SWEEP_MILLIS,
            TimeUnit.MILLISECONDS);
      }
      s = open.get(address);
      if (s == null || s.broken) {
        s = new Session(address);
        BulwarkGrpc.newStub(channels.get(address)).session(s); // Sets s.requests before return.
        open.put(address, s);
      }
      return s;
    }
  }

  private void sweep() {
    long now = System.nanoTime();
    for (Session s : open.values()) {
      s.expire(now);
    }
  }

  /** Ends every session's stream once its calls in flight are answered; fails later calls. */
  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
    }
    sweeper.shutdownNow();
    for (Session s : open.values()) {
      s.halfClose();
    }
  }

  /** A call in flight: whom to tell, how to read its reply, and when it times out. */
  private record Pending<T>(StreamObserver<T> reply, Function<SessionReply, T> result,
      long deadlineNanos) {
    void answer(SessionReply r) {
      if (r.getResultCase() == SessionReply.ResultCase.ERROR) {
        reply.onError(exception(r.getError()));
        return;
      }
      T value = result.apply(r);
      if (value == null) {
        reply.onError(Status.INTERNAL.withDescription("session reply " + r.getCallId()
            + " carries " + r.getResultCase() + ", not this call's result").asRuntimeException());
        return;
      }
      reply.onNext(value);
      reply.onCompleted();
    }
  }

  /** The exception the unary call would have failed with: its status and ErrorDetail trailer. */
  static StatusRuntimeException exception(SessionError e) {
    Status status = Status.fromCodeValue(e.getStatusCode()).withDescription(
        e.getDescription().isEmpty() ? null : e.getDescription());
    if (!e.hasDetail()) {
      return status.asRuntimeException();
    }
    Metadata trailers = new Metadata();
    trailers.put(Errors.ERROR_DETAIL_KEY, e.getDetail());
    return status.asRuntimeException(trailers);
  }

  /** One node's stream and the calls in flight on it. */
  final class Session implements ClientResponseObserver<SessionRequest, SessionReply> {
    private final String address;
    private final Map<Long, Pending<?>> pending = new ConcurrentHashMap<>();
    private final AtomicLong nextCallId = new AtomicLong();
    private ClientCallStreamObserver<SessionRequest> requests; // written under this
    private volatile boolean broken;
    private volatile StatusRuntimeException failure;

    private Session(String address) {
      this.address = address;
    }

    /** Sends a put; {@code reply} hears what the unary Put would have answered. */
    void put(PutRequest req, long timeoutNanos, StreamObserver<WriteReply> reply) {
      send(SessionRequest.newBuilder().setPut(req), timeoutNanos, reply,
          r -> r.getResultCase() == SessionReply.ResultCase.PUT ? r.getPut() : null);
    }

    /** Sends a get; {@code reply} hears what the unary Get would have answered. */
    void get(GetRequest req, long timeoutNanos, StreamObserver<GetReply> reply) {
      send(SessionRequest.newBuilder().setGet(req), timeoutNanos, reply,
          r -> r.getResultCase() == SessionReply.ResultCase.GET ? r.getGet() : null);
    }

    private <T> void send(SessionRequest.Builder req, long timeoutNanos, StreamObserver<T> reply,
        Function<SessionReply, T> result) {
      long id = nextCallId.incrementAndGet();
      pending.put(id, new Pending<>(reply, result, System.nanoTime() + timeoutNanos));
      // A stream that broke after this call was listed as pending was failed by onError; one
      // that broke before leaves the call to be failed here.
      if (broken) {
        fail(id, failure);
        return;
      }
      try {
        synchronized (this) {
          requests.onNext(req.setCallId(id).build());
        }
      } catch (RuntimeException e) {
        fail(id, Status.UNAVAILABLE.withDescription("session to " + address + " failed: " + e)
            .withCause(e).asRuntimeException());
      }
    }

    private void fail(long id, StatusRuntimeException e) {
      Pending<?> p = pending.remove(id);
      if (p != null) {
        p.reply().onError(e);
      }
    }

    private void expire(long now) {
      for (Map.Entry<Long, Pending<?>> e : pending.entrySet()) {
        if (now - e.getValue().deadlineNanos() >= 0) {
          fail(e.getKey(), Status.DEADLINE_EXCEEDED.withDescription(
              "no reply from " + address + " within the call's timeout").asRuntimeException());
        }
      }
    }

    private synchronized void halfClose() {
      if (!broken) {
        requests.onCompleted();
      }
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<SessionRequest> stream) {
      this.requests = stream;
    }

    @Override
    public void onNext(SessionReply r) {
      Pending<?> p = pending.remove(r.getCallId());
      if (p != null) { // Else it timed out already.
        p.answer(r);
      }
    }

    @Override
    public void onError(Throwable t) {
      end(t instanceof StatusRuntimeException sre ? sre : Status.fromThrowable(t)
          .asRuntimeException());
    }

    @Override
    public void onCompleted() {
      end(Status.UNAVAILABLE.withDescription("session to " + address + " ended")
          .asRuntimeException());
    }

    private void end(StatusRuntimeException e) {
      failure = e;
      broken = true;
      open.remove(address, this);
      for (Long id : pending.keySet()) {
        fail(id, e);
      }
    }
  }
}

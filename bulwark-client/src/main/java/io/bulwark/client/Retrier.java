package io.bulwark.client;

import io.bulwark.proto.v1.BulwarkGrpc;
import io.bulwark.proto.v1.ErrorDetail;
import io.bulwark.proto.v1.StatusReply;
import io.bulwark.proto.v1.StatusRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one logical request until it succeeds, fails for good, or its call's deadline passes
 * (DESIGN §3 rule 4, §8). Per error:
 * <ul>
 *   <li>NOT_PRIMARY: go to {@code primary_hint_address} (the first {@value #FREE_REDIRECTS_MAX}
 *       hops without a pause), or with no usable hint mark the view stale and retry.</li>
 *   <li>UNAVAILABLE (refused before append): mark the view stale, pause, retry.</li>
 *   <li>LOCKED (a transaction holds the key, DESIGN §5): pause, retry; locks last until the
 *       transaction resolves, at most about txn-timeout.</li>
 *   <li>INDETERMINATE: the write may be applied; pause and retry with the same request id, which
 *       the caller's {@link Rpc} carries unchanged.</li>
 *   <li>no ErrorDetail (connection refused, broken, timed out): avoid that node for this call,
 *       mark the view stale, pause, retry elsewhere. Unless the connection was never made, a
 *       write attempt counts as maybe applied.</li>
 *   <li>anything else: throw at once.</li>
 * </ul>
 * Pauses grow exponentially from backoffMin to backoffMax with full jitter. A stale view is
 * refreshed by one Status call before the next attempt, at most once per backoffMin client-wide,
 * and by one thread at a time (others go on with the old view rather than wait).
 *
 * <p>Thread-safe; {@link #run} blocks the calling thread for at most the call's deadline;
 * {@link #runAsync} blocks no thread but the executor's it is given, and only after a failure.
 */
final class Retrier {
  private static final Logger LOG = LoggerFactory.getLogger(Retrier.class);
  /** Redirects followed at once per call; later ones pause first, so two nodes that name each
   * other as primary during a failover cannot spin the client. */
  static final int FREE_REDIRECTS_MAX = 3;
  /**
   * The least time an attempt is started with (or rpcTimeout, if shorter). A sliver of a
   * deadline cannot complete an attempt, and the attempt's timeout would then turn a write that
   * was refused every time (definite) into one that may have been applied (INDETERMINATE); so
   * the call ends up to this much before its deadline instead.
   */
  static final long ATTEMPT_MILLIS_MIN = 20;
  /** Caps the exponent so the shift cannot overflow. */
  private static final int BACKOFF_DOUBLINGS_MAX = 20;

  /** One attempt of a request against a stub that already carries the attempt's deadline. */
  interface Rpc<T> {
    T call(BulwarkGrpc.BulwarkBlockingStub stub);
  }

  /**
   * One attempt of a request that does not block, sent on {@code session} with the attempt's
   * timeout: it hands the reply, or the failure, to {@code reply} (on a network thread).
   */
  interface AsyncRpc<T> {
    void call(Sessions.Session session, long timeoutNanos, StreamObserver<T> reply);
  }

  /** Where to send the next attempt. */
  interface Route {
    String pick(CallState s);

    /** A node named another as the primary; remember it for later calls too. */
    default void onHint(String nodeId, String address) {}
  }

  private final ClusterView view;
  private final Channels channels;
  private final Sessions sessions;
  private final long requestTimeoutNanos;
  private final long rpcTimeoutNanos;
  private final long backoffMinNanos;
  private final long backoffMaxNanos;
  private final long attemptNanosMin;
  private final ReentrantLock refreshLock = new ReentrantLock();

  Retrier(ClusterView view, Channels channels, Sessions sessions, ClientOptions options) {
    this.view = view;
    this.channels = channels;
    this.sessions = sessions;
    this.requestTimeoutNanos = options.requestTimeout().toNanos();
    this.rpcTimeoutNanos = options.rpcTimeout().toNanos();
    this.backoffMinNanos = options.backoffMin().toNanos();
    this.backoffMaxNanos = options.backoffMax().toNanos();
    this.attemptNanosMin = Math.min(rpcTimeoutNanos, TimeUnit.MILLISECONDS.toNanos(ATTEMPT_MILLIS_MIN));
  }

  CallState begin(String op) {
    if (channels.isClosed()) {
      throw new IllegalStateException("client is closed");
    }
    return new CallState(op, System.nanoTime(), requestTimeoutNanos);
  }

  /** Pauses as between two attempts (exponential, full jitter); false if the deadline is near. */
  boolean backoff(CallState s, int pauses) {
    try {
      pause(s, pauses);
      return true;
    } catch (BulwarkException timeout) {
      if (Thread.currentThread().isInterrupted()) {
        throw timeout;
      }
      return false;
    }
  }

  /** Routes to any node, rotating; for cluster-wide requests. */
  Route anyNode() {
    return s -> s.pickAny(view);
  }

  /** Routes to a shard's cached primary, or any node (which will redirect) if unknown or failed. */
  Route shardPrimary(String keyspace, int shard) {
    return new Route() {
      @Override
      public String pick(CallState s) {
        String a = view.primaryAddress(keyspace, shard);
        return a != null && !s.failed.contains(a) ? a : s.pickAny(view);
      }

      @Override
      public void onHint(String nodeId, String address) {
        view.notePrimary(keyspace, shard, nodeId, address);
      }
    };
  }

  /**
   * Runs {@code rpc} until it succeeds or fails for good.
   *
   * @param write whether the request changes state; only then can an attempt be "maybe applied"
   * @throws BulwarkException on a final error or when the call's deadline passes
   */
  <T> T run(CallState s, boolean write, Route route, Rpc<T> rpc) {
    return run(s, write, route, rpc, rpcTimeoutNanos);
  }

  /**
   * {@link #run(CallState, boolean, Route, Rpc)} with attempts of up to {@code attemptNanosMax}
   * (a transaction commit, which the node answers only once the record is decided).
   */
  <T> T run(CallState s, boolean write, Route route, Rpc<T> rpc, long attemptNanosMax) {
    return retry(s, write, route, rpc, attemptNanosMax, null, null);
  }

  /**
   * {@link #run} without blocking the calling thread while things go well: the first attempt
   * goes out through the asynchronous stub, and its reply completes the returned future on the
   * network thread that received it. If that attempt fails, or the view is due for a refresh
   * (which blocks), the rest of the call runs as {@link #run} would, the first attempt's error
   * classified first, on {@code blocking}, a thread that may wait. The future fails with the
   * {@link BulwarkException} {@link #run} would throw.
   */
  <T> CompletableFuture<T> runAsync(CallState s, boolean write, Route route, AsyncRpc<T> first,
      Rpc<T> rest, Executor blocking) {
    CompletableFuture<T> out = new CompletableFuture<>();
    if (view.refreshDue(System.nanoTime(), backoffMinNanos)) {
      continueOn(blocking, out, s, () -> run(s, write, route, rest));
      return out;
    }
    String address;
    Sessions.Session session;
    try {
      address = route.pick(s);
      session = sessions.get(address);
    } catch (IllegalStateException closed) {
      out.completeExceptionally(s.closed());
      return out;
    }
    s.attempts++;
    s.tried.add(address);
    first.call(session, Math.min(rpcTimeoutNanos, s.remainingNanos()), new StreamObserver<T>() {
          private T reply;

          @Override
          public void onNext(T value) {
            reply = value;
          }

          @Override
          public void onError(Throwable t) {
            StatusRuntimeException e = t instanceof StatusRuntimeException sre ? sre
                : Status.fromThrowable(t).asRuntimeException();
            continueOn(blocking, out, s,
                () -> retry(s, write, route, rest, rpcTimeoutNanos, address, e));
          }

          @Override
          public void onCompleted() {
            s.answered = true;
            out.complete(reply);
          }
        });
    return out;
  }

  /** Runs the rest of a call on {@code blocking}; a closed client's executor ends it at once. */
  private static <T> void continueOn(Executor blocking, CompletableFuture<T> out, CallState s,
      Supplier<T> rest) {
    try {
      blocking.execute(() -> {
        try {
          out.complete(rest.get());
        } catch (RuntimeException | Error e) {
          out.completeExceptionally(e);
        }
      });
    } catch (RejectedExecutionException closed) {
      out.completeExceptionally(s.closed());
    }
  }

  /**
   * The retry loop of {@link #run}. If {@code failure} is not null, an attempt to
   * {@code failedAddress} already failed with it, and the loop starts by handling that error.
   */
  private <T> T retry(CallState s, boolean write, Route route, Rpc<T> rpc, long attemptNanosMax,
      String failedAddress, StatusRuntimeException failure) {
    String redirect = null;
    int freeRedirects = 0;
    int pauses = 0;
    String address = failedAddress;
    StatusRuntimeException error = failure;
    while (true) {
      if (error != null) {
        redirect = onError(s, write, route, address, error);
        error = null;
        if (redirect != null && freeRedirects < FREE_REDIRECTS_MAX
            && !s.failed.contains(redirect)) {
          freeRedirects++;
        } else {
          pause(s, pauses++);
        }
      }
      if (redirect == null) {
        refreshIfDue(s);
      }
      address = redirect != null ? redirect : route.pick(s);
      // The channel first, the deadline after: creating a channel can take a while (the first
      // one starts Netty's event loop), and that must not eat into the attempt's deadline.
      BulwarkGrpc.BulwarkBlockingStub stub = stub(s, address);
      long attemptNanos = Math.min(attemptNanosMax, s.remainingNanos());
      if (attemptNanos < attemptNanosMin) {
        throw s.timeout();
      }
      s.attempts++;
      s.tried.add(address);
      try {
        T out = rpc.call(stub.withDeadlineAfter(attemptNanos, TimeUnit.NANOSECONDS));
        s.answered = true;
        return out;
      } catch (StatusRuntimeException e) {
        error = e;
      }
    }
  }

  /** Classifies a failed attempt; returns the address to redirect to, or null. Throws if final. */
  private String onError(
      CallState s, boolean write, Route route, String address, StatusRuntimeException e) {
    if (Thread.currentThread().isInterrupted()) {
      s.maybeApplied |= write && !Errors.isConnectFailure(e);
      throw s.interrupted(e);
    }
    if (channels.isClosed()) {
      s.maybeApplied |= write && !Errors.isConnectFailure(e);
      throw s.closed();
    }
    ErrorDetail d = Errors.detail(e);
    if (d == null) {
      onTransportError(s, write, address, e);
      return null;
    }
    s.answered = true;
    ErrorCode code = ErrorCode.fromProto(d.getCode());
    s.noteError(code, address, e);
    LOG.debug("event=client_attempt_failed op={} address={} code={} attempt={}",
        s.op, address, code, s.attempts);
    switch (code) {
      case NOT_PRIMARY:
        return redirectTarget(route, address, d);
      case UNAVAILABLE:
        view.markStale();
        return null;
      case LOCKED:
        return null;
      case INDETERMINATE:
        s.maybeApplied |= write;
        view.markStale();
        return null;
      case INTERNAL:
        // A server bug may strike after append as well as before.
        s.maybeApplied |= write;
        throw s.fail(code, Errors.describe(e), e);
      default:
        throw s.fail(code, Errors.describe(e), e);
    }
  }

  private String redirectTarget(Route route, String address, ErrorDetail d) {
    String hint = Endpoints.canonicalOrNull(d.getPrimaryHintAddress());
    if (hint == null && !d.getPrimaryHintNode().isEmpty()) {
      hint = view.addressOf(d.getPrimaryHintNode());
    }
    if (hint == null || hint.equals(address)) {
      view.markStale();
      return null;
    }
    route.onHint(d.getPrimaryHintNode(), hint);
    return hint;
  }

  private void onTransportError(CallState s, boolean write, String address, StatusRuntimeException e) {
    boolean neverSent = Errors.isConnectFailure(e);
    s.failed.add(address);
    s.noteError(ErrorCode.UNAVAILABLE, address, e);
    view.markStale();
    // Only a connection that was never made proves the request was not sent.
    s.maybeApplied |= write && !neverSent;
    LOG.debug("event=client_transport_failed op={} address={} status={} attempt={}",
        s.op, address, e.getStatus().getCode(), s.attempts);
    if (!neverSent && !Errors.isRetryableTransport(e.getStatus().getCode())) {
      s.answered = true;
      throw s.fail(ErrorCode.INTERNAL, Errors.describe(e), e);
    }
  }

  private void pause(CallState s, int pauses) {
    long cap = Math.min(backoffMaxNanos,
        backoffMinNanos << Math.min(pauses, BACKOFF_DOUBLINGS_MAX));
    long nanos = backoffMinNanos
        + (cap > backoffMinNanos ? ThreadLocalRandom.current().nextLong(cap - backoffMinNanos + 1) : 0);
    // Leave room for one more attempt after the pause; with no room, end the call now rather
    // than sleep for nothing.
    long room = s.remainingNanos() - attemptNanosMin;
    if (room <= 0) {
      throw s.timeout();
    }
    nanos = Math.min(nanos, room);
    try {
      TimeUnit.NANOSECONDS.sleep(nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw s.interrupted(e);
    }
  }

  /**
   * Refreshes a stale view with one Status call. A failed refresh is logged and noted in the
   * call; the attempt then goes ahead on the old view.
   */
  private void refreshIfDue(CallState s) {
    if (!view.refreshDue(System.nanoTime(), backoffMinNanos) || !refreshLock.tryLock()) {
      return;
    }
    try {
      long now = System.nanoTime();
      if (!view.refreshDue(now, backoffMinNanos)) {
        return;
      }
      view.refreshTried(now);
      String address = s.pickAny(view);
      BulwarkGrpc.BulwarkBlockingStub stub = stub(s, address);
      long nanos = Math.min(rpcTimeoutNanos, s.remainingNanos());
      if (nanos < attemptNanosMin) {
        return;
      }
      s.tried.add(address);
      try {
        StatusReply reply = stub.withDeadlineAfter(nanos, TimeUnit.NANOSECONDS)
            .status(StatusRequest.getDefaultInstance());
        s.answered = true;
        view.apply(reply);
      } catch (StatusRuntimeException e) {
        if (Errors.detail(e) != null) {
          s.answered = true;
        } else {
          s.failed.add(address);
        }
        s.noteErrorIfFirst(ErrorCode.UNAVAILABLE, address, e);
        LOG.debug("event=client_refresh_failed op={} address={} error={}",
            s.op, address, Errors.describe(e));
      }
    } finally {
      refreshLock.unlock();
    }
  }

  private BulwarkGrpc.BulwarkBlockingStub stub(CallState s, String address) {
    try {
      return BulwarkGrpc.newBlockingStub(channels.get(address));
    } catch (IllegalStateException closed) {
      throw s.closed();
    }
  }
}

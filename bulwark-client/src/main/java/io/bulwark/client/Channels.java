package io.bulwark.client;

import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link ManagedChannel} per canonical address, created on first use and closed by
 * {@link #close}. Thread-safe: lookups are lock-free after creation; creation and close hold the
 * pool's lock so that no channel is created after close and leaked.
 */
final class Channels implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Channels.class);

  /**
   * Largest reply accepted. A scan reply holds up to its limit of entries, each up to 4 KiB of
   * key and 1 MiB of value (DESIGN §2); above this a reply fails rather than exhaust the heap.
   */
  static final int INBOUND_MESSAGE_BYTES_MAX = 64 * 1024 * 1024;
  /**
   * Keepalive pings go out only while a call is open and the connection has been silent this
   * long. With per-attempt deadlines of a few seconds they seldom fire: the deadline, not
   * keepalive, is what detects a dead node. gRPC servers refuse pings more often than their
   * {@code permitKeepAliveTime} (5 minutes by default), so Bulwark nodes must permit 1 minute.
   */
  static final long KEEPALIVE_TIME_SECONDS = 60;
  static final long KEEPALIVE_TIMEOUT_SECONDS = 10;
  /** An unused connection is closed after this; the next call reconnects. */
  static final long IDLE_TIMEOUT_SECONDS = 300;
  private static final long CLOSE_WAIT_SECONDS = 5;

  private final Function<String, ManagedChannel> factory;
  private final Map<String, ManagedChannel> channels = new java.util.concurrent.ConcurrentHashMap<>();
  private final Object lock = new Object();
  private boolean closed;

  Channels(Function<String, ManagedChannel> factory) {
    this.factory = Objects.requireNonNull(factory, "factory");
  }

  /**
   * The plaintext Netty channel used outside tests. Every setting that touches failure handling
   * is explicit (STYLE P8), so that a new gRPC default cannot change the client's behaviour.
   */
  static ManagedChannel netty(String address, ClientOptions options) {
    Endpoints.HostPort hp = Endpoints.parse(address);
    return NettyChannelBuilder.forAddress(hp.host(), hp.port())
        .usePlaintext()
        // The client's own retry loop decides what is safe to retry (DESIGN §3 rule 4); gRPC's
        // configurable retries would resend writes without knowing that.
        .disableRetry()
        // Replies to asynchronous calls are handed on by the network thread itself: they only
        // complete a future or pass a failure to the client's retry threads. A hop to gRPC's
        // default executor would cost every reply a thread wake-up. Blocking calls are not
        // affected (gRPC runs their callbacks on the waiting thread).
        .directExecutor()
        .withOption(ChannelOption.CONNECT_TIMEOUT_MILLIS,
            (int) Math.min(Integer.MAX_VALUE, options.rpcTimeout().toMillis()))
        .keepAliveTime(KEEPALIVE_TIME_SECONDS, TimeUnit.SECONDS)
        .keepAliveTimeout(KEEPALIVE_TIMEOUT_SECONDS, TimeUnit.SECONDS)
        .keepAliveWithoutCalls(false)
        .idleTimeout(IDLE_TIMEOUT_SECONDS, TimeUnit.SECONDS)
        .maxInboundMessageSize(INBOUND_MESSAGE_BYTES_MAX)
        .build();
  }

  /**
   * The channel for {@code address}, created if needed. A channel in TRANSIENT_FAILURE has its
   * connect backoff reset: the caller paces its attempts with its own jittered backoff, and gRPC's
   * reconnect backoff (up to 2 minutes) would otherwise keep a revived node unused.
   *
   * @throws IllegalStateException if the pool is closed
   */
  ManagedChannel get(String address) {
    ManagedChannel ch = channels.get(address);
    if (ch == null) {
      synchronized (lock) {
        if (closed) {
          throw new IllegalStateException("client is closed");
        }
        ch = channels.computeIfAbsent(address, factory);
      }
    }
    if (ch.getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
      ch.resetConnectBackoff();
    }
    return ch;
  }

  boolean isClosed() {
    synchronized (lock) {
      return closed;
    }
  }

  /** Shuts every channel down, waiting up to 5 s for calls to finish, then forcibly. */
  @Override
  public void close() {
    List<ManagedChannel> all;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      all = new ArrayList<>(channels.values());
    }
    all.forEach(ManagedChannel::shutdown);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CLOSE_WAIT_SECONDS);
    try {
      for (ManagedChannel ch : all) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || !ch.awaitTermination(left, TimeUnit.NANOSECONDS)) {
          ch.shutdownNow();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      LOG.warn("event=client_close_interrupted channels={}", all.size());
      all.forEach(ManagedChannel::shutdownNow);
    }
  }

  /** For tests. */
  Map<String, ManagedChannel> snapshot() {
    return new HashMap<>(channels);
  }
}

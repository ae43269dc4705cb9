package io.bulwark.server;

import io.bulwark.core.pb.Message;
import io.bulwark.proto.Codec;
import io.bulwark.proto.v1.PeerBatch;
import io.bulwark.proto.v1.PeerEnvelope;
import io.bulwark.proto.v1.PeerGrpc;
import io.bulwark.proto.v1.StreamEnd;
import io.grpc.BindableService;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replica messages between nodes over gRPC {@code peer.proto}. Best effort by design (STYLE P2):
 * messages queued for a peer during one core-loop pass go out as one batch on a long-lived
 * stream to that peer; a batch that cannot go out is dropped, because every sender resends on
 * its own timers. A stream that gRPC says is not ready (its buffer is full, or it is still
 * connecting) takes no more batches until it drains, so a slow or absent peer costs bounded
 * memory; a stream that fails is replaced on the next flush.
 *
 * <p>{@link #enqueue} and {@link #flush} are called from the core loop thread only; received
 * messages are handed to the {@link Receiver} on gRPC's network threads (the server runs
 * handlers there: a handler only queues, so it never blocks them).
 *
 * <p>Heartbeats (DESIGN §6) are batches with no messages: the failure detector asks for one
 * from its own thread ({@link #heartbeat}) and the next {@link #flush} sends it, so only the
 * loop thread ever writes to a stream. Every batch received, heartbeat or not, is reported to
 * the arrival listener ({@link #onArrival}) before its messages are handled.
 */
final class PeerTransport implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PeerTransport.class);
  static final int BATCH_BYTES_MAX = 16 << 20;
  static final int MESSAGE_BYTES_MAX = 128 << 20;
  static final long RECONNECT_MS = 200;

  /** Receives a decoded message from a peer. */
  interface Receiver {
    void receive(String from, Message message);
  }

  /** Told, on a gRPC thread, that a peer's stream failed and connecting to it failed too. */
  interface Unreachable {
    void unreachable(String node);
  }

  /**
   * Batches a stream takes while gRPC says it is not ready: a new stream is not ready until its
   * connection is up, and its first batches should not all be lost to that.
   */
  static final int UNREADY_BATCHES_MAX = 8;

  /** The open stream to one peer address; {@code broken} is set by gRPC threads. */
  private static final class Outgoing {
    final ClientCallStreamObserver<PeerBatch> stream;
    final AtomicBoolean broken;
    int unready;

    Outgoing(ClientCallStreamObserver<PeerBatch> stream, AtomicBoolean broken) {
      this.stream = stream;
      this.broken = broken;
    }
  }

  private final String self;
  private final Function<String, String> peerAddressOf;
  private final Receiver receiver;
  private final Unreachable unreachable;
  private final Map<String, List<PeerEnvelope>> outgoing = new HashMap<>();
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final Map<String, Outgoing> streams = new HashMap<>();
  private final Map<String, Long> lastReconnect = new HashMap<>();
  private final Set<String> heartbeatsDue = ConcurrentHashMap.newKeySet();
  private volatile Consumer<String> arrivals = from -> {};

  PeerTransport(String self, Function<String, String> peerAddressOf, Receiver receiver,
      Unreachable unreachable) {
    this.self = self;
    this.peerAddressOf = peerAddressOf;
    this.receiver = receiver;
    this.unreachable = unreachable;
  }

  BindableService service() {
    return new PeerGrpc.PeerImplBase() {
      @Override
      public StreamObserver<PeerBatch> stream(StreamObserver<StreamEnd> reply) {
        return new StreamObserver<>() {
          @Override
          public void onNext(PeerBatch batch) {
            deliver(batch);
          }

          @Override
          public void onError(Throwable t) {
            LOG.debug("event=peer-stream-ended reason=\"{}\"", t.getMessage());
          }

          @Override
          public void onCompleted() {
            reply.onNext(StreamEnd.getDefaultInstance());
            reply.onCompleted();
          }
        };
      }
    };
  }

  private void deliver(PeerBatch batch) {
    arrivals.accept(batch.getFrom());
    for (PeerEnvelope env : batch.getMessagesList()) {
      Message m;
      try {
        m = Codec.fromProto(env);
      } catch (Codec.CodecException e) {
        LOG.warn("event=peer-message-rejected from={} reason=\"{}\"", batch.getFrom(),
            e.getMessage());
        continue;
      }
      receiver.receive(batch.getFrom(), m);
    }
  }

  /** Tells {@code listener} the sender of every batch received (on gRPC threads). */
  void onArrival(Consumer<String> listener) {
    this.arrivals = listener;
  }

  /** Asks for a heartbeat (an empty batch) to {@code to} with the next flush; any thread. */
  void heartbeat(String to) {
    heartbeatsDue.add(to);
  }

  void enqueue(String to, Message message) {
    outgoing.computeIfAbsent(to, k -> new ArrayList<>()).add(Codec.toProto(message));
  }

  void flush() {
    for (Iterator<String> it = heartbeatsDue.iterator(); it.hasNext(); ) {
      // A batch with no messages is the heartbeat; one with messages serves as one too.
      outgoing.computeIfAbsent(it.next(), k -> new ArrayList<>());
      it.remove();
    }
    if (outgoing.isEmpty()) {
      return;
    }
    for (Map.Entry<String, List<PeerEnvelope>> e : outgoing.entrySet()) {
      String to = e.getKey();
      String address = peerAddressOf.apply(to);
      if (address == null) {
        continue; // Not a live member we know: its messages are dropped (resent later).
      }
      PeerBatch.Builder b = PeerBatch.newBuilder().setFrom(self);
      int bytes = 0;
      for (PeerEnvelope env : e.getValue()) {
        int size = env.getSerializedSize();
        if (bytes > 0 && bytes + size > BATCH_BYTES_MAX) {
          send(to, address, b.build());
          b = PeerBatch.newBuilder().setFrom(self);
          bytes = 0;
        }
        b.addMessages(env);
        bytes += size;
      }
      send(to, address, b.build());
    }
    outgoing.clear();
  }

  private void send(String to, String address, PeerBatch batch) {
    Outgoing out = stream(to, address);
    if (out.stream.isReady()) {
      out.unready = 0;
    } else if (++out.unready > UNREADY_BATCHES_MAX) {
      return; // Still connecting, or the peer is not keeping up: drop, senders resend.
    }
    try {
      out.stream.onNext(batch);
    } catch (RuntimeException e) {
      // The call was cancelled under us (peer gone): the next flush opens a new stream.
      out.broken.set(true);
      LOG.debug("event=peer-send-failed to={} reason=\"{}\"", to, e.getMessage());
    }
  }

  /** The open stream to {@code address}, opening a new one if there is none or it broke. */
  private Outgoing stream(String to, String address) {
    Outgoing out = streams.get(address);
    if (out != null && !out.broken.get()) {
      return out;
    }
    if (out != null) {
      out.stream.cancel("replaced after a failure", null);
    }
    ManagedChannel ch = channel(address);
    if (ch.getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
      // gRPC backs off reconnects for up to two minutes; a restarted peer must be reached within
      // a beacon or two, so retry the connection at most every RECONNECT_MS.
      long now = System.nanoTime();
      Long last = lastReconnect.get(address);
      if (last == null || now - last > RECONNECT_MS * 1_000_000L) {
        lastReconnect.put(address, now);
        ch.resetConnectBackoff();
      }
    }
    AtomicBoolean broken = new AtomicBoolean();
    ClientCallStreamObserver<PeerBatch> stream = (ClientCallStreamObserver<PeerBatch>)
        PeerGrpc.newStub(ch).stream(new StreamObserver<>() {
          @Override
          public void onNext(StreamEnd value) {}

          @Override
          public void onError(Throwable t) {
            broken.set(true);
            LOG.debug("event=peer-stream-failed to={} reason=\"{}\"", address, t.getMessage());
            if (Status.fromThrowable(t).getCode() == Status.Code.UNAVAILABLE) {
              watch(to, ch);
            }
          }

          @Override
          public void onCompleted() {
            broken.set(true);
          }
        });
    out = new Outgoing(stream, broken);
    streams.put(address, out);
    return out;
  }

  /**
   * Follows a channel whose stream just failed: asks it to connect again and reports the peer
   * {@link Unreachable} each time connecting fails, until it connects (or closes). A killed
   * process refuses the connection at once, so its backups hear of it within milliseconds.
   */
  private void watch(String to, ManagedChannel ch) {
    ConnectivityState state = ch.getState(true);
    if (state == ConnectivityState.READY || state == ConnectivityState.SHUTDOWN) {
      return;
    }
    if (state == ConnectivityState.TRANSIENT_FAILURE) {
      unreachable.unreachable(to);
    }
    ch.notifyWhenStateChanged(state, () -> watch(to, ch));
  }

  private ManagedChannel channel(String address) {
    return channels.computeIfAbsent(address, a -> {
      int colon = a.lastIndexOf(':');
      return NettyChannelBuilder.forAddress(a.substring(0, colon),
              Integer.parseInt(a.substring(colon + 1)))
          .usePlaintext()
          .directExecutor() // Stream callbacks only set a flag.
          .maxInboundMessageSize(MESSAGE_BYTES_MAX)
          // A peer that vanishes without a reset (power loss, partition) fails its stream.
          .keepAliveTime(10, TimeUnit.SECONDS)
          .keepAliveTimeout(5, TimeUnit.SECONDS)
          .keepAliveWithoutCalls(true)
          .build();
    });
  }

  @Override
  public void close() {
    for (ManagedChannel c : channels.values()) {
      c.shutdownNow();
    }
  }
}

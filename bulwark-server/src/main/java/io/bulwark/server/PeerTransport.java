package io.bulwark.server;

import io.bulwark.core.pb.Message;
import io.bulwark.proto.Codec;
import io.bulwark.proto.v1.DeliverReply;
import io.bulwark.proto.v1.PeerBatch;
import io.bulwark.proto.v1.PeerEnvelope;
import io.bulwark.proto.v1.PeerGrpc;
import io.grpc.BindableService;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replica messages between nodes over gRPC {@code peer.proto}. Best effort by design (STYLE P2):
 * messages queued for a peer during one core-loop pass go out as one {@code Deliver} batch; a
 * failed or refused batch is dropped, because every sender resends on its own timers. Batches
 * to one peer are bounded in flight ({@link #INFLIGHT_MAX}); past that, new batches are dropped
 * rather than queued without limit.
 *
 * <p>{@link #enqueue} and {@link #flush} are called from the core loop thread only; received
 * messages are handed to the {@link Receiver} on gRPC threads.
 *
 * <p>Heartbeats (DESIGN §6) are batches with no messages, sent by the failure detector's thread
 * ({@link #heartbeat}); every batch received, heartbeat or not, is reported to the arrival
 * listener ({@link #onArrival}) before its messages are handled.
 */
final class PeerTransport implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PeerTransport.class);
  static final int INFLIGHT_MAX = 64;
  static final int BATCH_BYTES_MAX = 16 << 20;
  static final int MESSAGE_BYTES_MAX = 128 << 20;
  static final long DELIVER_DEADLINE_MS = 2_000;

  /** Receives a decoded message from a peer. */
  interface Receiver {
    void receive(String from, Message message);
  }

  private final String self;
  private final Function<String, String> peerAddressOf;
  private final Receiver receiver;
  private final Map<String, List<PeerEnvelope>> outgoing = new HashMap<>();
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> inflight = new ConcurrentHashMap<>();
  // Concurrent: send() runs on the core loop thread and, for heartbeats, the detector's thread.
  private final Map<String, Long> lastReconnect = new ConcurrentHashMap<>();
  private volatile Consumer<String> arrivals = from -> {};
  static final long RECONNECT_MS = 200;

  PeerTransport(String self, Function<String, String> peerAddressOf, Receiver receiver) {
    this.self = self;
    this.peerAddressOf = peerAddressOf;
    this.receiver = receiver;
  }

  BindableService service() {
    return new PeerGrpc.PeerImplBase() {
      @Override
      public void deliver(PeerBatch batch, StreamObserver<DeliverReply> reply) {
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
        reply.onNext(DeliverReply.getDefaultInstance());
        reply.onCompleted();
      }
    };
  }

  /** Tells {@code listener} the sender of every batch received (on gRPC threads). */
  void onArrival(Consumer<String> listener) {
    this.arrivals = listener;
  }

  /** Sends a heartbeat (an empty batch) to {@code to}, best effort; from any thread. */
  void heartbeat(String to) {
    String address = peerAddressOf.apply(to);
    if (address != null) {
      send(to, address, PeerBatch.newBuilder().setFrom(self).build());
    }
  }

  void enqueue(String to, Message message) {
    outgoing.computeIfAbsent(to, k -> new ArrayList<>()).add(Codec.toProto(message));
  }

  void flush() {
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
    AtomicInteger count = inflight.computeIfAbsent(to, k -> new AtomicInteger());
    if (count.incrementAndGet() > INFLIGHT_MAX) {
      count.decrementAndGet();
      return;
    }
    PeerGrpc.newStub(ch)
        .withDeadlineAfter(DELIVER_DEADLINE_MS, TimeUnit.MILLISECONDS)
        .deliver(batch, new StreamObserver<>() {
          @Override
          public void onNext(DeliverReply value) {}

          @Override
          public void onError(Throwable t) {
            count.decrementAndGet();
            LOG.debug("event=peer-send-failed to={} reason=\"{}\"", to, t.getMessage());
          }

          @Override
          public void onCompleted() {
            count.decrementAndGet();
          }
        });
  }

  private ManagedChannel channel(String address) {
    return channels.computeIfAbsent(address, a -> {
      int colon = a.lastIndexOf(':');
      return NettyChannelBuilder.forAddress(a.substring(0, colon),
              Integer.parseInt(a.substring(colon + 1)))
          .usePlaintext()
          .maxInboundMessageSize(MESSAGE_BYTES_MAX)
          .keepAliveTime(30, TimeUnit.SECONDS)
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

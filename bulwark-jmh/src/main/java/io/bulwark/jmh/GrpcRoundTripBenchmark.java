package io.bulwark.jmh;

import com.google.protobuf.ByteString;
import io.bulwark.core.common.ShardConfig;
import io.bulwark.core.pb.Command;
import io.bulwark.core.pb.LogEntry;
import io.bulwark.core.pb.Message;
import io.bulwark.core.pb.Op;
import io.bulwark.proto.Codec;
import io.bulwark.proto.v1.BulwarkGrpc;
import io.bulwark.proto.v1.PeerBatch;
import io.bulwark.proto.v1.PeerGrpc;
import io.bulwark.proto.v1.PutRequest;
import io.bulwark.proto.v1.RequestId;
import io.bulwark.proto.v1.SessionReply;
import io.bulwark.proto.v1.SessionRequest;
import io.bulwark.proto.v1.StreamEnd;
import io.bulwark.proto.v1.WriteReply;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * gRPC round trips over Netty on loopback, answered at once by trivial servers: the wire floor
 * under every client request and every replication hop, before storage or replication add
 * anything.
 *
 * <ul>
 *   <li>{@code clientPut}: {@code Bulwark.Put} with a 16-byte key, a 100-byte value and a
 *       request id, answered with a {@code WriteReply} — what a client pays to reach a primary
 *       and hear back.
 *   <li>{@code sessionPut}: the same put on a {@code Session} stream, one message each way,
 *       as the Java client's asynchronous calls send it.
 *   <li>{@code peerRoundTrip}: a batch of eight {@code ReplicatePrepare}s of one 100-byte put
 *       each, encoded by {@link Codec} as the node encodes them, sent on a peer stream to an echo
 *       server that sends it back on a stream of its own — what one replication hop pays on the
 *       wire.
 * </ul>
 *
 * <p>Why it matters: a write with acks all pays at least one client round trip plus the
 * prepare and ack of the replication hop, so the {@code peerRoundTrip} time plus the
 * {@code clientPut} time is the network part of the single-client latency floor (issue 7's
 * "two loopback round trips"), next to the fsync measured by {@link LogAppendBenchmark}.
 *
 * <p>Servers and channels are built as the node builds them (NodeServer, PeerTransport, client
 * Channels): plaintext, grpc-netty-shaded, handlers run on the network thread (the node runs
 * its data calls and peer streams there). Each unary call carries a deadline (STYLE P8). The server listens on 127.0.0.1 on a port the OS picks, and the
 * setup connects before anything is timed. Results are returned, so JMH consumes them.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@State(Scope.Benchmark)
public class GrpcRoundTripBenchmark {
  private static final long DEADLINE_SECONDS = 5;
  /** For the setup's first calls, which connect: slow on a loaded machine, and not measured. */
  private static final long CONNECT_DEADLINE_SECONDS = 60;
  private static final int PREPARES_PER_BATCH = 8;
  private static final int VALUE_BYTES = 100;
  private static final long SHUTDOWN_WAIT_SECONDS = 5;

  private Server server;
  private Server echo;
  private ManagedChannel channel;
  private ManagedChannel echoChannel;
  private ManagedChannel backChannel;
  private BulwarkGrpc.BulwarkBlockingStub client;
  private StreamObserver<PeerBatch> toEcho;
  private final BlockingQueue<PeerBatch> returned = new ArrayBlockingQueue<>(16);
  private PutRequest put;
  private PeerBatch batch;
  /** The client side of one Session stream, shared by every benchmark thread. */
  private StreamObserver<SessionRequest> session;
  private final Map<Long, CompletableFuture<SessionReply>> sessionCalls =
      new ConcurrentHashMap<>();
  private final AtomicLong sessionCallIds = new AtomicLong();

  /** Answers every put as applied at version 1: no storage, no replication. */
  private static final class TrivialBulwark extends BulwarkGrpc.BulwarkImplBase {
    private static final WriteReply APPLIED =
        WriteReply.newBuilder().setApplied(true).setVersion(1).build();

    @Override
    public void put(PutRequest request, StreamObserver<WriteReply> reply) {
      reply.onNext(APPLIED);
      reply.onCompleted();
    }

    /** Answers every put on the stream as applied, under its call id. */
    @Override
    public StreamObserver<SessionRequest> session(StreamObserver<SessionReply> out) {
      return new StreamObserver<>() {
        @Override
        public void onNext(SessionRequest r) {
          synchronized (out) {
            out.onNext(SessionReply.newBuilder().setCallId(r.getCallId()).setPut(APPLIED).build());
          }
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          synchronized (out) {
            out.onCompleted();
          }
        }
      };
    }
  }

  /** Hands every batch that arrives on a stream to {@code sink}. */
  private static final class StreamPeer extends PeerGrpc.PeerImplBase {
    private final java.util.function.Consumer<PeerBatch> sink;

    StreamPeer(java.util.function.Consumer<PeerBatch> sink) {
      this.sink = sink;
    }

    @Override
    public StreamObserver<PeerBatch> stream(StreamObserver<StreamEnd> reply) {
      return new StreamObserver<>() {
        @Override
        public void onNext(PeerBatch value) {
          sink.accept(value);
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          reply.onNext(StreamEnd.getDefaultInstance());
          reply.onCompleted();
        }
      };
    }
  }

  private static StreamObserver<PeerBatch> openStream(ManagedChannel to) {
    return PeerGrpc.newStub(to).stream(new StreamObserver<>() {
      @Override
      public void onNext(StreamEnd value) {}

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {}
    });
  }

  @Setup(Level.Trial)
  public void start() throws Exception {
    // The benchmark's own server receives what the echo server sends back.
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .directExecutor()
        .addService(new TrivialBulwark())
        .addService(new StreamPeer(returned::add))
        .build()
        .start();
    ManagedChannel back = channel(server.getPort());
    StreamObserver<PeerBatch> backStream = openStream(back);
    echo = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .directExecutor()
        .addService(new StreamPeer(b -> {
          synchronized (backStream) {
            backStream.onNext(b);
          }
        }))
        .build()
        .start();
    backChannel = back;
    channel = channel(server.getPort());
    client = BulwarkGrpc.newBlockingStub(channel);
    echoChannel = channel(echo.getPort());
    toEcho = openStream(echoChannel);
    byte[] value = new byte[VALUE_BYTES];
    Arrays.fill(value, (byte) 'v');
    put = PutRequest.newBuilder()
        .setKeyspace("default")
        .setKey(ByteString.copyFrom("key-000000000001", StandardCharsets.UTF_8))
        .setValue(ByteString.copyFrom(value))
        .setId(RequestId.newBuilder().setClientId("bench-client").setSeq(1).setFirstUnackedSeq(1))
        .build();
    batch = prepareBatch(value);
    // Connect before measuring: the node's channels and streams are long-lived, so a request
    // pays the round trip on an open HTTP/2 connection, not the TCP and HTTP/2 handshakes.
    client.withDeadlineAfter(CONNECT_DEADLINE_SECONDS, TimeUnit.SECONDS).put(put);
    session = BulwarkGrpc.newStub(channel).session(new StreamObserver<>() {
      @Override
      public void onNext(SessionReply r) {
        CompletableFuture<SessionReply> call = sessionCalls.remove(r.getCallId());
        if (call != null) {
          call.complete(r);
        }
      }

      @Override
      public void onError(Throwable t) {
        sessionCalls.values().forEach(c -> c.completeExceptionally(t));
      }

      @Override
      public void onCompleted() {}
    });
    sendOnSession().get(CONNECT_DEADLINE_SECONDS, TimeUnit.SECONDS);
    toEcho.onNext(batch);
    if (returned.poll(CONNECT_DEADLINE_SECONDS, TimeUnit.SECONDS) == null) {
      throw new IllegalStateException("the echo stream returned nothing within "
          + CONNECT_DEADLINE_SECONDS + " s");
    }
  }

  private ManagedChannel channel(int port) {
    return NettyChannelBuilder.forAddress("127.0.0.1", port)
        .usePlaintext()
        .directExecutor()
        .disableRetry()
        .build();
  }

  private static PeerBatch prepareBatch(byte[] value) {
    ShardConfig config = new ShardConfig(HandDrivenShard.SHARD, 2, "n1", List.of("n2", "n3"),
        List.of());
    PeerBatch.Builder b = PeerBatch.newBuilder().setFrom("n1");
    for (int i = 1; i <= PREPARES_PER_BATCH; i++) {
      LogEntry entry = new LogEntry(2, 100 + i, new Command("bench-client", i, i,
          new Op.Put(("key-" + i).getBytes(StandardCharsets.UTF_8), value)));
      b.addMessages(Codec.toProto(
          new Message.ReplicatePrepare(config, 99 + i, 2, List.of(entry), 99 + i)));
    }
    return b.build();
  }

  @TearDown(Level.Trial)
  public void stop() throws InterruptedException {
    channel.shutdownNow();
    echoChannel.shutdownNow();
    backChannel.shutdownNow();
    server.shutdownNow();
    echo.shutdownNow();
    boolean closed = channel.awaitTermination(SHUTDOWN_WAIT_SECONDS, TimeUnit.SECONDS)
        & echoChannel.awaitTermination(SHUTDOWN_WAIT_SECONDS, TimeUnit.SECONDS)
        & backChannel.awaitTermination(SHUTDOWN_WAIT_SECONDS, TimeUnit.SECONDS)
        & server.awaitTermination(SHUTDOWN_WAIT_SECONDS, TimeUnit.SECONDS)
        & echo.awaitTermination(SHUTDOWN_WAIT_SECONDS, TimeUnit.SECONDS);
    if (!closed) {
      throw new IllegalStateException("gRPC channel or server still running after "
          + SHUTDOWN_WAIT_SECONDS + " s");
    }
  }

  @Benchmark
  public WriteReply clientPut() {
    return client.withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS).put(put);
  }

  /**
   * The same put as {@link #clientPut}, as the Java client's asynchronous calls send it: one
   * message each way on a long-lived {@code Session} stream, answered by call id. The calling
   * thread waits for its answer, as the blocking stub's caller does.
   */
  @Benchmark
  public SessionReply sessionPut() throws Exception {
    return sendOnSession().get(DEADLINE_SECONDS, TimeUnit.SECONDS);
  }

  private CompletableFuture<SessionReply> sendOnSession() {
    long id = sessionCallIds.incrementAndGet();
    CompletableFuture<SessionReply> call = new CompletableFuture<>();
    sessionCalls.put(id, call);
    synchronized (session) {
      session.onNext(SessionRequest.newBuilder().setCallId(id).setPut(put).build());
    }
    return call;
  }

  @Benchmark
  public PeerBatch peerRoundTrip() throws InterruptedException {
    toEcho.onNext(batch);
    PeerBatch back = returned.poll(DEADLINE_SECONDS, TimeUnit.SECONDS);
    if (back == null) {
      throw new IllegalStateException("no batch back within " + DEADLINE_SECONDS + " s");
    }
    return back;
  }
}

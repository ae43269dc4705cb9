package io.bulwark.server;

import io.bulwark.core.common.ShardConfig;
import io.bulwark.core.common.ShardId;
import io.bulwark.core.pb.ClientReply;
import io.bulwark.core.pb.Input;
import io.bulwark.core.txn.TxnEffect;
import io.bulwark.proto.Codec;
import io.bulwark.proto.v1.BulwarkGrpc;
import io.bulwark.proto.v1.ResolveTxnRequest;
import io.bulwark.proto.v1.TxnStepRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Sends one transaction call ({@link TxnEffect.ShardCall}) to a shard's primary, for the node's
 * transaction coordinators and for reads that meet an intent (DESIGN §5). The route is the one
 * {@link ClientService} uses for every keyed request: the cluster view's primary of the shard.
 * When that is this node (or nobody is known), the call goes to the local {@link ReplicaLoop},
 * whose replica refuses it with NOT_PRIMARY if it is not primary after all; otherwise to the
 * primary's client service ({@code TxnStep}, {@code ResolveTxn} in api.proto), which hands it to
 * its own loop the same way.
 *
 * <p>Best effort, as {@link TxnEffect.Call} allows: every failure (refusal, timeout, broken
 * connection) is answered as {@link ClientReply.Indeterminate} or {@link ClientReply.Refused},
 * and the coordinator resends. {@code done} runs exactly once, on a loop or gRPC thread.
 * Thread-safe.
 */
final class ShardCaller implements AutoCloseable {
  /** Deadline of one remote call; the coordinator resends after its own retry interval. */
  static final long CALL_DEADLINE_MS = 2_000;

  private final String self;
  private final ReplicaLoop loop;
  private final ClusterView view;
  private final DiskGuard disk;
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private volatile boolean closed;

  ShardCaller(String self, ReplicaLoop loop, ClusterView view, DiskGuard disk) {
    this.self = self;
    this.loop = loop;
    this.view = view;
    this.disk = disk;
  }

  /** Sends {@code call} to the primary of {@code shard}. */
  void call(ShardId shard, TxnEffect.ShardCall call, Consumer<ClientReply> done) {
    ShardConfig c = view.shard(shard);
    String address = c == null || c.primary().equals(self) ? "" : view.clientAddress(c.primary());
    if (address.isEmpty() || closed) {
      local(shard, call, done);
    } else {
      remote(address, shard, call, done);
    }
  }

  /**
   * Hands {@code call} to this node's replica of {@code shard}. While this node is short of disk
   * (DESIGN §6), a write that starts new transaction work is refused here, as a plain client
   * write is: the coordinator resends it until its transaction times out and aborts, or space
   * returns (DiskGuard#refusesTxnWrite says which writes still go on).
   */
  void local(ShardId shard, TxnEffect.ShardCall call, Consumer<ClientReply> done) {
    if (call instanceof TxnEffect.Write w) {
      String diskRefusal = disk.refusesTxnWrite(w.command().op());
      if (diskRefusal != null) {
        done.accept(new ClientReply.Refused(ClientReply.Refusal.UNAVAILABLE, diskRefusal, null));
        return;
      }
      loop.request(shard, true, (rid, now) -> new Input.ClientWrite(now, rid, w.command()), done);
    } else {
      String txnId = ((TxnEffect.Resolve) call).txnId();
      loop.request(shard, true, (rid, now) -> new Input.TxnResolve(now, rid, txnId), done);
    }
  }

  private void remote(String address, ShardId shard, TxnEffect.ShardCall call,
      Consumer<ClientReply> done) {
    BulwarkGrpc.BulwarkStub stub = BulwarkGrpc.newStub(channel(address))
        .withDeadlineAfter(CALL_DEADLINE_MS, TimeUnit.MILLISECONDS);
    if (call instanceof TxnEffect.Write w) {
      stub.txnStep(TxnStepRequest.newBuilder().setKeyspace(shard.keyspace())
          .setShard(shard.shard()).setCommand(Codec.toProto(w.command())).build(),
          observer(done, TxnWire::written, "TxnStep to " + address));
    } else {
      String txnId = ((TxnEffect.Resolve) call).txnId();
      stub.resolveTxn(ResolveTxnRequest.newBuilder().setKeyspace(shard.keyspace())
          .setTxnId(txnId).setShard(shard.shard()).build(),
          observer(done, r -> TxnWire.statusIs(txnId, r), "ResolveTxn at " + address));
    }
  }

  private static <T> StreamObserver<T> observer(Consumer<ClientReply> done,
      java.util.function.Function<T, ClientReply> convert, String what) {
    return new StreamObserver<>() {
      private ClientReply reply;

      @Override
      public void onNext(T value) {
        reply = convert.apply(value);
      }

      @Override
      public void onError(Throwable t) {
        // Whatever it was, the coordinator resends the same (idempotent) command.
        done.accept(new ClientReply.Indeterminate(what + " failed: " + t.getMessage()));
      }

      @Override
      public void onCompleted() {
        done.accept(reply != null ? reply
            : new ClientReply.Indeterminate(what + " completed without a reply"));
      }
    };
  }

  private ManagedChannel channel(String address) {
    return channels.computeIfAbsent(address, a -> {
      int colon = a.lastIndexOf(':');
      // Explicit (STYLE P8): the coordinator, not gRPC, decides what to resend.
      return NettyChannelBuilder.forAddress(a.substring(0, colon),
              Integer.parseInt(a.substring(colon + 1)))
          .usePlaintext().disableRetry()
          .idleTimeout(5, TimeUnit.MINUTES)
          .build();
    });
  }

  @Override
  public void close() {
    closed = true;
    channels.values().forEach(ManagedChannel::shutdownNow);
    channels.clear();
  }
}

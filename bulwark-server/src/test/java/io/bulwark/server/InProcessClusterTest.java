package io.bulwark.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.bulwark.coord.EmbeddedZooKeeper;
import io.bulwark.proto.v1.BulwarkGrpc;
import io.bulwark.proto.v1.CommitTxnReply;
import io.bulwark.proto.v1.CommitTxnRequest;
import io.bulwark.proto.v1.ResolveTxnRequest;
import io.bulwark.proto.v1.TxnOutcomeMsg;
import io.bulwark.proto.v1.TxnReadMsg;
import io.bulwark.proto.v1.TxnWriteMsg;
import io.bulwark.proto.v1.ErrorCode;
import io.bulwark.proto.v1.ErrorDetail;
import io.bulwark.proto.v1.GetReply;
import io.bulwark.proto.v1.GetRequest;
import io.bulwark.proto.v1.LocateReply;
import io.bulwark.proto.v1.LocateRequest;
import io.bulwark.proto.v1.PutRequest;
import io.bulwark.proto.v1.RequestId;
import io.bulwark.proto.v1.WriteReply;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three real nodes (RocksDB, gRPC, Curator) in one JVM against an embedded ZooKeeper: the
 * wiring of the runtime end to end — placement, writes through the primary, reads, redirects
 * and the edge's refusals — without process faults (those live in bulwark-it).
 */
class InProcessClusterTest {
  private final List<NodeServer> nodes = new ArrayList<>();
  private final Map<String, ManagedChannel> channels = new HashMap<>();
  private EmbeddedZooKeeper zk;

  @AfterEach
  void stop() {
    channels.values().forEach(ManagedChannel::shutdownNow);
    nodes.forEach(NodeServer::close);
    if (zk != null) {
      zk.close();
    }
  }

  @Test
  void threeNodes_placeDefault_writeReadAndRedirect(@TempDir Path dir) throws Exception {
    startThreeNodes(dir);
    BulwarkGrpc.BulwarkBlockingStub any = stub(nodes.get(0).config().clientAddress());
    LocateReply loc = eventually("shard of k1 is placed", () -> any.locate(
        LocateRequest.newBuilder().setKeyspace("default").setKey(bytes("k1")).build()));
    String primaryAddress = loc.getShard().getPrimaryAddress();
    BulwarkGrpc.BulwarkBlockingStub primary = stub(primaryAddress);
    WriteReply w = eventually("a put on the primary succeeds", () -> primary.put(put("k1", "v1",
        1)));
    assertTrue(w.getApplied());
    GetReply g = primary.get(GetRequest.newBuilder().setKeyspace("default")
        .setKey(bytes("k1")).build());
    assertTrue(g.getFound());
    assertEquals("v1", g.getValue().toStringUtf8());
    assertEquals(w.getVersion(), g.getVersion());

    String backupId = loc.getShard().getBackups(0);
    String backupAddress = nodes.stream().filter(n -> n.config().nodeId().equals(backupId))
        .findFirst().orElseThrow().config().clientAddress();
    StatusRuntimeException redirected = org.junit.jupiter.api.Assertions.assertThrows(
        StatusRuntimeException.class, () -> stub(backupAddress).put(put("k1", "v2", 2)));
    ErrorDetail d = io.grpc.Status.trailersFromThrowable(redirected)
        .get(ApiErrors.DETAIL_KEY);
    assertEquals(ErrorCode.NOT_PRIMARY, d.getCode());
    assertEquals(primaryAddress, d.getPrimaryHintAddress());

    StatusRuntimeException tooBig = org.junit.jupiter.api.Assertions.assertThrows(
        StatusRuntimeException.class, () -> primary.put(PutRequest.newBuilder()
            .setKeyspace("default").setKey(ByteString.copyFrom(new byte[5000]))
            .setValue(bytes("x")).build()));
    ErrorDetail big = io.grpc.Status.trailersFromThrowable(tooBig).get(ApiErrors.DETAIL_KEY);
    assertEquals(ErrorCode.INVALID_ARGUMENT, big.getCode());
    assertTrue(big.getMessage().contains("the limit is 4096 bytes"), big.getMessage());

    StatusRuntimeException unknown = org.junit.jupiter.api.Assertions.assertThrows(
        StatusRuntimeException.class, () -> primary.get(GetRequest.newBuilder()
            .setKeyspace("nope").setKey(bytes("k")).build()));
    assertEquals(ErrorCode.UNKNOWN_KEYSPACE,
        io.grpc.Status.trailersFromThrowable(unknown).get(ApiErrors.DETAIL_KEY).getCode());

    // A retry with the same (clientId, seq) is applied once: same version, value unchanged.
    WriteReply retry = primary.put(put("k1", "v1-retry", 1));
    assertEquals(w.getVersion(), retry.getVersion());

    // The primary's per-shard gauges (published once a second) show it as primary (3).
    String primaryAdmin = nodes.stream()
        .filter(n -> n.config().clientAddress().equals(primaryAddress)).findFirst()
        .orElseThrow().config().adminAddress();
    String roleLine = "bulwark_shard_role{keyspace=\"default\",shard=\""
        + loc.getShard().getShard() + "\"} 3.0";
    eventually("the role gauge reports the primary", () -> {
      String metrics = httpGet("http://" + primaryAdmin + "/metrics");
      if (!metrics.contains(roleLine)) {
        throw new IllegalStateException("no " + roleLine);
      }
      return metrics;
    });
    assertFalse(primary.get(GetRequest.newBuilder().setKeyspace("default").setKey(bytes("k1"))
        .build()).getValue().toStringUtf8().contains("retry"));
  }

  /**
   * DESIGN §5 wiring: a commit sent to any node commits across shards (the coordinator routes
   * to remote primaries through TxnStep), a stale read version aborts with a reason, the record
   * answers ResolveTxn, and bad input is refused naming the limit.
   */
  @Test
  void threeNodes_txnCommitsAcrossShards_conflictAborts(@TempDir Path dir) throws Exception {
    startThreeNodes(dir);
    BulwarkGrpc.BulwarkBlockingStub any = stub(nodes.get(0).config().clientAddress());
    eventually("every shard is placed and serving", () -> {
      for (int i = 0; i < 16; i++) {
        getAtPrimary(any, "key" + i);
      }
      return true;
    });
    CommitTxnRequest.Builder t1 = CommitTxnRequest.newBuilder().setKeyspace("default")
        .setTxnId("test:1");
    for (int i = 0; i < 8; i++) {
      t1.addWrites(TxnWriteMsg.newBuilder().setKey(bytes("key" + i)).setValue(bytes("v" + i)));
    }
    CommitTxnReply r1 = any.commitTxn(t1.build());
    assertEquals(TxnOutcomeMsg.OUTCOME_COMMITTED, r1.getOutcome(), r1.getReason());
    for (int i = 0; i < 8; i++) {
      GetReply g = getAtPrimary(any, "key" + i);
      assertEquals("v" + i, g.getValue().toStringUtf8());
    }
    String recordPrimary = any.locate(LocateRequest.newBuilder().setKeyspace("default")
        .setKey(bytes("key0")).build()).getShard().getPrimaryAddress();
    assertEquals(TxnOutcomeMsg.OUTCOME_COMMITTED, stub(recordPrimary).resolveTxn(
        ResolveTxnRequest.newBuilder().setKeyspace("default").setTxnId("test:1")
            .setRecordKey(bytes("key0")).build()).getOutcome());
    // A read version that is no longer current aborts, and says why.
    CommitTxnReply r2 = any.commitTxn(CommitTxnRequest.newBuilder().setKeyspace("default")
        .setTxnId("test:2").addReads(TxnReadMsg.newBuilder().setKey(bytes("key1")).setVersion(1))
        .addWrites(TxnWriteMsg.newBuilder().setKey(bytes("key2")).setValue(bytes("x"))).build());
    assertEquals(TxnOutcomeMsg.OUTCOME_ABORTED, r2.getOutcome());
    assertTrue(r2.getReason().contains("changed"), r2.getReason());
    StatusRuntimeException tooMany = org.junit.jupiter.api.Assertions.assertThrows(
        StatusRuntimeException.class, () -> {
          CommitTxnRequest.Builder big = CommitTxnRequest.newBuilder().setKeyspace("default")
              .setTxnId("test:3");
          for (int i = 0; i <= ClientService.TXN_KEYS_MAX; i++) {
            big.addWrites(TxnWriteMsg.newBuilder().setKey(bytes("k" + i)).setValue(bytes("v")));
          }
          any.commitTxn(big.build());
        });
    ErrorDetail d = io.grpc.Status.trailersFromThrowable(tooMany).get(ApiErrors.DETAIL_KEY);
    assertEquals(ErrorCode.INVALID_ARGUMENT, d.getCode());
    assertTrue(d.getMessage().contains("at most " + ClientService.TXN_KEYS_MAX), d.getMessage());
  }

  private GetReply getAtPrimary(BulwarkGrpc.BulwarkBlockingStub any, String key) {
    LocateReply loc = any.locate(LocateRequest.newBuilder().setKeyspace("default")
        .setKey(bytes(key)).build());
    return stub(loc.getShard().getPrimaryAddress()).get(GetRequest.newBuilder()
        .setKeyspace("default").setKey(bytes(key)).build());
  }

  private void startThreeNodes(Path dir) throws IOException {
    zk = new EmbeddedZooKeeper(dir.resolve("zk"), 0);
    for (int i = 1; i <= 3; i++) {
      nodes.add(NodeServer.start(NodeConfig.fromMap(Map.of(
          "node.id", "n" + i, "zookeeper", zk.connectString(),
          "client.address", "127.0.0.1:" + freePort(),
          "peer.address", "127.0.0.1:" + freePort(),
          "admin.address", "127.0.0.1:" + freePort(),
          "data.dir", dir.resolve("n" + i).toString()), "test")));
    }
  }

  private static PutRequest put(String k, String v, long seq) {
    return PutRequest.newBuilder().setKeyspace("default").setKey(bytes(k)).setValue(bytes(v))
        .setId(RequestId.newBuilder().setClientId("test-client").setSeq(seq)
            .setFirstUnackedSeq(1)).build();
  }

  private BulwarkGrpc.BulwarkBlockingStub stub(String address) {
    ManagedChannel ch = channels.computeIfAbsent(address, a -> NettyChannelBuilder
        .forTarget(a).usePlaintext().build());
    return BulwarkGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private static <T> T eventually(String what, Supplier<T> call) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    RuntimeException last = null;
    while (System.nanoTime() < end) {
      try {
        return call.get();
      } catch (RuntimeException e) {
        last = e;
        Thread.sleep(50);
      }
    }
    throw new AssertionError("timed out waiting for: " + what, last);
  }

  private static String httpGet(String url) {
    try {
      return java.net.http.HttpClient.newHttpClient().send(
          java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static ByteString bytes(String s) {
    return ByteString.copyFromUtf8(s);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}

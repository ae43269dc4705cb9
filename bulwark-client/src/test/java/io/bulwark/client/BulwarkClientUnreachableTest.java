package io.bulwark.client;

import static io.bulwark.client.Fixtures.b;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.proto.v1.BulwarkGrpc;
import io.bulwark.proto.v1.StatusRequest;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Goal: when no node answers, a call ends with CLUSTER_UNAVAILABLE (the CLI's exit code 3,
 * DESIGN §8) naming the endpoints tried, within the request timeout; and a write whose attempts
 * were all refused or never connected certainly did not happen (definite). Method: real Netty
 * channels to local ports that nothing listens on, and in-process names with no server.
 */
class BulwarkClientUnreachableTest {

  /**
   * Attempts long enough for a cold Netty start (class loading, event loop), which can take
   * several hundred milliseconds on a busy machine: an attempt that times out while still
   * connecting counts, rightly, as "may have been sent".
   */
  private static ClientOptions options() {
    return new ClientOptions(Duration.ofMillis(2000), Duration.ofMillis(1000),
        Duration.ofMillis(5), Duration.ofMillis(50));
  }

  private static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Test
  void refusedConnection_isClassifiedAsNeverSent() throws IOException {
    String address = "127.0.0.1:" + closedPort();
    ManagedChannel ch = Channels.netty(address, options());
    try {
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () ->
          BulwarkGrpc.newBlockingStub(ch).withDeadlineAfter(5, TimeUnit.SECONDS)
              .status(StatusRequest.getDefaultInstance()));
      assertTrue(Errors.isConnectFailure(e), "status " + e.getStatus() + " cause " + e.getCause());
      assertEquals(null, Errors.detail(e));
    } finally {
      ch.shutdownNow();
    }
  }

  @Test
  void refusedConnections_giveClusterUnavailable_namingEveryEndpoint() throws IOException {
    int p1 = closedPort();
    int p2 = closedPort();
    try (BulwarkClient client = BulwarkClient.connect(
        List.of("127.0.0.1:" + p1, "127.0.0.1:" + p2), options())) {
      long start = System.nanoTime();
      BulwarkException status = assertThrows(BulwarkException.class, client::status);
      BulwarkException put = assertThrows(BulwarkException.class, () -> client.put("default", b("k"), b("v")));
      long ms = (System.nanoTime() - start) / 1_000_000;

      assertEquals(ErrorCode.CLUSTER_UNAVAILABLE, status.code(), status.getMessage());
      assertTrue(status.getMessage().contains("127.0.0.1:" + p1), status.getMessage());
      assertTrue(status.getMessage().contains("127.0.0.1:" + p2), status.getMessage());
      assertEquals(ErrorCode.CLUSTER_UNAVAILABLE, put.code(), put.getMessage());
      assertTrue(put.definite(), "no connection was made, so nothing was sent");
      assertTrue(ms < 6000, "took " + ms + " ms");
    }
  }

  @Test
  void writeToUnreachablePrimary_refusedEverywhereElse_isDefinite() throws IOException {
    String dead = "127.0.0.1:" + closedPort();
    try (FakeCluster cluster = new FakeCluster("n1", "n2")) {
      cluster.addKeyspace("ks", 1, "n2");
      cluster.reportAddress("n2", dead);   // n2 "listens" on a port where nothing does
      try (BulwarkClient client = BulwarkClient.create(List.of(cluster.address("n1")), options(),
          a -> a.startsWith("127.0.0.1:") ? Channels.netty(a, options()) : cluster.channel(a))) {
        BulwarkException e = assertThrows(BulwarkException.class, () -> client.put("ks", b("k"), b("v")));

        assertTrue(e.definite(), e.getMessage());
        assertTrue(e.code() == ErrorCode.NOT_PRIMARY || e.code() == ErrorCode.UNAVAILABLE, e.getMessage());
        assertTrue(e.getMessage().contains("timed out"), e.getMessage());
        assertEquals(0, cluster.writesApplied());
      }
    }
  }

  @Test
  void noServerAtAnyAddress_givesClusterUnavailable() {
    try (FakeCluster empty = new FakeCluster();
        BulwarkClient client = BulwarkClient.create(
            List.of("ghost-a:1", "ghost-b:2"), Fixtures.shortDeadline(), empty::channel)) {
      BulwarkException e = assertThrows(BulwarkException.class, () -> client.get("default", b("k")));

      assertEquals(ErrorCode.CLUSTER_UNAVAILABLE, e.code(), e.getMessage());
      assertTrue(e.getMessage().contains("ghost-a:1") && e.getMessage().contains("ghost-b:2"), e.getMessage());
    }
  }
}

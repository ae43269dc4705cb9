package io.bulwark.client;

import static io.bulwark.client.Fixtures.b;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.proto.v1.RequestId;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Goal: the asynchronous calls pipelined on one {@code Session} stream per node ({@link
 * Sessions}) each get their own answer, and a call the stream cannot answer — no reply in time,
 * or a stream that broke — fails into the retry path with the same request id, as a unary call
 * would. Method: {@link FakeCluster}, whose nodes serve session calls through their unary
 * handlers and can break their streams.
 */
class SessionsTest {
  private final FakeCluster cluster = new FakeCluster("n1", "n2");

  @AfterEach
  void tearDown() {
    cluster.close();
  }

  @Test
  void callsInFlightTogether_shareOneStream_andEachGetsItsOwnReply() throws Exception {
    cluster.addKeyspace("ks", 4, "n1");
    try (BulwarkClient client = cluster.client(Fixtures.fast(), "n1")) {
      client.describeKeyspace("ks");
      List<CompletableFuture<WriteResult>> puts = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        puts.add(client.putAsync("ks", b("k" + i), b("v" + i)));
      }
      for (CompletableFuture<WriteResult> p : puts) {
        assertTrue(p.get(10, TimeUnit.SECONDS).applied());
      }
      List<CompletableFuture<java.util.Optional<VersionedValue>>> gets = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        gets.add(client.getAsync("ks", b("k" + i)));
      }
      for (int i = 0; i < 200; i++) {
        assertEquals("v" + i, new String(gets.get(i).get(10, TimeUnit.SECONDS).orElseThrow()
            .value(), StandardCharsets.UTF_8));
      }
      assertEquals(1, cluster.node("n1").sessions.size(), "one stream carried all 400 calls");
      assertEquals(200, cluster.writesApplied());
    }
  }

  @Test
  void unansweredCall_failsAtItsTimeout_andIsRetriedWithTheSameRequestId() throws Exception {
    cluster.addKeyspace("ks", 1, "n1");
    AtomicInteger puts = new AtomicInteger();
    cluster.node("n1").fault = (method, req) -> method.equals("Put")
        && puts.getAndIncrement() == 0 ? FakeCluster.Action.hang() : null;
    ClientOptions options = new ClientOptions(Duration.ofSeconds(5), Duration.ofMillis(200),
        Duration.ofMillis(2), Duration.ofMillis(20));
    try (BulwarkClient client = cluster.client(options, "n1")) {
      client.describeKeyspace("ks");

      WriteResult r = client.putAsync("ks", b("k"), b("v")).get(10, TimeUnit.SECONDS);

      assertTrue(r.applied());
      List<RequestId> ids = cluster.putIds();
      assertEquals(2, ids.size(), "the hung attempt, then the retry");
      assertEquals(ids.get(0), ids.get(1), "the retry reuses the request id");
      assertEquals(1, cluster.writesApplied());
    }
  }

  @Test
  void brokenStream_failsItsCallsInFlightIntoRetries_andTheNextCallOpensANewStream()
      throws Exception {
    cluster.addKeyspace("ks", 1, "n1");
    AtomicInteger puts = new AtomicInteger();
    cluster.node("n1").fault = (method, req) -> method.equals("Put")
        && puts.getAndIncrement() == 0 ? FakeCluster.Action.hang() : null;
    try (BulwarkClient client = cluster.client(Fixtures.fast(), "n1")) {
      client.describeKeyspace("ks");
      CompletableFuture<WriteResult> first = client.putAsync("ks", b("k"), b("v"));
      Fixtures.eventually("the first put reached n1", () -> puts.get() == 1);

      cluster.node("n1").breakSessions();

      assertTrue(first.get(10, TimeUnit.SECONDS).applied(), "retried after the break");
      List<RequestId> ids = cluster.putIds();
      assertEquals(2, ids.size());
      assertEquals(ids.get(0), ids.get(1), "the retry reuses the request id");
      assertTrue(client.putAsync("ks", b("k2"), b("v2")).get(10, TimeUnit.SECONDS).applied());
      assertEquals(2, cluster.node("n1").sessions.size(), "a new stream after the break");
      assertEquals(2, cluster.writesApplied());
    }
  }
}

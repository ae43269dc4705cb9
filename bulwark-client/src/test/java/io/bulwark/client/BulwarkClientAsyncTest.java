package io.bulwark.client;

import static io.bulwark.client.Fixtures.b;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.proto.v1.RequestId;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Goal: {@link BulwarkClient#putAsync} and {@link BulwarkClient#getAsync} keep every promise of
 * their blocking twins (DESIGN §3 rule 4, §8) — same routing, same request id on every retry, the
 * same final errors, and a write whose first attempt may have been applied never ends "definitely
 * not applied" — while the first attempt goes out without blocking. Method: {@link FakeCluster}
 * with injected faults, as the blocking tests.
 */
class BulwarkClientAsyncTest {
  private final FakeCluster cluster = new FakeCluster("n1", "n2");

  @AfterEach
  void tearDown() {
    cluster.close();
  }

  private static <T> T await(CompletableFuture<T> f) throws Exception {
    return f.get(10, TimeUnit.SECONDS);
  }

  /** The exception the future failed with (unwrapped from ExecutionException). */
  private static Throwable failure(CompletableFuture<?> f) {
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
    return e.getCause();
  }

  @Test
  void putThenGet_roundTripsTheValue_andLeavesNoSeqOutstanding() throws Exception {
    cluster.addKeyspace("ks", 2, "n1");
    try (BulwarkClient client = cluster.client(Fixtures.fast(), "n1")) {
      WriteResult w = await(client.putAsync("ks", b("k"), b("v")));
      Optional<VersionedValue> r = await(client.getAsync("ks", b("k")));

      assertTrue(w.applied());
      assertEquals("v", new String(r.orElseThrow().value(), StandardCharsets.UTF_8));
      assertEquals(w.version(), r.orElseThrow().version());
      assertTrue(await(client.getAsync("ks", b("absent"))).isEmpty());
      assertEquals(0, client.requestIds().outstandingCount());
    }
  }

  @Test
  void indeterminateFirstAttempt_isRetriedWithTheSameRequestId_andAppliedOnce() throws Exception {
    cluster.addKeyspace("ks", 2, "n1");
    AtomicInteger puts = new AtomicInteger();
    cluster.node("n1").fault = (method, req) -> method.equals("Put")
        && puts.getAndIncrement() == 0
        ? FakeCluster.Action.failAfterApply(io.bulwark.proto.v1.ErrorCode.INDETERMINATE) : null;
    try (BulwarkClient client = cluster.client(Fixtures.fast(), "n1")) {
      client.describeKeyspace("ks"); // the keyspace is known: the first attempt is asynchronous

      WriteResult r = await(client.putAsync("ks", b("k"), b("v")));

      List<RequestId> ids = cluster.putIds();
      assertEquals(2, ids.size());
      assertEquals(ids.get(0), ids.get(1), "the retry reuses (clientId, seq, firstUnackedSeq)");
      assertEquals(1, cluster.writesApplied(), "applied once");
      assertEquals(1, r.version(), "the retry returns the first attempt's outcome");
      assertEquals(0, client.requestIds().outstandingCount());
    }
  }

  @Test
  void indeterminateFirstAttempt_thenRefusalsUntilTheDeadline_failsIndeterminate() {
    cluster.addKeyspace("ks", 2, "n1");
    AtomicInteger puts = new AtomicInteger();
    cluster.node("n1").fault = (method, req) -> !method.equals("Put") ? null
        : puts.getAndIncrement() == 0
            ? FakeCluster.Action.fail(io.bulwark.proto.v1.ErrorCode.INDETERMINATE)
            : FakeCluster.Action.fail(io.bulwark.proto.v1.ErrorCode.UNAVAILABLE);
    try (BulwarkClient client = cluster.client(Fixtures.shortDeadline(), "n1")) {
      client.describeKeyspace("ks");

      Throwable t = failure(client.putAsync("ks", b("k"), b("v")));

      BulwarkException e = assertInstanceOf(BulwarkException.class, t);
      assertEquals(ErrorCode.INDETERMINATE, e.code(), e.getMessage());
      assertFalse(e.definite(), "the asynchronous first attempt may have been applied");
      assertTrue(puts.get() > 2, "retried: " + puts.get());
    }
  }

  @Test
  void notPrimaryWithHint_followsTheHint_withTheSameRequestId() throws Exception {
    cluster.addKeyspace("ks", 1, "n1");
    try (BulwarkClient client = cluster.client(Fixtures.fast(), "n2")) {
      client.describeKeyspace("ks");          // caches n1 as primary
      cluster.setPrimary("ks", 0, "n2");      // a failover the client has not seen

      assertTrue(await(client.putAsync("ks", b("k"), b("v1"))).applied());
      await(client.putAsync("ks", b("k"), b("v2")));

      List<String> putNodes =
          cluster.received("Put").stream().map(FakeCluster.Received::node).toList();
      assertEquals(List.of("n1", "n2", "n2"), putNodes, "one redirect, then straight to n2");
      List<RequestId> ids = cluster.putIds();
      assertEquals(ids.get(0), ids.get(1), "a redirect is a retry: same request id");
    }
  }

  @Test
  void finalError_failsTheFutureAtOnce_definite() {
    cluster.addKeyspace("ks", 2, "n1");
    cluster.node("n1").fault = (method, req) -> method.equals("Get")
        ? FakeCluster.Action.fail(io.bulwark.proto.v1.ErrorCode.INVALID_ARGUMENT) : null;
    try (BulwarkClient client = cluster.client(Fixtures.fast(), "n1")) {
      client.describeKeyspace("ks");

      BulwarkException e = assertInstanceOf(BulwarkException.class,
          failure(client.getAsync("ks", b("k"))));

      assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
      assertTrue(e.definite());
      assertEquals(1, cluster.received("Get").size(), "no retry");
    }
  }

  @Test
  void unknownKeyspace_failsTheFutureWithUnknownKeyspace() {
    cluster.addKeyspace("ks", 2, "n1");
    try (BulwarkClient client = cluster.client(Fixtures.fast(), "n1")) {
      Throwable t = failure(client.putAsync("nope", b("k"), b("v")));

      BulwarkException e = assertInstanceOf(BulwarkException.class, t);
      assertEquals(ErrorCode.UNKNOWN_KEYSPACE, e.code());
      assertTrue(e.definite());
      assertEquals(0, client.requestIds().outstandingCount());
    }
  }

  @Test
  void closedClient_refusesNewAsyncCalls() {
    cluster.addKeyspace("ks", 2, "n1");
    BulwarkClient client = cluster.client(Fixtures.fast(), "n1");
    client.describeKeyspace("ks");
    client.close();

    assertThrows(IllegalStateException.class, () -> client.putAsync("ks", b("k"), b("v")));
  }
}

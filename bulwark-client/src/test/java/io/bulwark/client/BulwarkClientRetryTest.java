package io.bulwark.client;

import static io.bulwark.client.Fixtures.b;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.proto.v1.CasRequest;
import io.bulwark.proto.v1.PutRequest;
import io.bulwark.proto.v1.RequestId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Goal: retries are safe and bounded (DESIGN §3 rule 4, §8). A write is retried with the same
 * (clientId, seq), so the cluster applies it once; first_unacked_seq is the oldest write in
 * flight; refusals before append are retried until the deadline and then fail definitely; once
 * an attempt may have been applied the failure is INDETERMINATE and not definite; errors that no
 * retry fixes are thrown at once. Method: one-node {@link FakeCluster} with injected faults; the
 * deadline tests use a 300 ms request timeout.
 */
class BulwarkClientRetryTest {
  private final FakeCluster cluster = new FakeCluster("n1");
  private FakeCluster.FakeNode n1;

  @BeforeEach
  void setUp() {
    cluster.addKeyspace("ks", 2, "n1");
    n1 = cluster.node("n1");
  }

  @AfterEach
  void tearDown() {
    cluster.close();
  }

  @Test
  void indeterminateWrite_isRetriedWithSameClientIdAndSeq_andAppliedOnce() {
    AtomicInteger puts = new AtomicInteger();
    n1.fault = (method, req) -> method.equals("Put") && puts.getAndIncrement() == 0
        ? FakeCluster.Action.failAfterApply(io.bulwark.proto.v1.ErrorCode.INDETERMINATE) : null;
    try (BulwarkClient client = cluster.client(Fixtures.fast(), "n1")) {
      WriteResult r = client.put("ks", b("k"), b("v"));

      List<RequestId> ids = cluster.putIds();
      assertEquals(2, ids.size());
      assertEquals(ids.get(0), ids.get(1), "the retry reuses (clientId, seq, firstUnackedSeq)");
      assertEquals(client.clientId(), ids.get(0).getClientId());
      assertEquals(1, ids.get(0).getSeq());
      assertEquals(1, cluster.writesApplied(), "applied once");
      assertEquals(1, r.version(), "the retry returns the first attempt's outcome");
      assertEquals(0, client.requestIds().outstandingCount());
    }
  }

  @Test
  void indeterminateCas_isRetriedWithSameRequestId() {
    AtomicInteger cas = new AtomicInteger();
    n1.fault = (method, req) -> method.equals("CompareAndSet") && cas.getAndIncrement() == 0
        ? FakeCluster.Action.failAfterApply(io.bulwark.proto.v1.ErrorCode.INDETERMINATE) : null;
    try (BulwarkClient client = cluster.client(Fixtures.fast(), "n1")) {
      WriteResult r = client.compareAndSet("ks", b("k"), null, b("v"));

      assertTrue(r.applied(), "the dedup table answers the retry with the first outcome");
      List<CasRequest> reqs = cluster.received("CompareAndSet").stream()
          .map(x -> (CasRequest) x.request()).toList();
      assertEquals(2, reqs.size());
      assertEquals(reqs.get(0), reqs.get(1));
    }
  }

  @Test
  void firstUnackedSeq_advancesAsSequentialWritesComplete() {
    try (BulwarkClient client = cluster.client(Fixtures.fast(), "n1")) {
      client.put("ks", b("a"), b("1"));
      client.delete("ks", b("a"));
      client.put("ks", b("b"), b("2"));

      List<RequestId> ids = new ArrayList<>(cluster.putIds());
      assertEquals(List.of(1L, 3L), ids.stream().map(RequestId::getSeq).toList());
      assertEquals(List.of(1L, 3L), ids.stream().map(RequestId::getFirstUnackedSeq).toList());
      assertEquals(0, client.requestIds().outstandingCount());
    }
  }

  @Test
  void firstUnackedSeq_staysAtOldestWriteInFlight_thenAdvances() throws Exception {
    CountDownLatch slowArrived = new CountDownLatch(1);
    CountDownLatch releaseSlow = new CountDownLatch(1);
    n1.fault = (method, req) -> {
      if (method.equals("Put") && ((PutRequest) req).getKey().toStringUtf8().equals("slow")) {
        slowArrived.countDown();
        try {
          releaseSlow.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return null;
    };
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try (BulwarkClient client = cluster.client(Fixtures.fast(), "n1")) {
      client.describeKeyspace("ks");
      Future<WriteResult> slow = pool.submit(() -> client.put("ks", b("slow"), b("1")));
      assertTrue(slowArrived.await(5, TimeUnit.SECONDS));

      client.put("ks", b("fast"), b("2"));
      releaseSlow.countDown();
      slow.get(5, TimeUnit.SECONDS);
      client.put("ks", b("after"), b("3"));

      RequestId fast = idOfKey("fast");
      RequestId after = idOfKey("after");
      assertEquals(2, fast.getSeq());
      assertEquals(1, fast.getFirstUnackedSeq(), "seq 1 was still in flight");
      assertEquals(3, after.getSeq());
      assertEquals(3, after.getFirstUnackedSeq(), "seqs 1 and 2 are done");
    } finally {
      pool.shutdownNow();
    }
  }

  private RequestId idOfKey(String key) {
    return cluster.received("Put").stream().map(r -> (PutRequest) r.request())
        .filter(p -> p.getKey().toStringUtf8().equals(key)).findFirst().orElseThrow().getId();
  }

  @Test
  void concurrentWrites_getDistinctSeqs_andLeaveNothingOutstanding() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try (BulwarkClient client = cluster.client(Fixtures.fast(), "n1")) {
      List<Future<WriteResult>> results = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        byte[] key = b("k" + i);
        results.add(pool.submit(() -> client.put("ks", key, key)));
      }
      for (Future<WriteResult> f : results) {
        assertTrue(f.get(10, TimeUnit.SECONDS).applied());
      }
      Set<Long> seqs = new HashSet<>();
      for (RequestId id : cluster.putIds()) {
        assertTrue(seqs.add(id.getSeq()), "seq " + id.getSeq() + " used twice");
        assertTrue(id.getFirstUnackedSeq() <= id.getSeq());
      }
      assertEquals(200, seqs.size());
      assertEquals(0, client.requestIds().outstandingCount());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void deadline_everyAttemptRefusedBeforeAppend_throwsDefiniteUnavailable() {
    n1.fault = (method, req) -> method.equals("Put")
        ? FakeCluster.Action.fail(io.bulwark.proto.v1.ErrorCode.UNAVAILABLE) : null;
    try (BulwarkClient client = cluster.client(Fixtures.shortDeadline(), "n1")) {
      long start = System.nanoTime();
      BulwarkException e = assertThrows(BulwarkException.class, () -> client.put("ks", b("k"), b("v")));
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

      assertEquals(ErrorCode.UNAVAILABLE, e.code(), e.getMessage());
      assertTrue(e.definite(), "every attempt was refused before append");
      assertTrue(ms >= 250 && ms < 3000, "took " + ms + " ms");
      List<RequestId> ids = cluster.putIds();
      assertTrue(ids.size() > 2, "retried: " + ids.size());
      assertEquals(1, new HashSet<>(ids).size(), "every retry carries the same request id");
    }
  }

  @Test
  void deadline_afterAnIndeterminateAttempt_throwsIndeterminateNotDefinite() {
    AtomicInteger puts = new AtomicInteger();
    n1.fault = (method, req) -> !method.equals("Put") ? null
        : puts.getAndIncrement() == 0 ? FakeCluster.Action.fail(io.bulwark.proto.v1.ErrorCode.INDETERMINATE)
        : FakeCluster.Action.fail(io.bulwark.proto.v1.ErrorCode.UNAVAILABLE);
    try (BulwarkClient client = cluster.client(Fixtures.shortDeadline(), "n1")) {
      BulwarkException e = assertThrows(BulwarkException.class, () -> client.put("ks", b("k"), b("v")));

      assertEquals(ErrorCode.INDETERMINATE, e.code(), e.getMessage());
      assertFalse(e.definite());
    }
  }

  @Test
  void deadline_notPrimaryWithoutHintEverywhere_throwsDefiniteNotPrimary() {
    cluster.hints = false;
    n1.fault = (method, req) -> method.equals("Put")
        ? FakeCluster.Action.notPrimary("", "") : null;
    try (BulwarkClient client = cluster.client(Fixtures.shortDeadline(), "n1")) {
      BulwarkException e = assertThrows(BulwarkException.class, () -> client.put("ks", b("k"), b("v")));

      assertEquals(ErrorCode.NOT_PRIMARY, e.code(), e.getMessage());
      assertTrue(e.definite());
      assertFalse(cluster.received("Status").isEmpty(), "the client refreshed its view meanwhile");
    }
  }

  @Test
  void deadline_attemptsTimeOut_writeIsIndeterminate_readIsDefinite() {
    n1.fault = (method, req) -> method.equals("Put") || method.equals("Get")
        ? FakeCluster.Action.hang() : null;
    try (BulwarkClient client = cluster.client(Fixtures.shortDeadline(), "n1")) {
      BulwarkException w = assertThrows(BulwarkException.class, () -> client.put("ks", b("k"), b("v")));
      BulwarkException r = assertThrows(BulwarkException.class, () -> client.get("ks", b("k")));

      assertEquals(ErrorCode.INDETERMINATE, w.code(), w.getMessage());
      assertFalse(w.definite(), "a timed-out attempt may have been appended");
      assertTrue(r.definite(), "a read changes nothing");
    }
  }

  @ParameterizedTest
  @EnumSource(value = io.bulwark.proto.v1.ErrorCode.class,
      names = {"INVALID_ARGUMENT", "UNKNOWN_KEYSPACE", "DISK_FULL", "INTERNAL"})
  void finalErrors_areThrownAtOnce(io.bulwark.proto.v1.ErrorCode code) {
    n1.fault = (method, req) -> method.equals("Put") ? FakeCluster.Action.fail(code) : null;
    try (BulwarkClient client = cluster.client(Fixtures.fast(), "n1")) {
      BulwarkException e = assertThrows(BulwarkException.class, () -> client.put("ks", b("k"), b("v")));

      assertEquals(ErrorCode.valueOf(code.name()), e.code());
      assertEquals(1, cluster.received("Put").size(), "no retry");
      assertEquals(code != io.bulwark.proto.v1.ErrorCode.INTERNAL, e.definite(),
          "only INTERNAL may strike after append");
      assertTrue(e.getMessage().contains("injected " + code), e.getMessage());
    }
  }

  @Test
  void unknownKeyspace_isThrownAtOnce_andDefinite() {
    try (BulwarkClient client = cluster.client(Fixtures.fast(), "n1")) {
      BulwarkException e = assertThrows(BulwarkException.class, () -> client.put("nope", b("k"), b("v")));

      assertEquals(ErrorCode.UNKNOWN_KEYSPACE, e.code());
      assertTrue(e.definite());
      assertEquals(1, cluster.received("DescribeKeyspace").size());
    }
  }

  @Test
  void keyspaceExists_isThrownAtOnce() {
    try (BulwarkClient client = cluster.client(Fixtures.fast(), "n1")) {
      BulwarkException e = assertThrows(BulwarkException.class,
          () -> client.createKeyspace("ks", 1, 2, 1, "all"));

      assertEquals(ErrorCode.KEYSPACE_EXISTS, e.code());
      assertTrue(e.definite());
      assertEquals(1, cluster.received("CreateKeyspace").size());
    }
  }

  @Test
  void read_isRetriedThroughRefusals() {
    AtomicInteger gets = new AtomicInteger();
    n1.fault = (method, req) -> method.equals("Get") && gets.getAndIncrement() < 3
        ? FakeCluster.Action.fail(io.bulwark.proto.v1.ErrorCode.UNAVAILABLE) : null;
    try (BulwarkClient client = cluster.client(Fixtures.fast(), "n1")) {
      client.put("ks", b("k"), b("v"));

      assertEquals("v", new String(client.get("ks", b("k")).orElseThrow().value(),
          java.nio.charset.StandardCharsets.UTF_8));
      assertEquals(4, cluster.received("Get").size());
    }
  }

  @Test
  void requestTimeoutBoundsTheWholeCall_evenWithLongRpcTimeout() {
    n1.fault = (method, req) -> method.equals("Get") ? FakeCluster.Action.hang() : null;
    ClientOptions o = new ClientOptions(Duration.ofMillis(200), Duration.ofSeconds(30),
        Duration.ofMillis(5), Duration.ofMillis(10));
    try (BulwarkClient client = cluster.client(o, "n1")) {
      long start = System.nanoTime();
      assertThrows(BulwarkException.class, () -> client.get("ks", b("k")));
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertTrue(ms < 2000, "took " + ms + " ms");
    }
  }

  @Test
  void interruptedWrite_endsIndeterminate_andKeepsTheInterruptFlag() throws Exception {
    n1.fault = (method, req) -> method.equals("Put") ? FakeCluster.Action.hang() : null;
    try (BulwarkClient client = cluster.client(Fixtures.fast(), "n1")) {
      client.describeKeyspace("ks");
      AtomicReference<BulwarkException> thrown = new AtomicReference<>();
      AtomicBoolean flagKept = new AtomicBoolean();
      Thread writer = new Thread(() -> {
        try {
          client.put("ks", b("k"), b("v"));
        } catch (BulwarkException e) {
          thrown.set(e);
          flagKept.set(Thread.currentThread().isInterrupted());
        }
      });
      writer.start();
      Fixtures.eventually("the put reached the node", () -> !cluster.received("Put").isEmpty());
      writer.interrupt();
      writer.join(5000);

      assertEquals(ErrorCode.INDETERMINATE, thrown.get().code(), thrown.get().getMessage());
      assertFalse(thrown.get().definite(), "the put was sent and may be applied");
      assertTrue(flagKept.get());
      assertEquals(0, client.requestIds().outstandingCount());
    }
  }

  @Test
  void options_refuseBackoffWithoutPause_andInvertedBounds() {
    assertThrows(IllegalArgumentException.class, () -> Fixtures.fast().withBackoff(Duration.ZERO, Duration.ofMillis(1)));
    assertThrows(IllegalArgumentException.class,
        () -> Fixtures.fast().withBackoff(Duration.ofMillis(5), Duration.ofMillis(1)));
    assertThrows(IllegalArgumentException.class, () -> Fixtures.fast().withRequestTimeout(Duration.ofMillis(-1)));
    assertEquals(Duration.ofSeconds(10), ClientOptions.defaults().requestTimeout());
    assertEquals(Duration.ofSeconds(2), ClientOptions.defaults().rpcTimeout());
    assertEquals(Duration.ofMillis(10), ClientOptions.defaults().backoffMin());
    assertEquals(Duration.ofMillis(250), ClientOptions.defaults().backoffMax());
  }
}

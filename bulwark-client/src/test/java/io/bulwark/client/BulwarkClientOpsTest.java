package io.bulwark.client;

import static io.bulwark.client.Fixtures.b;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.proto.v1.CasRequest;
import io.grpc.ManagedChannel;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Goal: each public operation sends what api.proto asks and maps the reply into the client's
 * records: CAS by value sets expected_version to -1 (log.proto CasOp), CAS by version passes it,
 * failed CAS reports the current value, keyspace admin keeps the routing cache in step, status
 * maps every field, and a closed client refuses calls. Method: a {@link FakeCluster}.
 */
class BulwarkClientOpsTest {
  private final FakeCluster cluster = new FakeCluster("n1", "n2");

  @AfterEach
  void tearDown() {
    cluster.close();
  }

  @Test
  void putGetDelete_roundTrip() {
    cluster.addKeyspace("ks", 4, "n1");
    try (BulwarkClient client = cluster.client(Fixtures.fast(), "n2")) {
      assertEquals(Optional.empty(), client.get("ks", b("k")));

      WriteResult w = client.put("ks", b("k"), b("v"));
      VersionedValue v = client.get("ks", b("k")).orElseThrow();
      WriteResult d = client.delete("ks", b("k"));

      assertTrue(w.applied());
      assertNull(w.currentValue());
      assertEquals(new VersionedValue(b("v"), w.version()), v);
      assertTrue(d.applied());
      assertEquals(Optional.empty(), client.get("ks", b("k")));
    }
  }

  @Test
  void compareAndSet_byValue_sendsNegativeExpectedVersion_andReportsCurrentOnMismatch() {
    cluster.addKeyspace("ks", 1, "n1");
    try (BulwarkClient client = cluster.client(Fixtures.fast(), "n1")) {
      WriteResult create = client.compareAndSet("ks", b("k"), null, b("a"));
      WriteResult again = client.compareAndSet("ks", b("k"), null, b("b"));
      WriteResult swap = client.compareAndSet("ks", b("k"), b("a"), b("c"));
      WriteResult wrong = client.compareAndSet("ks", b("k"), b("a"), b("d"));
      WriteResult remove = client.compareAndSet("ks", b("k"), b("c"), null);

      assertTrue(create.applied());
      assertFalse(again.applied(), "null expected value means must be absent");
      assertArrayEquals(b("a"), again.currentValue());
      assertEquals(create.version(), again.version());
      assertTrue(swap.applied());
      assertFalse(wrong.applied());
      assertArrayEquals(b("c"), wrong.currentValue());
      assertTrue(remove.applied());
      assertEquals(Optional.empty(), client.get("ks", b("k")));
      CasRequest first = (CasRequest) cluster.received("CompareAndSet").get(0).request();
      assertEquals(-1, first.getExpectedVersion());
      assertFalse(first.hasExpectedValue());
      CasRequest last = (CasRequest) cluster.received("CompareAndSet").get(4).request();
      assertFalse(last.hasNewValue(), "null new value means delete");
    }
  }

  @Test
  void compareAndSetVersion_comparesVersions() {
    cluster.addKeyspace("ks", 1, "n1");
    try (BulwarkClient client = cluster.client(Fixtures.fast(), "n1")) {
      WriteResult create = client.compareAndSetVersion("ks", b("k"), 0, b("a"));
      WriteResult stale = client.compareAndSetVersion("ks", b("k"), 0, b("b"));
      WriteResult next = client.compareAndSetVersion("ks", b("k"), create.version(), b("c"));

      assertTrue(create.applied());
      assertFalse(stale.applied());
      assertEquals(create.version(), stale.version());
      assertTrue(next.applied());
      BulwarkException e = assertThrows(BulwarkException.class,
          () -> client.compareAndSetVersion("ks", b("k"), -1, b("x")));
      assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
      assertTrue(e.definite());
    }
  }

  @Test
  void scan_refusesLimitBelowOne() {
    cluster.addKeyspace("ks", 1, "n1");
    try (BulwarkClient client = cluster.client(Fixtures.fast(), "n1")) {
      BulwarkException e = assertThrows(BulwarkException.class, () -> client.scan("ks", b(""), 0));
      assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
      assertTrue(cluster.received("Scan").isEmpty());
    }
  }

  @Test
  void keyspaceAdmin_createListDescribeDrop() {
    try (BulwarkClient client = cluster.client(Fixtures.fast(), "n1")) {
      KeyspaceInfo created = client.createKeyspace("orders", 2, 3, 1, "primary");
      client.put("orders", b("k"), b("v"));
      List<KeyspaceInfo> listed = client.listKeyspaces();
      KeyspaceInfo described = client.describeKeyspace("orders");
      client.dropKeyspace("orders");

      assertEquals(new KeyspaceInfo("orders", "primary-backup", 2, 3, 1, "primary",
          created.shardLocations()), created);
      assertEquals(3, created.shardLocations().size());
      assertEquals(List.of("orders"), listed.stream().map(KeyspaceInfo::name).toList());
      assertTrue(listed.get(0).shardLocations().isEmpty());
      assertEquals(3, described.shards());
      assertEquals(1, cluster.received("DescribeKeyspace").size(),
          "only describeKeyspace described: the put used the spec cached by create");
      assertNull(client.view().spec("orders"), "drop forgets the keyspace");
      BulwarkException e = assertThrows(BulwarkException.class, () -> client.get("orders", b("k")));
      assertEquals(ErrorCode.UNKNOWN_KEYSPACE, e.code());
    }
  }

  @Test
  void status_andLocate_mapEveryField() {
    cluster.addKeyspace("ks", 2, "n2");
    try (BulwarkClient client = cluster.client(Fixtures.fast(), "n1")) {
      ClusterStatus s = client.status();
      ShardLocation loc = client.locate("ks", b("k"));

      assertEquals("n1", s.controller());
      assertEquals(new NodeStatus("n1", cluster.address("n1"), "admin-n1:8000", true, "ok"), s.nodes().get(0));
      assertEquals(2, s.shards().size());
      ShardLocation shard0 = s.shards().get(0);
      assertEquals(new ShardLocation("ks", 0, 1, "n2", List.of("n1"), List.of(), cluster.address("n2")), shard0);
      assertEquals(FakeCluster.shardOf(b("k"), 2), loc.shard());
      assertEquals("n2", loc.primary());
      assertEquals(cluster.address("n2"), client.view().primaryAddress("ks", 1));
    }
  }

  @Test
  void close_shutsChannels_andLaterCallsAreRefused() {
    cluster.addKeyspace("ks", 1, "n1");
    BulwarkClient client = cluster.client(Fixtures.fast(), "n1", "n2");
    client.put("ks", b("k"), b("v"));
    List<ManagedChannel> used = List.copyOf(client.channelsForTest().values());

    client.close();
    client.close();

    assertFalse(used.isEmpty());
    used.forEach(ch -> assertTrue(ch.isShutdown()));
    assertThrows(IllegalStateException.class, () -> client.get("ks", b("k")));
  }

  @Test
  void valueRecords_compareArrayContents() {
    assertEquals(new KeyValueEntry(b("k"), b("v"), 3), new KeyValueEntry(b("k"), b("v"), 3));
    assertEquals(new WriteResult(false, 2, b("x")).hashCode(), new WriteResult(false, 2, b("x")).hashCode());
    assertEquals("VersionedValue[value=\"v\", version=1]", new VersionedValue(b("v"), 1).toString());
    assertEquals("WriteResult[applied=true, version=1, currentValue=0x00ff]",
        new WriteResult(true, 1, new byte[] {0, (byte) 0xff}).toString());
  }
}

package io.bulwark.client;

import static io.bulwark.client.Fixtures.b;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.proto.v1.PutRequest;
import io.bulwark.proto.v1.ScanRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Goal: requests reach the shard's primary (DESIGN §3 rule 1, §8): the client routes by
 * murmur3(key) mod shards, follows NOT_PRIMARY hints and remembers them, refreshes its view when
 * a refusal carries no hint or a node is gone, and scans by asking every shard's primary and
 * merging in unsigned byte order. Method: a {@link FakeCluster} of three in-process nodes whose
 * primaries the test moves behind the client's back; assertions are on which node received what.
 */
class BulwarkClientRoutingTest {
  private final FakeCluster cluster = new FakeCluster("n1", "n2", "n3");

  @AfterEach
  void tearDown() {
    cluster.close();
  }

  @Test
  void notPrimaryWithHint_clientFollowsHint_andRoutesThereNextTime() {
    cluster.addKeyspace("ks", 1, "n1");
    try (BulwarkClient client = cluster.client(Fixtures.fast(), "n3")) {
      client.describeKeyspace("ks");          // caches n1 as primary
      cluster.setPrimary("ks", 0, "n2");      // a failover the client has not seen

      WriteResult first = client.put("ks", b("k"), b("v1"));
      client.put("ks", b("k"), b("v2"));

      assertTrue(first.applied());
      List<String> putNodes = cluster.received("Put").stream().map(FakeCluster.Received::node).toList();
      assertEquals(List.of("n1", "n2", "n2"), putNodes, "one redirect, then straight to n2");
      PutRequest refused = (PutRequest) cluster.received("Put").get(0).request();
      PutRequest served = (PutRequest) cluster.received("Put").get(1).request();
      assertEquals(refused.getId(), served.getId(), "a redirect is a retry: same (clientId, seq)");
      assertEquals(1, cluster.received("DescribeKeyspace").size());
      assertTrue(cluster.received("Status").isEmpty(), "a hint needs no view refresh");
    }
  }

  @Test
  void notPrimaryWithoutHint_clientRefreshesViewFromStatus_andRetries() {
    cluster.addKeyspace("ks", 1, "n1");
    cluster.hints = false;
    try (BulwarkClient client = cluster.client(Fixtures.fast(), "n3")) {
      client.describeKeyspace("ks");
      cluster.setPrimary("ks", 0, "n2");

      client.put("ks", b("k"), b("v"));

      List<String> putNodes = cluster.received("Put").stream().map(FakeCluster.Received::node).toList();
      assertEquals("n1", putNodes.get(0));
      assertEquals("n2", putNodes.get(putNodes.size() - 1));
      assertFalse(cluster.received("Status").isEmpty(), "the view was refreshed");
      assertEquals(cluster.address("n2"), client.view().primaryAddress("ks", 0));
    }
  }

  @Test
  void primaryProcessGone_clientRefreshesView_andWritesToTheNewPrimary() {
    cluster.addKeyspace("ks", 1, "n1");
    try (BulwarkClient client = cluster.client(Fixtures.fast(), "n1", "n2", "n3")) {
      client.describeKeyspace("ks");
      cluster.setPrimary("ks", 0, "n3");
      cluster.stop("n1");

      WriteResult r = client.put("ks", b("k"), b("v"));

      assertTrue(r.applied());
      assertEquals(1, cluster.writesApplied());
      assertEquals("n3", cluster.received("Put").get(cluster.received("Put").size() - 1).node());
    }
  }

  @Test
  void keyedRequests_goToThePrimaryOfMurmurShard() {
    cluster.addKeyspace("ks", 3, "n1");
    cluster.setPrimary("ks", 1, "n2");
    cluster.setPrimary("ks", 2, "n3");
    try (BulwarkClient client = cluster.client(Fixtures.fast(), "n1")) {
      for (int i = 0; i < 30; i++) {
        client.put("ks", b("key-" + i), b("v"));
      }
      for (FakeCluster.Received r : cluster.received("Put")) {
        int shard = FakeCluster.shardOf(((PutRequest) r.request()).getKey().toByteArray(), 3);
        assertEquals("n" + (shard + 1), r.node(), "no request needed a redirect");
      }
    }
  }

  @Test
  void scan_mergesShardsInUnsignedByteOrder_andAppliesLimit() {
    cluster.addKeyspace("ks", 4, "n1");
    cluster.setPrimary("ks", 1, "n2");
    cluster.setPrimary("ks", 2, "n3");
    cluster.setPrimary("ks", 3, "n2");
    List<byte[]> keys = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      // High bytes (0x80..0xff) sort after ASCII only when compared unsigned.
      keys.add(new byte[] {'p', (byte) (i * 6 + 10), (byte) i});
    }
    keys.add(b("q-not-in-prefix"));
    try (BulwarkClient client = cluster.client(Fixtures.fast(), "n1")) {
      for (byte[] k : keys) {
        client.put("ks", k, k);
      }
      List<byte[]> expected = keys.stream().filter(k -> k[0] == 'p')
          .sorted(Arrays::compareUnsigned).collect(Collectors.toList());

      List<KeyValueEntry> first25 = client.scan("ks", b("p"), 25);
      List<KeyValueEntry> all = client.scan("ks", null, 1000);

      assertEquals(25, first25.size());
      for (int i = 0; i < 25; i++) {
        assertArrayEquals(expected.get(i), first25.get(i).key(), "entry " + i);
        assertArrayEquals(expected.get(i), first25.get(i).value());
      }
      assertEquals(keys.size(), all.size());
      for (int i = 1; i < all.size(); i++) {
        assertTrue(Arrays.compareUnsigned(all.get(i - 1).key(), all.get(i).key()) < 0);
      }
      List<FakeCluster.Received> scans = cluster.received("Scan");
      assertEquals(8, scans.size(), "each scan asks each of the 4 shards once");
      for (FakeCluster.Received r : scans) {
        ScanRequest req = (ScanRequest) r.request();
        assertEquals(new String[] {"n1", "n2", "n3", "n2"}[req.getShard()], r.node());
      }
    }
  }
}

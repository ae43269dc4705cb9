package io.bulwark.coord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulwark.core.common.KeyspaceSpec;
import io.bulwark.core.common.KeyspaceSpec.Acks;
import io.bulwark.core.common.KeyspaceSpec.Strategy;
import io.bulwark.core.common.ShardConfig;
import io.bulwark.core.common.ShardId;
import io.bulwark.core.detect.NodeHealth;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Goal: the znode layout and JSON shapes are exactly those of DESIGN §2 and the brief, and a
 * malformed znode is reported with its path instead of being half-read. Method: pure encode /
 * decode round trips and hand-written JSON.
 */
class CoordJsonTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void pathsFollowDesignSection2() {
    ClusterPaths p = new ClusterPaths("prod");
    assertEquals("/bulwark/prod/nodes/n1", p.node("n1"));
    assertEquals("/bulwark/prod/controller", p.controller());
    assertEquals("/bulwark/prod/keyspaces/default", p.keyspace("default"));
    assertEquals("/bulwark/prod/shards/default/3", p.shard(new ShardId("default", 3)));
    assertEquals(new ShardId("default", 3), p.shardOf("/bulwark/prod/shards/default/3"));
    assertNull(p.shardOf("/bulwark/prod/shards/default"));
    assertNull(p.shardOf("/bulwark/prod/shards/default/x"));
    assertThrows(IllegalArgumentException.class, () -> new ClusterPaths("a/b"));
  }

  @Test
  void nodeRecordHasItsFieldsAndRoundTrips() throws Exception {
    NodeRecord n = new NodeRecord("n1", "127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3", "z1",
        NodeHealth.DEGRADED, "disk-low: 12 MiB free", true,
        List.of(new ShardId("default", 3), new ShardId("orders", 0)));
    byte[] data = CoordJson.encodeNode(n);
    JsonNode o = JSON.readTree(data);
    assertEquals(List.of("id", "client", "peer", "admin", "zone", "health", "reason", "diskLow",
        "dormant"), fieldNames(o));
    assertEquals("DEGRADED", o.get("health").asText());
    assertEquals("[\"default/3\",\"orders/0\"]", o.get("dormant").toString());
    assertEquals(n, CoordJson.decodeNode("/x", data));
  }

  @Test
  void olderNodeRecords_withFreeTextHealthAndNoReason_stillDecode() {
    byte[] data = ("{\"id\":\"n1\",\"client\":\"c:1\",\"peer\":\"p:2\",\"admin\":\"a:3\","
        + "\"health\":\"DEGRADED gc slow\"}").getBytes(StandardCharsets.UTF_8);
    NodeRecord n = CoordJson.decodeNode("/x", data);
    assertEquals(NodeHealth.DEGRADED, n.health());
    assertEquals("gc slow", n.reason());
    assertEquals(false, n.diskLow());
    assertEquals(List.of(), n.dormant());
    byte[] bad = "{\"id\":\"n1\",\"client\":\"c:1\",\"peer\":\"p:2\",\"admin\":\"a:3\",\"health\":\"OK\"}"
        .getBytes(StandardCharsets.UTF_8);
    assertTrue(assertThrows(CoordinationException.class, () -> CoordJson.decodeNode("/x", bad))
        .getMessage().contains("HEALTHY, DEGRADED or FAILED"));
  }

  @Test
  void nodeRecordWithAMalformedDormantShard_isRefusedWithWhatWasWrong() {
    byte[] data = ("{\"id\":\"n1\",\"client\":\"c:1\",\"peer\":\"p:2\",\"admin\":\"a:3\","
        + "\"health\":\"HEALTHY\",\"dormant\":[\"default\"]}").getBytes(StandardCharsets.UTF_8);
    assertTrue(assertThrows(CoordinationException.class, () -> CoordJson.decodeNode("/x", data))
        .getMessage().contains("'default' is not keyspace/shard"));
  }

  @Test
  void keyspaceSpecUsesDesignNamesForStrategyAndAcks() throws Exception {
    KeyspaceSpec spec = new KeyspaceSpec("orders", Strategy.MULTI_PRIMARY, 3, 16, 2, Acks.PRIMARY);
    byte[] data = CoordJson.encodeKeyspace(spec, "p1");
    JsonNode o = JSON.readTree(data);
    assertEquals("multi-primary", o.get("strategy").asText());
    assertEquals("primary", o.get("acks").asText());
    assertEquals(16, o.get("shards").asInt());
    assertEquals(2, o.get("minInsync").asInt());
    assertEquals(spec, CoordJson.decodeKeyspace("/x", data).value());
    assertEquals("p1", CoordJson.decodeKeyspace("/x", data).proposal());
  }

  @Test
  void shardConfigIsEpochPrimaryBackupsLearners_shardComesFromThePath() throws Exception {
    ShardId id = new ShardId("default", 7);
    ShardConfig c = new ShardConfig(id, 4, "n2", List.of("n1", "n3"), List.of("n4"));
    byte[] data = CoordJson.encodeShardConfig(c, "p");
    JsonNode o = JSON.readTree(data);
    assertEquals(List.of("epoch", "primary", "backups", "learners", "proposal"), fieldNames(o));
    assertEquals(c, CoordJson.decodeShardConfig(id, "/x", data).value());
  }

  @Test
  void unknownFieldsAreIgnored_missingOnesNameTheZnode() {
    byte[] extra =
        "{\"epoch\":2,\"primary\":\"a\",\"backups\":[],\"learners\":[],\"future\":1}"
            .getBytes(StandardCharsets.UTF_8);
    ShardId id = new ShardId("k", 0);
    assertEquals(2, CoordJson.decodeShardConfig(id, "/x", extra).value().epoch());
    byte[] missing = "{\"epoch\":2,\"backups\":[]}".getBytes(StandardCharsets.UTF_8);
    CoordinationException e =
        assertThrows(
            CoordinationException.class,
            () -> CoordJson.decodeShardConfig(id, "/bulwark/c/shards/k/0", missing));
    assertTrue(e.getMessage().contains("/bulwark/c/shards/k/0"), e.getMessage());
    assertThrows(
        CoordinationException.class,
        () -> CoordJson.decodeNode("/n", "not json".getBytes(StandardCharsets.UTF_8)));
  }

  private static List<String> fieldNames(JsonNode o) {
    List<String> names = new ArrayList<>();
    o.fieldNames().forEachRemaining(names::add);
    return names;
  }
}

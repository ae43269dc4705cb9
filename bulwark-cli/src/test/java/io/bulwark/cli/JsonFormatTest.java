package io.bulwark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.client.ClusterStatus;
import io.bulwark.client.KeyValueEntry;
import io.bulwark.client.KeyspaceInfo;
import io.bulwark.client.LearnerCopy;
import io.bulwark.client.NodeStatus;
import io.bulwark.client.ShardLocation;
import io.bulwark.client.VersionedValue;
import io.bulwark.client.WriteResult;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Goal: the {@code --json} documents carry exactly the field names DESIGN §8 fixes, with the
 * right JSON types (numbers as numbers, lists as arrays), so scripts can rely on them.
 *
 * <p>Method: format client records with {@link JsonFormat}, render, parse the text back and
 * compare field names and values.
 */
class JsonFormatTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final ShardLocation SHARD3 = new ShardLocation("default", 3, 5, "n2",
      List.of("n1", "n3"), List.of(), "127.0.0.1:7002");

  @Test
  void get_isKeyValueVersion() throws Exception {
    JsonNode doc = roundTrip(JsonFormat.get(utf8("k"), new VersionedValue(utf8("v"), 17)));
    assertEquals(List.of("key", "value", "version"), fields(doc));
    assertEquals("k", doc.get("key").textValue());
    assertEquals("v", doc.get("value").textValue());
    assertTrue(doc.get("version").isIntegralNumber());
    assertEquals(17, doc.get("version").longValue());
  }

  @Test
  void put_isKeyVersion() throws Exception {
    JsonNode doc = roundTrip(JsonFormat.write(utf8("k"), new WriteResult(true, 17, null)));
    assertEquals(List.of("key", "version"), fields(doc));
    assertEquals(17, doc.get("version").longValue());
  }

  @Test
  void locate_hasTheDesignFieldsWithBackupsAsArray() throws Exception {
    JsonNode doc = roundTrip(JsonFormat.locate(SHARD3));
    assertEquals(List.of("keyspace", "shard", "epoch", "primary", "backups"),
        fields(doc).subList(0, 5));
    assertEquals("default", doc.get("keyspace").textValue());
    assertEquals(3, doc.get("shard").intValue());
    assertEquals(5, doc.get("epoch").longValue());
    assertEquals("n2", doc.get("primary").textValue());
    assertEquals("[\"n1\",\"n3\"]", doc.get("backups").toString());
  }

  @Test
  void status_hasNodesAndShardsWithTheDesignFields() throws Exception {
    ClusterStatus status = new ClusterStatus(
        List.of(new NodeStatus("n1", "127.0.0.1:7001", "127.0.0.1:7201", true, "HEALTHY"),
            new NodeStatus("n2", "127.0.0.1:7002", "127.0.0.1:7202", true, "FAILED",
                "disk-full: 1.0 MiB free", true)),
        List.of(SHARD3), "n1");
    JsonNode doc = roundTrip(JsonFormat.status(status));
    assertEquals(List.of("nodes", "shards", "controller"), fields(doc));
    JsonNode node = doc.get("nodes").get(0);
    assertEquals(List.of("id", "client", "admin", "alive", "health", "reason", "diskLow"),
        fields(node));
    assertTrue(node.get("alive").isBoolean());
    JsonNode failed = doc.get("nodes").get(1);
    assertEquals("FAILED", failed.get("health").textValue());
    assertEquals("disk-full: 1.0 MiB free", failed.get("reason").textValue());
    assertTrue(failed.get("diskLow").booleanValue());
    JsonNode shard = doc.get("shards").get(0);
    assertEquals(List.of("keyspace", "shard", "epoch", "primary", "backups", "learners",
        "learnerProgress"), fields(shard));
    assertTrue(shard.get("learners").isArray());
    assertTrue(shard.get("learnerProgress").isObject());
  }

  @Test
  void status_showsEachLearnersProgressAsItsPrimaryReportedIt() throws Exception {
    ShardLocation copying = new ShardLocation("default", 3, 5, "n2", List.of("n1"),
        List.of("n4"), "127.0.0.1:7002", List.of(new LearnerCopy("n4", 63, 4096, 63, 100)));
    JsonNode doc = roundTrip(JsonFormat.status(new ClusterStatus(List.of(), List.of(copying),
        "n1")));
    JsonNode p = doc.get("shards").get(0).get("learnerProgress").get("n4");
    assertEquals(63, p.get("percent").intValue());
    assertEquals(4096, p.get("bytes").longValue());
    assertEquals(List.of("percent", "bytes", "ackedIndex", "lastIndex"), fields(p));
  }

  @Test
  void casNotApplied_carriesCurrentValueOrNullWhenAbsent() throws Exception {
    JsonNode present = roundTrip(JsonFormat.cas(utf8("k"), new WriteResult(false, 9, utf8("x"))));
    assertEquals(List.of("key", "applied", "version", "currentValue"), fields(present));
    assertEquals("x", present.get("currentValue").textValue());
    JsonNode absent = roundTrip(JsonFormat.cas(utf8("k"), new WriteResult(false, 0, null)));
    assertTrue(absent.get("currentValue").isNull());
    JsonNode applied = roundTrip(JsonFormat.cas(utf8("k"), new WriteResult(true, 10, null)));
    assertEquals(List.of("key", "applied", "version"), fields(applied));
  }

  @Test
  void scan_listsItemsInOrder() throws Exception {
    JsonNode doc = roundTrip(JsonFormat.scan("default", utf8("a"), List.of(
        new KeyValueEntry(utf8("a1"), utf8("x"), 3), new KeyValueEntry(utf8("a2"), utf8("y"), 4))));
    assertEquals(List.of("keyspace", "prefix", "items"), fields(doc));
    assertEquals(List.of("key", "value", "version"), fields(doc.get("items").get(0)));
    assertEquals("a2", doc.get("items").get(1).get("key").textValue());
  }

  @Test
  void keyspace_hasSpecAndShardLocations() throws Exception {
    JsonNode doc = roundTrip(JsonFormat.keyspace(new KeyspaceInfo("orders", "primary-backup", 3,
        16, 2, "all", List.of(SHARD3))));
    assertEquals(List.of("name", "strategy", "replicas", "shards", "minInsync", "acks",
        "shardLocations"), fields(doc));
    assertEquals(16, doc.get("shards").intValue());
    assertEquals("n2", doc.get("shardLocations").get(0).get("primary").textValue());
    JsonNode list = roundTrip(JsonFormat.keyspaces(List.of(
        new KeyspaceInfo("default", "primary-backup", 3, 16, 2, "all", List.of()))));
    assertEquals("default", list.get("keyspaces").get(0).get("name").textValue());
  }

  @Test
  void utf8Text_isKeptExactly() throws Exception {
    JsonNode doc = roundTrip(JsonFormat.get(utf8("clé"), new VersionedValue(utf8("värde ✓"), 1)));
    assertEquals("clé", doc.get("key").textValue());
    assertEquals("värde ✓", doc.get("value").textValue());
    assertFalse(doc.has("valueBase64"));
  }

  @Test
  void valueThatIsNotUtf8_isAlsoGivenExactlyInBase64() throws Exception {
    byte[] raw = {(byte) 0xff, 0x00, (byte) 0xc3};
    JsonNode doc = roundTrip(JsonFormat.get(utf8("k"), new VersionedValue(raw, 1)));
    assertEquals(Base64.getEncoder().encodeToString(raw), doc.get("valueBase64").textValue());
  }

  @Test
  void render_isOneLine() {
    String text = JsonFormat.render(JsonFormat.locate(SHARD3));
    assertFalse(text.contains("\n"));
  }

  private static JsonNode roundTrip(ObjectNode doc) throws Exception {
    return JSON.readTree(JsonFormat.render(doc));
  }

  private static List<String> fields(JsonNode node) {
    List<String> names = new ArrayList<>();
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      names.add(it.next());
    }
    return names;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}

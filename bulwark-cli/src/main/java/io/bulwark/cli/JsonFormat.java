package io.bulwark.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.client.ClusterStatus;
import io.bulwark.client.KeyValueEntry;
import io.bulwark.client.KeyspaceInfo;
import io.bulwark.client.LearnerCopy;
import io.bulwark.client.NodeStatus;
import io.bulwark.client.ShardLocation;
import io.bulwark.client.VersionedValue;
import io.bulwark.client.WriteResult;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * The {@code --json} documents of the CLI. DESIGN §8 fixes these field names; more fields may be
 * added, none renamed:
 *
 * <pre>
 * get      {"key":"k","value":"v","version":17}
 * put      {"key":"k","version":17}
 * delete   {"key":"k","version":18}
 * cas      {"key":"k","applied":true,"version":19}
 *          {"key":"k","applied":false,"version":17,"currentValue":"v"}   (null if absent)
 * scan     {"keyspace":"default","prefix":"p","items":[{"key","value","version"}]}
 * locate   {"keyspace":"default","shard":3,"epoch":5,"primary":"n2","backups":["n1","n3"],
 *           "learners":[],"primaryAddress":"127.0.0.1:7002"}
 * status   {"nodes":[{"id","client","admin","alive","health"}],
 *           "shards":[{"keyspace","shard","epoch","primary","backups","learners"}],
 *           "controller":"n1"}
 * keyspace {"name","strategy","replicas","shards","minInsync","acks","shardLocations":[...]}
 *          list: {"keyspaces":[...]}; drop: {"name":"ks","dropped":true}
 * </pre>
 *
 * Keys and values are UTF-8 strings. A value that is not valid UTF-8 (written by another client)
 * is shown with replacement characters and also, exactly, as {@code valueBase64}. Stateless and
 * thread-safe; every method returns a fresh tree.
 */
public final class JsonFormat {
  private static final ObjectMapper JSON = new ObjectMapper();

  private JsonFormat() {}

  /** One line of compact JSON, without the trailing newline. */
  public static String render(ObjectNode document) {
    return document.toString();
  }

  public static ObjectNode get(byte[] key, VersionedValue value) {
    ObjectNode o = object();
    putBytes(o, "key", key);
    putBytes(o, "value", value.value());
    o.put("version", value.version());
    return o;
  }

  /** {@code put} and {@code delete}. */
  public static ObjectNode write(byte[] key, WriteResult result) {
    ObjectNode o = object();
    putBytes(o, "key", key);
    o.put("version", result.version());
    return o;
  }

  public static ObjectNode cas(byte[] key, WriteResult result) {
    ObjectNode o = object();
    putBytes(o, "key", key);
    o.put("applied", result.applied());
    o.put("version", result.version());
    if (!result.applied()) {
      if (result.currentValue() == null) {
        o.putNull("currentValue");
      } else {
        putBytes(o, "currentValue", result.currentValue());
      }
    }
    return o;
  }

  public static ObjectNode scan(String keyspace, byte[] prefix, List<KeyValueEntry> entries) {
    ObjectNode o = object();
    o.put("keyspace", keyspace);
    putBytes(o, "prefix", prefix);
    ArrayNode items = o.putArray("items");
    for (KeyValueEntry e : entries) {
      ObjectNode item = items.addObject();
      putBytes(item, "key", e.key());
      putBytes(item, "value", e.value());
      item.put("version", e.version());
    }
    return o;
  }

  public static ObjectNode locate(ShardLocation location) {
    ObjectNode o = shard(location);
    o.put("primaryAddress", location.primaryAddress());
    return o;
  }

  public static ObjectNode status(ClusterStatus status) {
    ObjectNode o = object();
    ArrayNode nodes = o.putArray("nodes");
    for (NodeStatus n : status.nodes()) {
      ObjectNode node = nodes.addObject();
      node.put("id", n.id());
      node.put("client", n.client());
      node.put("admin", n.admin());
      node.put("alive", n.alive());
      node.put("health", n.health());
      node.put("reason", n.reason());
      node.put("diskLow", n.diskLow());
    }
    ArrayNode shards = o.putArray("shards");
    for (ShardLocation s : status.shards()) {
      shards.add(shard(s));
    }
    o.put("controller", status.controller());
    return o;
  }

  public static ObjectNode keyspace(KeyspaceInfo info) {
    ObjectNode o = object();
    o.put("name", info.name());
    o.put("strategy", info.strategy());
    o.put("replicas", info.replicas());
    o.put("shards", info.shards());
    o.put("minInsync", info.minInsync());
    o.put("acks", info.acks());
    ArrayNode locations = o.putArray("shardLocations");
    for (ShardLocation s : info.shardLocations()) {
      locations.add(shard(s));
    }
    return o;
  }

  public static ObjectNode keyspaces(List<KeyspaceInfo> infos) {
    ObjectNode o = object();
    ArrayNode list = o.putArray("keyspaces");
    for (KeyspaceInfo info : infos) {
      list.add(keyspace(info));
    }
    return o;
  }

  public static ObjectNode dropped(String name) {
    ObjectNode o = object();
    o.put("name", name);
    o.put("dropped", true);
    return o;
  }

  /** {"keyspace","shard","epoch","primary","backups","learners"}: locate and status share it. */
  private static ObjectNode shard(ShardLocation s) {
    ObjectNode o = object();
    o.put("keyspace", s.keyspace());
    o.put("shard", s.shard());
    o.put("epoch", s.epoch());
    o.put("primary", s.primary());
    ArrayNode backups = o.putArray("backups");
    s.backups().forEach(backups::add);
    ArrayNode learners = o.putArray("learners");
    s.learners().forEach(learners::add);
    // Re-replication progress (DESIGN §6), as the primary reported it: {"n4":{"percent":63,...}}.
    ObjectNode progress = o.putObject("learnerProgress");
    for (LearnerCopy c : s.learnerProgress()) {
      ObjectNode p = progress.putObject(c.node());
      p.put("percent", c.percent());
      p.put("bytes", c.bytes());
      p.put("ackedIndex", c.ackedIndex());
      p.put("lastIndex", c.lastIndex());
    }
    return o;
  }

  public static ObjectNode object() {
    return JSON.createObjectNode();
  }

  /**
   * {@code field} as a UTF-8 string; if the bytes are not valid UTF-8, also {@code
   * fieldBase64} with the exact bytes.
   */
  static void putBytes(ObjectNode o, String field, byte[] bytes) {
    o.put(field, new String(bytes, StandardCharsets.UTF_8));
    if (!isUtf8(bytes)) {
      o.put(field + "Base64", Base64.getEncoder().encodeToString(bytes));
    }
  }

  static boolean isUtf8(byte[] bytes) {
    try {
      StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }
}

package io.bulwark.coord;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.core.common.KeyspaceSpec;
import io.bulwark.core.common.KeyspaceSpec.Acks;
import io.bulwark.core.common.KeyspaceSpec.Strategy;
import io.bulwark.core.common.ShardConfig;
import io.bulwark.core.common.ShardId;
import io.bulwark.core.detect.NodeHealth;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON stored in znodes (DESIGN §2). Written field by field, not by reflection, so renaming a
 * Java record component cannot silently change what is stored. Readers ignore unknown fields
 * (DESIGN §8: more fields may be added) and reject missing or mistyped ones with a
 * {@link CoordinationException} naming the znode.
 *
 * <p>Keyspace specs and shard configurations also carry {@code "proposal"}: an opaque id of the
 * write that stored them. When a write's reply is lost and Curator retries it, the retry fails
 * (node exists / bad version) although the first attempt succeeded; comparing the stored proposal
 * with ours tells the two cases apart. Readers other than this module may ignore it.
 */
final class CoordJson {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  static final String PROPOSAL = "proposal";

  private CoordJson() {}

  /** A decoded value together with the proposal id that wrote it ("" if absent). */
  record Stored<T>(T value, String proposal) {}

  static byte[] encodeNode(NodeRecord n) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("id", n.id());
    o.put("client", n.client());
    o.put("peer", n.peer());
    o.put("admin", n.admin());
    o.put("zone", n.zone());
    o.put("health", n.health().name());
    o.put("reason", n.reason());
    o.put("diskLow", n.diskLow());
    ArrayNode dormant = o.putArray("dormant");
    n.dormant().forEach(d -> dormant.add(d.toString()));
    return bytes(o);
  }

  /**
   * Reads a node record. {@code reason}, {@code diskLow} and {@code dormant} may be absent
   * (records written before they existed); a {@code health} of the older free-text form "DEGRADED why" is split into
   * health and reason.
   */
  static NodeRecord decodeNode(String path, byte[] data) {
    JsonNode o = parse(path, data);
    String healthText = text(path, o, "health").trim();
    int space = healthText.indexOf(' ');
    String reason = o.hasNonNull("reason") ? text(path, o, "reason")
        : space < 0 ? "" : healthText.substring(space + 1).trim();
    NodeHealth health;
    try {
      health = NodeHealth.parse(space < 0 ? healthText : healthText.substring(0, space));
    } catch (IllegalArgumentException e) {
      throw malformed(path, "field 'health': " + e.getMessage());
    }
    JsonNode diskLow = o.get("diskLow");
    if (diskLow != null && !diskLow.isBoolean()) {
      throw malformed(path, "field 'diskLow' is not a boolean");
    }
    List<ShardId> dormant = new ArrayList<>();
    JsonNode d = o.get("dormant");
    if (d != null && !d.isArray()) {
      throw malformed(path, "field 'dormant' is not an array");
    }
    if (d != null) {
      for (JsonNode e : d) {
        dormant.add(shardIdOf(path, e.asText()));
      }
    }
    return new NodeRecord(
        text(path, o, "id"),
        text(path, o, "client"),
        text(path, o, "peer"),
        text(path, o, "admin"),
        o.hasNonNull("zone") ? text(path, o, "zone") : "",
        health,
        reason,
        diskLow != null && diskLow.asBoolean(),
        dormant);
  }

  /** "keyspace/shard", as {@link ShardId#toString()} writes it. */
  private static ShardId shardIdOf(String path, String text) {
    int slash = text.lastIndexOf('/');
    try {
      return new ShardId(text.substring(0, Math.max(slash, 0)),
          Integer.parseInt(text.substring(slash + 1)));
    } catch (RuntimeException e) {
      throw malformed(path, "field 'dormant': '" + text + "' is not keyspace/shard");
    }
  }

  static byte[] encodeKeyspace(KeyspaceSpec s, String proposal) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("name", s.name());
    o.put("strategy", strategyName(s.strategy()));
    o.put("replicas", s.replicas());
    o.put("shards", s.shards());
    o.put("minInsync", s.minInsync());
    o.put("acks", s.acks() == Acks.ALL ? "all" : "primary");
    o.put(PROPOSAL, proposal);
    return bytes(o);
  }

  static Stored<KeyspaceSpec> decodeKeyspace(String path, byte[] data) {
    JsonNode o = parse(path, data);
    String strategy = text(path, o, "strategy");
    String acks = text(path, o, "acks");
    KeyspaceSpec spec =
        new KeyspaceSpec(
            text(path, o, "name"),
            switch (strategy) {
              case "primary-backup" -> Strategy.PRIMARY_BACKUP;
              case "multi-primary" -> Strategy.MULTI_PRIMARY;
              default -> throw malformed(path, "unknown strategy '" + strategy + "'");
            },
            integer(path, o, "replicas"),
            integer(path, o, "shards"),
            integer(path, o, "minInsync"),
            switch (acks) {
              case "all" -> Acks.ALL;
              case "primary" -> Acks.PRIMARY;
              default -> throw malformed(path, "unknown acks '" + acks + "'");
            });
    return new Stored<>(spec, proposal(o));
  }

  static String strategyName(Strategy s) {
    return s == Strategy.PRIMARY_BACKUP ? "primary-backup" : "multi-primary";
  }

  static byte[] encodeShardConfig(ShardConfig c, String proposal) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("epoch", c.epoch());
    o.put("primary", c.primary());
    ArrayNode backups = o.putArray("backups");
    c.backups().forEach(backups::add);
    ArrayNode learners = o.putArray("learners");
    c.learners().forEach(learners::add);
    o.put(PROPOSAL, proposal);
    return bytes(o);
  }

  /** The shard comes from the znode path; the JSON holds only the roles and the epoch. */
  static Stored<ShardConfig> decodeShardConfig(ShardId shard, String path, byte[] data) {
    JsonNode o = parse(path, data);
    JsonNode epoch = o.get("epoch");
    if (epoch == null || !epoch.isIntegralNumber()) {
      throw malformed(path, "field 'epoch' is missing or not an integer");
    }
    ShardConfig config =
        new ShardConfig(
            shard,
            epoch.asLong(),
            text(path, o, "primary"),
            strings(path, o, "backups"),
            strings(path, o, "learners"));
    return new Stored<>(config, proposal(o));
  }

  static byte[] encodeHandover(HandoverRequest r) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("epoch", r.epoch());
    o.put("target", r.target());
    o.put("reason", r.reason());
    return bytes(o);
  }

  /** The shard comes from the znode path. */
  static HandoverRequest decodeHandover(ShardId shard, String path, byte[] data) {
    JsonNode o = parse(path, data);
    JsonNode epoch = o.get("epoch");
    if (epoch == null || !epoch.isIntegralNumber()) {
      throw malformed(path, "field 'epoch' is missing or not an integer");
    }
    return new HandoverRequest(shard, epoch.asLong(), text(path, o, "target"),
        text(path, o, "reason"));
  }

  private static String proposal(JsonNode o) {
    JsonNode p = o.get(PROPOSAL);
    return p != null && p.isTextual() ? p.asText() : "";
  }

  private static JsonNode parse(String path, byte[] data) {
    if (data == null || data.length == 0) {
      throw malformed(path, "no data");
    }
    try {
      JsonNode o = MAPPER.readTree(data);
      if (o == null || !o.isObject()) {
        throw malformed(path, "not a JSON object");
      }
      return o;
    } catch (IOException e) {
      throw new CoordinationException("malformed JSON at " + path + ": " + e.getMessage(), e);
    }
  }

  private static String text(String path, JsonNode o, String field) {
    JsonNode v = o.get(field);
    if (v == null || !v.isTextual()) {
      throw malformed(path, "field '" + field + "' is missing or not a string");
    }
    return v.asText();
  }

  private static int integer(String path, JsonNode o, String field) {
    JsonNode v = o.get(field);
    if (v == null || !v.isInt()) {
      throw malformed(path, "field '" + field + "' is missing or not an int");
    }
    return v.asInt();
  }

  private static List<String> strings(String path, JsonNode o, String field) {
    JsonNode v = o.get(field);
    if (v == null || !v.isArray()) {
      throw malformed(path, "field '" + field + "' is missing or not an array");
    }
    List<String> out = new ArrayList<>(v.size());
    for (JsonNode e : v) {
      if (!e.isTextual()) {
        throw malformed(path, "field '" + field + "' holds a non-string");
      }
      out.add(e.asText());
    }
    return out;
  }

  private static CoordinationException malformed(String path, String why) {
    return new CoordinationException("malformed JSON at " + path + ": " + why);
  }

  private static byte[] bytes(ObjectNode o) {
    try {
      return MAPPER.writeValueAsBytes(o);
    } catch (JsonProcessingException e) {
      // A tree of strings and numbers always serialises; failing here is a bug.
      throw new IllegalStateException("cannot serialise " + o, e);
    }
  }
}

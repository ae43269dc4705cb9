package io.bulwark.core.common;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A keyspace's fixed properties (DESIGN §2). {@code minInsync} is the least number of members
 * (primary included) a shard must have in its configuration to accept a new write.
 * {@code acks} says when a write is acknowledged: {@link Acks#ALL} once every member holds it
 * durably (the default), {@link Acks#PRIMARY} once the primary does — faster, and a documented
 * way to lose acknowledged writes when the primary dies.
 */
public record KeyspaceSpec(
    String name, Strategy strategy, int replicas, int shards, int minInsync, Acks acks) {

  public enum Strategy { PRIMARY_BACKUP, MULTI_PRIMARY }

  public enum Acks { ALL, PRIMARY }

  public static final String DEFAULT = "default";
  public static final int SHARDS_MAX = 1024;
  public static final int REPLICAS_MAX = 7;
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,62}");

  public KeyspaceSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(strategy, "strategy");
    Objects.requireNonNull(acks, "acks");
  }

  /** Why this spec is unusable, or null if it is valid. Messages name the limit. */
  public String validate() {
    if (!NAME.matcher(name).matches()) {
      return "keyspace name '" + name + "' must match " + NAME.pattern();
    }
    if (replicas < 1 || replicas > REPLICAS_MAX) {
      return "replicas must be between 1 and " + REPLICAS_MAX + ", was " + replicas;
    }
    if (shards < 1 || shards > SHARDS_MAX) {
      return "shards must be between 1 and " + SHARDS_MAX + ", was " + shards;
    }
    if (minInsync < 1 || minInsync > replicas) {
      return "min-insync must be between 1 and replicas (" + replicas + "), was " + minInsync;
    }
    return null;
  }

  /** The shard that owns {@code key}: murmur3_32(key) mod shards (DESIGN §2). */
  public int shardOf(byte[] key) {
    return Math.floorMod(Murmur3.hash32(key), shards);
  }
}

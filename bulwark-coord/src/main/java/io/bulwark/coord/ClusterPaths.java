package io.bulwark.coord;

import io.bulwark.core.common.ShardId;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The ZooKeeper layout of one cluster (DESIGN §2), all under {@code /bulwark/<cluster>}:
 * {@code nodes/<id>} (ephemeral), {@code controller} (latch), {@code keyspaces/<name>},
 * {@code shards/<keyspace>/<n>}. Pure; every path this module touches comes from here.
 */
final class ClusterPaths {
  /** Cluster names are znode names; kept to a safe, log-friendly alphabet. */
  static final Pattern CLUSTER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");

  private final String base;

  ClusterPaths(String cluster) {
    Objects.requireNonNull(cluster, "cluster");
    if (!CLUSTER.matcher(cluster).matches()) {
      throw new IllegalArgumentException(
          "cluster name '" + cluster + "' must match " + CLUSTER.pattern());
    }
    this.base = "/bulwark/" + cluster;
  }

  String base() {
    return base;
  }

  String nodes() {
    return base + "/nodes";
  }

  String node(String id) {
    return nodes() + "/" + id;
  }

  String controller() {
    return base + "/controller";
  }

  String keyspaces() {
    return base + "/keyspaces";
  }

  String keyspace(String name) {
    return keyspaces() + "/" + name;
  }

  String shards() {
    return base + "/shards";
  }

  String shardsOf(String keyspace) {
    return shards() + "/" + keyspace;
  }

  String shard(ShardId id) {
    return shardsOf(id.keyspace()) + "/" + id.shard();
  }

  String handovers() {
    return base + "/handovers";
  }

  String handover(ShardId id) {
    return handovers() + "/" + id.keyspace() + "/" + id.shard();
  }

  /** The shard a path {@code handovers/<keyspace>/<n>} names, or null for any other path. */
  ShardId handoverShardOf(String path) {
    String prefix = handovers() + "/";
    if (!path.startsWith(prefix)) {
      return null;
    }
    return shardOf(shards() + "/" + path.substring(prefix.length()));
  }

  /** The shard a path {@code shards/<keyspace>/<n>} names, or null for any other path. */
  ShardId shardOf(String path) {
    String prefix = shards() + "/";
    if (!path.startsWith(prefix)) {
      return null;
    }
    String rest = path.substring(prefix.length());
    int slash = rest.indexOf('/');
    if (slash <= 0 || rest.indexOf('/', slash + 1) >= 0) {
      return null;
    }
    String n = rest.substring(slash + 1);
    if (n.isEmpty() || n.length() > 9 || !n.chars().allMatch(Character::isDigit)) {
      return null;
    }
    return new ShardId(rest.substring(0, slash), Integer.parseInt(n));
  }

  /** The last segment of a path that is a direct child of {@code parent}, or null. */
  static String childName(String parent, String path) {
    if (!path.startsWith(parent + "/")) {
      return null;
    }
    String name = path.substring(parent.length() + 1);
    return name.isEmpty() || name.indexOf('/') >= 0 ? null : name;
  }
}

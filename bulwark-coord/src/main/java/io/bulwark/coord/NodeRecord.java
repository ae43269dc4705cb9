package io.bulwark.coord;

import io.bulwark.core.common.ShardId;
import io.bulwark.core.detect.NodeHealth;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What a live node publishes about itself in its ephemeral znode {@code nodes/<id>} (DESIGN §2),
 * stored as JSON {@code {"id","client","peer","admin","zone","health","reason","diskLow",
 * "dormant":["keyspace/shard",...]}}. The node rewrites it when its health verdict changes
 * ({@link Coordinator#updateHealth}) or its dormant replicas do ({@link
 * Coordinator#updateDormant}).
 *
 * @param id node id, unique in the cluster; a valid znode name (see {@link #ID})
 * @param client {@code host:port} of the client gRPC service
 * @param peer {@code host:port} of the peer gRPC service
 * @param admin {@code host:port} of the admin HTTP server
 * @param zone failure zone, or {@code ""} if the node declares none (null is read as "")
 * @param health the node's verdict on its own resources (DESIGN §6)
 * @param reason why, for people; {@code ""} when HEALTHY (null is read as "")
 * @param diskLow the node is short of disk space and must be given no new replicas
 * @param dormant shards whose data the node holds on disk without being their replica (it was
 *     removed while it was away): the controller re-adds it to them first (DESIGN §6)
 */
public record NodeRecord(String id, String client, String peer, String admin, String zone,
    NodeHealth health, String reason, boolean diskLow, List<ShardId> dormant) {

  /** Node ids are znode names: no '/', not "." or "..", and short enough for logs and labels. */
  public static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");

  public NodeRecord {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(peer, "peer");
    Objects.requireNonNull(admin, "admin");
    Objects.requireNonNull(health, "health");
    zone = zone == null ? "" : zone;
    reason = reason == null ? "" : reason;
    dormant = dormant == null ? List.of() : List.copyOf(dormant);
    if (!ID.matcher(id).matches()) {
      throw new IllegalArgumentException("node id '" + id + "' must match " + ID.pattern());
    }
  }

  /** A healthy node with these addresses: what a node registers at start-up. */
  public static NodeRecord healthy(String id, String client, String peer, String admin,
      String zone) {
    return new NodeRecord(id, client, peer, admin, zone, NodeHealth.HEALTHY, "", false,
        List.of());
  }

  /** The same node with another health verdict. */
  public NodeRecord withHealth(NodeHealth newHealth, String newReason, boolean newDiskLow) {
    return new NodeRecord(id, client, peer, admin, zone, newHealth, newReason, newDiskLow,
        dormant);
  }

  /** The same node holding these shards dormant. */
  public NodeRecord withDormant(List<ShardId> newDormant) {
    return new NodeRecord(id, client, peer, admin, zone, health, reason, diskLow, newDormant);
  }

  /**
   * Whether the controller may place a new replica (learner) here: not short of disk and not
   * FAILED (DESIGN §6).
   */
  public boolean acceptsNewReplicas() {
    return !diskLow && health != NodeHealth.FAILED;
  }
}

package io.bulwark.coord;

import io.bulwark.core.detect.NodeHealth;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What a live node publishes about itself in its ephemeral znode {@code nodes/<id>} (DESIGN §2),
 * stored as JSON {@code {"id","client","peer","admin","zone","health","reason","diskLow"}}. The
 * node rewrites it when its health verdict changes ({@link Coordinator#updateHealth}).
 *
 * @param id node id, unique in the cluster; a valid znode name (see {@link #ID})
 * @param client {@code host:port} of the client gRPC service
 * @param peer {@code host:port} of the peer gRPC service
 * @param admin {@code host:port} of the admin HTTP server
 * @param zone failure zone, or {@code ""} if the node declares none (null is read as "")
 * @param health the node's verdict on its own resources (DESIGN §6)
 * @param reason why, for people; {@code ""} when HEALTHY (null is read as "")
 * @param diskLow the node is short of disk space and must be given no new replicas
 */
public record NodeRecord(String id, String client, String peer, String admin, String zone,
    NodeHealth health, String reason, boolean diskLow) {

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
    if (!ID.matcher(id).matches()) {
      throw new IllegalArgumentException("node id '" + id + "' must match " + ID.pattern());
    }
  }

  /** A healthy node with these addresses: what a node registers at start-up. */
  public static NodeRecord healthy(String id, String client, String peer, String admin,
      String zone) {
    return new NodeRecord(id, client, peer, admin, zone, NodeHealth.HEALTHY, "", false);
  }

  /** The same node with another health verdict. */
  public NodeRecord withHealth(NodeHealth newHealth, String newReason, boolean newDiskLow) {
    return new NodeRecord(id, client, peer, admin, zone, newHealth, newReason, newDiskLow);
  }

  /**
   * Whether the controller may place a new replica (learner) here: not short of disk and not
   * FAILED (DESIGN §6).
   */
  public boolean acceptsNewReplicas() {
    return !diskLow && health != NodeHealth.FAILED;
  }
}

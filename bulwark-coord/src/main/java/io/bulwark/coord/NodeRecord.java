package io.bulwark.coord;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What a live node publishes about itself in its ephemeral znode {@code nodes/<id>} (DESIGN §2),
 * stored as JSON {@code {"id","client","peer","admin","zone","health"}}.
 *
 * @param id node id, unique in the cluster; a valid znode name (see {@link #ID})
 * @param client {@code host:port} of the client gRPC service
 * @param peer {@code host:port} of the peer gRPC service
 * @param admin {@code host:port} of the admin HTTP server
 * @param zone failure zone, or {@code ""} if the node declares none (null is read as "")
 * @param health {@code HEALTHY}, {@code DEGRADED} or {@code FAILED}, optionally followed by a
 *     reason (DESIGN §6); free text to this module
 */
public record NodeRecord(
    String id, String client, String peer, String admin, String zone, String health) {

  /** Node ids are znode names: no '/', not "." or "..", and short enough for logs and labels. */
  public static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");

  public NodeRecord {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(peer, "peer");
    Objects.requireNonNull(admin, "admin");
    Objects.requireNonNull(health, "health");
    zone = zone == null ? "" : zone;
    if (!ID.matcher(id).matches()) {
      throw new IllegalArgumentException("node id '" + id + "' must match " + ID.pattern());
    }
  }

  /** The same node with another health. */
  public NodeRecord withHealth(String newHealth) {
    return new NodeRecord(id, client, peer, admin, zone, newHealth);
  }
}

package io.bulwark.client;

import java.util.Objects;

/**
 * One node as the cluster's membership reports it. Immutable.
 *
 * @param client the node's client (gRPC) address {@code host:port}
 * @param admin the node's admin (HTTP) address {@code host:port}
 * @param alive whether the node is registered as live in ZooKeeper
 * @param health the node's own health verdict (DESIGN §6): HEALTHY, DEGRADED or FAILED, or
 *     UNKNOWN when it is not alive
 * @param reason why it is not HEALTHY, for people; "" when HEALTHY
 * @param diskLow the node is short of disk space and takes no new replicas
 */
public record NodeStatus(String id, String client, String admin, boolean alive, String health,
    String reason, boolean diskLow) {
  public NodeStatus {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(admin, "admin");
    Objects.requireNonNull(health, "health");
    Objects.requireNonNull(reason, "reason");
  }

  /** A node with no health reason and enough disk. */
  public NodeStatus(String id, String client, String admin, boolean alive, String health) {
    this(id, client, admin, alive, health, "", false);
  }
}

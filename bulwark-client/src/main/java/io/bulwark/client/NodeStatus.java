package io.bulwark.client;

import java.util.Objects;

/**
 * One node as the cluster's membership reports it. Immutable.
 *
 * @param client the node's client (gRPC) address {@code host:port}
 * @param admin the node's admin (HTTP) address {@code host:port}
 * @param alive whether the node is registered as live in ZooKeeper
 * @param health the node's own health verdict (DESIGN §6)
 */
public record NodeStatus(String id, String client, String admin, boolean alive, String health) {
  public NodeStatus {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(admin, "admin");
    Objects.requireNonNull(health, "health");
  }
}

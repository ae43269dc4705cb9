package io.bulwark.cli.verify;

import io.bulwark.client.BulwarkClient;
import io.bulwark.client.BulwarkException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Chooses the node a fault hits: usually ({@value #PRIMARY_PERCENT} %) the primary of one of the
 * workload's keys, so faults meet writes in flight on the hot keys, else any node.
 */
final class Targets {
  static final int PRIMARY_PERCENT = 80;

  private final BulwarkClient client;
  private final String keyspace;
  private final List<String> keys;
  private final List<String> nodeIds;

  Targets(BulwarkClient client, String keyspace, List<String> keys, List<String> nodeIds) {
    this.client = client;
    this.keyspace = keyspace;
    this.keys = List.copyOf(keys);
    this.nodeIds = List.copyOf(nodeIds);
  }

  /** A node to hit, and why it was chosen. */
  record Choice(String node, String why) {}

  Choice pick(SplittableRandom random) {
    boolean primary = random.nextInt(100) < PRIMARY_PERCENT;
    String key = keys.get(random.nextInt(keys.size()));
    String any = nodeIds.get(random.nextInt(nodeIds.size()));
    if (primary) {
      try {
        String p = client.locate(keyspace, key.getBytes(StandardCharsets.UTF_8)).primary();
        if (p != null && nodeIds.contains(p)) {
          return new Choice(p, "primary of " + key);
        }
      } catch (BulwarkException e) {
        return new Choice(any, "a random node (locating " + key + " failed: " + e.getMessage()
            + ")");
      }
    }
    return new Choice(any, "a random node");
  }

  /** One of the workload's keys. */
  String hotKey(SplittableRandom random) {
    return keys.get(random.nextInt(keys.size()));
  }

  List<String> nodeIds() {
    return nodeIds;
  }
}

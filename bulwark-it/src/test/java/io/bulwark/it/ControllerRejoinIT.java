package io.bulwark.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.cli.workload.ClusterStability;
import io.bulwark.client.BulwarkClient;
import io.bulwark.client.ClientOptions;
import io.bulwark.client.ClusterStatus;
import io.bulwark.client.ShardLocation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The controller's own node is killed with SIGKILL and started again at once, before its old
 * ZooKeeper session has expired. Its replicas are removed while it is away, and the controller
 * that takes over never saw it in any shard's configuration. It must still be re-added to every
 * shard as the returning replica (it reports the shards' data it holds dormant), not only after
 * {@code replace-after} — set here to 10 minutes, so only the rejoin can restore the replicas
 * within the test's deadline. Asserted through the cluster status and the events; a value
 * written before the kill still reads back. Then, {@code balance.after.ms} (5 s here) after the
 * cluster is whole and healthy, the controller hands primaries back to the returned node until
 * it leads its share, at least 5 of the 16 shards (DESIGN §2, {@code HandoverPolicy}); without
 * that it would lead none until the next failure.
 */
class ControllerRejoinIT {
  private static final Duration RESTORED_WITHIN = Duration.ofSeconds(120);
  /** Five balance handovers at least 10 s apart, after 5 s of health, with a margin. */
  private static final Duration BALANCED_WITHIN = Duration.ofSeconds(180);

  @Test
  void killedControllerRestartedAtOnce_isReAddedBeforeReplaceAfter_andLeadsItsShareAgain(
      @TempDir Path tmp) throws Exception {
    try (LocalCluster cluster = LocalCluster.start(3, tmp.resolve("cluster"),
            List.of("replace-after.ms=600000", "balance.after.ms=5000"));
        BulwarkClient client = BulwarkClient.connect(List.of(cluster.endpoints().split(",")),
            new ClientOptions(Duration.ofSeconds(20), Duration.ofSeconds(2),
                Duration.ofMillis(10), Duration.ofMillis(200)))) {
      ClusterStability.await(client, "default", 3, Duration.ofSeconds(2), Duration.ofSeconds(90));
      client.put("default", bytes("before"), bytes("kept"));
      String victim = client.status().controller();
      assertNotEquals("", victim, "a controller is elected");

      cluster.kill(victim);
      LocalCluster.await("a shard drops " + victim, Duration.ofSeconds(60),
          () -> Boolean.FALSE.equals(everyShardOnAllThree(client)));
      cluster.revive(victim);

      LocalCluster.await("every shard has 3 replicas again, " + victim + " among them",
          RESTORED_WITHIN, () -> Boolean.TRUE.equals(everyShardOnAllThree(client)));
      String newController = client.status().controller();
      List<JsonNode> rejoins = cluster.events().stream()
          .filter(e -> e.get("kind").asText().equals("replica-added")
              && e.get("detail").asText().contains("node=" + victim)
              && e.get("detail").asText().contains("reason=rejoin"))
          .toList();
      System.out.printf("controller %s killed and restarted; %d rejoins of it (controller now "
          + "%s)%n", victim, rejoins.size(), newController);
      assertTrue(!rejoins.isEmpty(), "replica-added node=" + victim + " reason=rejoin events");
      assertArrayEquals(bytes("kept"), client.get("default", bytes("before")).orElseThrow()
          .value());

      LocalCluster.await(victim + " leads at least 5 of the 16 shards again", BALANCED_WITHIN,
          () -> ledBy(client, victim) >= 5);
      long balanceAsks = cluster.events().stream()
          .filter(e -> e.get("kind").asText().equals("handover")
              && e.get("detail").asText().contains("reason=balance")
              && e.get("detail").asText().contains("target=" + victim))
          .count();
      System.out.printf("%s leads %d shards after %d balance handovers to it%n", victim,
          ledBy(client, victim), balanceAsks);
      assertTrue(balanceAsks >= 1, "handover ... reason=balance target=" + victim + " events");
      assertArrayEquals(bytes("kept"), client.get("default", bytes("before")).orElseThrow()
          .value());
    }
  }

  /** How many default shards {@code node} is primary of; -1 if the status could not be read. */
  private static long ledBy(BulwarkClient client, String node) {
    try {
      return client.status().shards().stream()
          .filter(s -> s.keyspace().equals("default") && node.equals(s.primary())).count();
    } catch (RuntimeException e) {
      return -1;
    }
  }

  /**
   * Whether every default shard has a primary and two backups (all three nodes are members);
   * null if the status could not be read (the node asked may be the one that was killed).
   */
  private static Boolean everyShardOnAllThree(BulwarkClient client) {
    ClusterStatus status;
    try {
      status = client.status();
    } catch (RuntimeException e) {
      return null;
    }
    int shards = 0;
    for (ShardLocation s : status.shards()) {
      if (s.keyspace().equals("default")) {
        shards++;
        if (s.backups().size() != 2) {
          return false;
        }
      }
    }
    return shards > 0;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}

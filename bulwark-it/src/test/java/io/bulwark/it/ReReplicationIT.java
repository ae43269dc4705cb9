package io.bulwark.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulwark.check.CheckResult;
import io.bulwark.check.Checker;
import io.bulwark.check.Model;
import io.bulwark.check.Verdict;
import io.bulwark.check.history.HistoryWriter;
import io.bulwark.cli.workload.ClusterStability;
import io.bulwark.cli.workload.HistoryFiles;
import io.bulwark.cli.workload.RegisterWorkload;
import io.bulwark.client.BulwarkClient;
import io.bulwark.client.ClientOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6, criterion 1, on real processes: a 4-node cluster with RF 3 and {@code replace-after}
 * of 5 s under concurrent writers; one node is killed with SIGKILL and kept down. Asserted,
 * through {@code bulwark status --json} polled with a deadline of replace-after plus a generous
 * copy margin: every shard is back to a primary and two backups, all on live nodes; the events show {@code replica-added ... reason=replace-after} and
 * {@code catch-up-done}; every acknowledged write is readable; the history is linearizable.
 */
class ReReplicationIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long REPLACE_AFTER_MS = 5_000;
  /** Replace-after plus the copy of every shard on a loaded 2-core machine (generous). */
  private static final Duration RESTORED_WITHIN = Duration.ofSeconds(120);

  @Test
  void nodeKilledAndKeptDown_everyShardBackToThreeReplicasOnLiveNodes_nothingLost(
      @TempDir Path tmp) throws Exception {
    Path history = tmp.resolve("history.jsonl");
    try (LocalCluster cluster = LocalCluster.start(4, tmp.resolve("cluster"),
            List.of("replace-after.ms=" + REPLACE_AFTER_MS, LocalCluster.LOADED_LEASE,
                LocalCluster.LOADED_GRACE));
        BulwarkClient client = BulwarkClient.connect(List.of(cluster.endpoints().split(",")),
            new ClientOptions(Duration.ofSeconds(20), Duration.ofSeconds(2),
                Duration.ofMillis(10), Duration.ofMillis(200)));
        HistoryWriter writer = HistoryFiles.open(history)) {
      LocalCluster.await("a write to the default keyspace succeeds", Duration.ofSeconds(60),
          () -> client.put("default", bytes("probe"), bytes("1")).applied());
      ClusterStability.await(client, "default", 3, Duration.ofSeconds(2), Duration.ofSeconds(90));

      RegisterWorkload load = new RegisterWorkload(client, "default", 4, 10, 200_000, writer);
      load.start(2, 7);
      LocalCluster.await("writes are acknowledged", Duration.ofSeconds(30),
          () -> load.acked() > 200);
      // A stall of the loaded machine can stop a primary hearing its backups for a lease, and it
      // then drops them (§3 rule 5) until they are caught up again. Killing a primary that has
      // just dropped both of its backups is a second failure for that shard, not this test's
      // one: no other replica holds all its committed entries, so it rightly waits for the
      // victim (seen in CI, after a 300 ms lease). So this test, which judges re-replication and
      // not failover speed, runs with the loaded lease, and kills a settled cluster at once:
      // in this JVM, not after the seconds a new CLI JVM takes to start on a loaded machine.
      ClusterStability.await(client, "default", 3, Duration.ofSeconds(2), Duration.ofSeconds(90));
      String victim = "n2";
      cluster.killNow(victim);
      long killedAtNanos = System.nanoTime();
      long ackedAtKill = load.acked();
      LocalCluster.await("every shard has a primary and two backups on live nodes, without "
          + victim, RESTORED_WITHIN, () -> restored(cluster, victim));
      System.out.printf("replication factor restored %d ms after the kill (replace-after %d ms)%n",
          (System.nanoTime() - killedAtNanos) / 1_000_000, REPLACE_AFTER_MS);
      LocalCluster.await("writes continue", Duration.ofSeconds(30),
          () -> load.acked() > ackedAtKill + 200);
      load.stop();
      writer.close();

      List<JsonNode> events = cluster.events();
      assertTrue(events.stream().anyMatch(e -> e.get("kind").asText().equals("replica-added")
          && e.get("detail").asText().contains("reason=replace-after")),
          "a replica-added event with reason=replace-after");
      assertTrue(events.stream().anyMatch(e -> e.get("kind").asText().equals("catch-up-done")),
          "a catch-up-done event");
      System.out.printf("re-replication events: %d replica-added, %d catch-up-done, "
          + "%d re-replication progress%n", count(events, "replica-added"),
          count(events, "catch-up-done"), count(events, "re-replication"));

      List<String> lost = load.verifyFinalValues();
      assertTrue(lost.isEmpty(), "acknowledged writes lost: " + lost);
      CheckResult check = Checker.check(HistoryFiles.read(history), Model.REGISTER,
          Duration.ofSeconds(120), System::nanoTime);
      System.out.printf("history: %d acknowledged, %d failed, %d unknown; checker: %s %s%n",
          load.acked(), load.failed(), load.unknown(), check.verdict(), check.anomaly());
      assertEquals(Verdict.VALID, check.verdict(), check.anomaly());
    }
  }

  /** From {@code bulwark status --json}: every default shard at RF 3 on live nodes. */
  private static boolean restored(LocalCluster cluster, String victim) {
    JsonNode status;
    try {
      status = JSON.readTree(cluster.cli(Duration.ofSeconds(60), "status", "--json",
          "--cluster", cluster.endpoints()));
    } catch (Exception | AssertionError e) {
      return false; // A loaded machine may time a status call out: ask again.
    }
    int shards = 0;
    for (JsonNode s : status.get("shards")) {
      if (!s.get("keyspace").asText().equals("default")) {
        continue;
      }
      shards++;
      // Learners may come and go (a backup slow for a lease is removed and re-added).
      boolean ok = !s.get("primary").asText().equals(victim) && s.get("backups").size() == 2;
      for (JsonNode b : s.get("backups")) {
        ok &= !b.asText().equals(victim);
      }
      if (!ok) {
        return false;
      }
    }
    return shards == 16;
  }

  private static long count(List<JsonNode> events, String kind) {
    return events.stream().filter(e -> e.get("kind").asText().equals(kind)).count();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}

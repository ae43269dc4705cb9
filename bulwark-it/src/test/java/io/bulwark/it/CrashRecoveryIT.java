package io.bulwark.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulwark.client.BulwarkClient;
import io.bulwark.client.BulwarkException;
import io.bulwark.client.ClientOptions;
import io.bulwark.client.ShardLocation;
import io.bulwark.client.VersionedValue;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 2, criterion 4: a node is killed with SIGKILL during a burst of writes, restarted, and
 * every write it had acknowledged as primary is still there. The keyspace has one replica per
 * shard, so the node's own disk is the only copy: nothing but its synced log can bring the
 * writes back. It also runs the CLI's data commands from another process (criterion 5).
 */
class CrashRecoveryIT {

  @Test
  void killNineDuringWriteBurst_restart_everyAcknowledgedWriteIsThere(@TempDir Path tmp)
      throws Exception {
    try (LocalCluster cluster = LocalCluster.start(3, tmp.resolve("cluster"));
        BulwarkClient client = BulwarkClient.connect(List.of(cluster.endpoints().split(",")),
            new ClientOptions(Duration.ofSeconds(2), Duration.ofSeconds(1),
                Duration.ofMillis(10), Duration.ofMillis(100)))) {
      checkCliFromAnotherShell(cluster);
      LocalCluster.createKeyspace(client, "solo", 1, 3, 1, "all");
      ShardLocation shard = client.locate("solo", bytes("c0-0"));
      String victim = shard.primary();
      LocalCluster.await("shard " + shard.shard() + " of solo serves writes",
          Duration.ofSeconds(30), () -> client.put("solo", bytes("probe"), bytes("1")).applied());

      Map<String, String> acked = new ConcurrentHashMap<>();
      AtomicBoolean running = new AtomicBoolean(true);
      AtomicLong ackedOnVictim = new AtomicLong();
      AtomicReference<String> victimKey = new AtomicReference<>();
      List<Thread> writers = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int writer = t;
        Thread th = new Thread(() -> {
          for (int i = 0; running.get() && i < 1_000_000; i++) {
            String key = "c" + writer + "-" + i;
            String value = "v" + writer + "-" + i;
            try {
              client.put("solo", bytes(key), bytes(value));
              acked.put(key, value);
              if (client.locate("solo", bytes(key)).shard() == shard.shard()) {
                ackedOnVictim.incrementAndGet();
                victimKey.compareAndSet(null, key);
              }
            } catch (BulwarkException e) {
              // Refused or unknown while the node is down: not acknowledged, not checked.
            }
          }
        }, "burst-" + t);
        writers.add(th);
        th.start();
      }
      LocalCluster.await("a burst of acknowledged writes on " + victim, Duration.ofSeconds(30),
          () -> ackedOnVictim.get() >= 300);
      cluster.kill(victim);
      running.set(false);
      for (Thread th : writers) {
        th.join();
      }
      cluster.revive(victim);
      LocalCluster.await(victim + " serves shard " + shard.shard() + " again",
          Duration.ofSeconds(60), () -> client.get("solo", bytes(victimKey.get())).isPresent());

      int checked = 0;
      for (Map.Entry<String, String> e : acked.entrySet()) {
        Optional<VersionedValue> v = client.get("solo", bytes(e.getKey()));
        assertTrue(v.isPresent(), "acknowledged key " + e.getKey() + " is missing");
        assertEquals(e.getValue(), new String(v.get().value(), StandardCharsets.UTF_8));
        checked++;
      }
      System.out.printf("%d acknowledged writes checked, %d of them on the killed node %s%n",
          checked, ackedOnVictim.get(), victim);
      assertTrue(ackedOnVictim.get() >= 300);
    }
  }

  /**
   * Issue 2, criterion 5: the data commands work from another process against `local start`,
   * with the DESIGN §8 JSON shapes (LocalCluster.close then checks `local stop` leaves nothing).
   */
  private static void checkCliFromAnotherShell(LocalCluster cluster) throws Exception {
    String c = cluster.endpoints();
    Duration t = Duration.ofSeconds(60);
    String put = cluster.cli(t, "put", "--cluster", c, "greeting", "hello", "--json");
    JsonNode p = JSON.readTree(put);
    assertEquals("greeting", p.get("key").asText());
    assertTrue(p.get("version").asLong() > 0, put);
    JsonNode g = JSON.readTree(cluster.cli(t, "get", "--cluster", c, "greeting", "--json"));
    assertEquals("hello", g.get("value").asText());
    assertEquals(p.get("version").asLong(), g.get("version").asLong());
    JsonNode l = JSON.readTree(cluster.cli(t, "locate", "--cluster", c, "greeting", "--json"));
    assertEquals("default", l.get("keyspace").asText());
    assertTrue(l.get("epoch").asLong() >= 1);
    assertTrue(l.get("backups").isArray() && l.has("primary") && l.has("shard"), l.toString());
    JsonNode st = JSON.readTree(cluster.cli(t, "status", "--cluster", c, "--json"));
    assertEquals(3, st.get("nodes").size());
    assertEquals(16, st.get("shards").size());
    for (JsonNode n : st.get("nodes")) {
      assertTrue(n.get("alive").asBoolean(), n.toString());
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}

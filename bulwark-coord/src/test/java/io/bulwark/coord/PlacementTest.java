package io.bulwark.coord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.core.common.KeyspaceSpec;
import io.bulwark.core.common.KeyspaceSpec.Acks;
import io.bulwark.core.common.KeyspaceSpec.Strategy;
import io.bulwark.core.common.ShardConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Goal: the controller's initial placement (DESIGN §2: "spread, balanced; zone-aware when nodes
 * declare a zone") is well-formed, deterministic and balanced. Method: pure unit tests; the
 * balance properties are checked exhaustively over small clusters (1-9 nodes, RF 1-7, 1-64
 * shards), not sampled.
 */
class PlacementTest {

  private static KeyspaceSpec spec(int replicas, int shards) {
    return new KeyspaceSpec(
        "ks", Strategy.PRIMARY_BACKUP, replicas, shards, Math.min(2, replicas), Acks.ALL);
  }

  private static List<String> nodes(int n) {
    return IntStream.rangeClosed(1, n).mapToObj(i -> "n" + i).collect(Collectors.toList());
  }

  @Test
  void everyShardGetsEpochOneAndMinOfReplicasAndNodesDistinctMembers() {
    for (int n = 1; n <= 7; n++) {
      for (int replicas = 1; replicas <= 7; replicas++) {
        List<ShardConfig> configs = Placement.initialConfigs(nodes(n), spec(replicas, 16));
        assertEquals(16, configs.size());
        for (int s = 0; s < configs.size(); s++) {
          ShardConfig c = configs.get(s);
          assertEquals(s, c.shard().shard());
          assertEquals("ks", c.shard().keyspace());
          assertEquals(1, c.epoch());
          assertEquals(Math.min(replicas, n), c.members().size(), "RF for n=" + n);
          assertEquals(c.members().size(), new HashSet<>(c.members()).size(), "distinct " + c);
          assertTrue(nodes(n).containsAll(c.members()));
          assertTrue(c.learners().isEmpty());
        }
      }
    }
  }

  @Test
  void primariesAndReplicasDifferByAtMostOneBetweenNodes() {
    for (int n = 1; n <= 9; n++) {
      for (int replicas = 1; replicas <= 7; replicas++) {
        for (int shards = 1; shards <= 64; shards++) {
          List<ShardConfig> configs = Placement.initialConfigs(nodes(n), spec(replicas, shards));
          String where = "n=" + n + " replicas=" + replicas + " shards=" + shards;
          assertSpread(nodes(n), count(configs, true), where + " primaries");
          assertSpread(nodes(n), count(configs, false), where + " replicas");
        }
      }
    }
  }

  private static Map<String, Integer> count(List<ShardConfig> configs, boolean primariesOnly) {
    Map<String, Integer> counts = new HashMap<>();
    for (ShardConfig c : configs) {
      for (String m : primariesOnly ? List.of(c.primary()) : c.members()) {
        counts.merge(m, 1, Integer::sum);
      }
    }
    return counts;
  }

  private static void assertSpread(List<String> nodes, Map<String, Integer> counts, String what) {
    List<Integer> perNode = new ArrayList<>();
    for (String node : nodes) {
      perNode.add(counts.getOrDefault(node, 0));
    }
    int spread = Collections.max(perNode) - Collections.min(perNode);
    assertTrue(spread <= 1, what + " differ by " + spread + ": " + counts);
  }

  @Test
  void nodesDividingShards_isPlainRoundRobinRotation() {
    List<ShardConfig> configs = Placement.initialConfigs(nodes(3), spec(3, 6));
    List<String> primaries =
        configs.stream().map(ShardConfig::primary).collect(Collectors.toList());
    assertEquals(List.of("n1", "n2", "n3", "n1", "n2", "n3"), primaries);
    assertEquals(List.of("n2", "n3"), configs.get(0).backups());
    assertEquals(List.of("n3", "n1"), configs.get(1).backups());
  }

  @Test
  void aPrimarysShardsAreBackedUpByDifferentNodes_soItsFailoverSpreads() {
    List<ShardConfig> configs = Placement.initialConfigs(nodes(4), spec(2, 12));
    for (String primary : nodes(4)) {
      Set<String> backups =
          configs.stream()
              .filter(c -> c.primary().equals(primary))
              .flatMap(c -> c.backups().stream())
              .collect(Collectors.toSet());
      assertEquals(3, backups.size(), primary + "'s shards are backed up by " + backups);
    }
  }

  @Test
  void sameInputGivesSamePlacement_whateverTheOrderOfNodes() {
    List<String> shuffled = new ArrayList<>(nodes(5));
    Collections.reverse(shuffled);
    assertEquals(
        Placement.initialConfigs(nodes(5), spec(3, 16)),
        Placement.initialConfigs(shuffled, spec(3, 16)));
  }

  @Test
  void zoneAware_eachShardSpansAsManyZonesAsItHasReplicas_andStaysBalanced() {
    List<NodeRecord> live = new ArrayList<>();
    String[] zones = {"a", "a", "b", "b", "c", "c"};
    for (int i = 0; i < zones.length; i++) {
      live.add(NodeRecord.healthy("n" + (i + 1), "c", "p", "h", zones[i]));
    }
    Map<String, String> zoneOf =
        live.stream().collect(Collectors.toMap(NodeRecord::id, NodeRecord::zone));
    List<ShardConfig> configs = Placement.initialConfigsZoneAware(live, spec(3, 26));
    for (ShardConfig c : configs) {
      Set<String> spanned = c.members().stream().map(zoneOf::get).collect(Collectors.toSet());
      assertEquals(3, spanned.size(), c + " spans " + spanned);
    }
    assertSpread(nodes(6), count(configs, true), "primaries");
    assertSpread(nodes(6), count(configs, false), "replicas");
  }

  @Test
  void refusesNoNodesDuplicateIdsAndInvalidSpecs() {
    assertThrows(
        IllegalArgumentException.class, () -> Placement.initialConfigs(List.of(), spec(3, 4)));
    assertThrows(
        IllegalArgumentException.class,
        () -> Placement.initialConfigs(List.of("a", "a"), spec(1, 4)));
    assertThrows(
        IllegalArgumentException.class, () -> Placement.initialConfigs(nodes(3), spec(3, 0)));
  }
}

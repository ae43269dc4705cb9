package io.bulwark.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The JSON document and the table of a bench: field names fixed by issue 7, the best round
 * reported, every round kept, ratios of bulwark's ops/s to each peer's. Method: hand-made
 * results in, parsed JSON out.
 */
class BenchReportTest {
  private static final BenchConfig CONFIG = new BenchConfig(Workload.PUT, 64, 5, 20, 1000, 100, 1);

  private static RunResult run(String system, int round, double opsPerSec, long errors) {
    return new RunResult(system, round, (long) (opsPerSec * 20), errors, 0, opsPerSec, 1.5, 9.25,
        20.125, 30, 4.5, 12.25, errors > 0 ? "boom" : null);
  }

  @Test
  void json_hasOneRowPerSystemWithItsBestRoundAndTheRatios() throws Exception {
    List<SystemResult> results = List.of(
        new SystemResult("bulwark", List.of(run("bulwark", 1, 3000, 0), run("bulwark", 2, 4000, 1))),
        new SystemResult("etcd", List.of(run("etcd", 1, 2000, 0), run("etcd", 2, 1000, 0))),
        new SystemResult("zookeeper", List.of(run("zookeeper", 1, 0, 5), run("zookeeper", 2, 0, 7))));

    JsonNode doc = new ObjectMapper().readTree(BenchReport.json(CONFIG, 2, results, null).toString());

    assertEquals("put", doc.get("workload").asText());
    assertEquals(64, doc.get("clients").asInt());
    JsonNode systems = doc.get("systems");
    assertEquals(3, systems.size());
    JsonNode bulwark = systems.get(0);
    assertEquals("bulwark", bulwark.get("name").asText());
    assertEquals(4000.0, bulwark.get("opsPerSec").asDouble());
    assertEquals(2, bulwark.get("round").asInt());
    assertEquals(1, bulwark.get("errors").asLong());
    assertEquals(1, bulwark.get("errorsAllRounds").asLong());
    assertEquals(1.5, bulwark.get("p50Ms").asDouble());
    assertEquals(9.25, bulwark.get("p99Ms").asDouble());
    assertEquals(20.125, bulwark.get("p999Ms").asDouble());
    assertEquals(2, bulwark.get("rounds").size());
    assertEquals(3000.0, bulwark.get("rounds").get(0).get("opsPerSec").asDouble());
    assertEquals("etcd", systems.get(1).get("name").asText());
    assertEquals(2000.0, systems.get(1).get("opsPerSec").asDouble());
    assertEquals(12, systems.get(2).get("errorsAllRounds").asLong());
    assertEquals(2.0, doc.get("ratios").get("bulwark/etcd").asDouble());
    assertTrue(doc.get("ratios").get("bulwark/zookeeper").isNull());
    assertFalse(doc.has("floor"), "no floor was measured");
  }

  @Test
  void floor_isTheFdatasyncPlusTwoRoundTrips_andBulwarksP50IsJudgedAgainstIt() throws Exception {
    List<SystemResult> results = List.of(
        new SystemResult("bulwark", List.of(run("bulwark", 1, 3000, 0))));
    PhysicalFloor floor = new PhysicalFloor(0.25, 0.05, 1000);

    JsonNode f = new ObjectMapper().readTree(BenchReport.json(CONFIG, 1, results, floor)
        .toString()).get("floor");
    String table = BenchReport.table(CONFIG, 1, results, floor);

    assertEquals(0.35, f.get("floorMs").asDouble(), 1e-9);
    assertEquals(1000, f.get("samples").asInt());
    assertEquals(4.29, f.get("bulwarkP50OverFloor").asDouble(), 1e-9); // 1.5 ms / 0.35 ms
    assertTrue(table.contains("physical floor: 0.350 ms") && table.contains("4.29x"), table);
  }

  @Test
  void table_listsEverySystemAndTheRatio() {
    List<SystemResult> results = List.of(
        new SystemResult("bulwark", List.of(run("bulwark", 1, 3000, 0))),
        new SystemResult("etcd", List.of(run("etcd", 1, 1500, 0))));

    String table = BenchReport.table(CONFIG, 1, results, null);

    assertTrue(table.contains("bulwark") && table.contains("etcd"), table);
    assertTrue(table.contains("ops/s bulwark/etcd: 2.00x"), table);
  }

  @Test
  void failoverJson_hasMedianAndMaxOfTheGaps() throws Exception {
    FailoverResult r = new FailoverResult("bulwark", List.of(900.0, 700.0, 1500.0, 800.0),
        List.of("primary n1", "primary n2", "primary n3", "primary n1"));

    JsonNode doc = new ObjectMapper().readTree(BenchReport.failoverJson(List.of(r)).toString());

    assertEquals("failover", doc.get("workload").asText());
    JsonNode s = doc.get("systems").get(0);
    assertEquals(4, s.get("kills").asInt());
    assertEquals(850.0, s.get("medianGapMs").asDouble());
    assertEquals(1500.0, s.get("maxGapMs").asDouble());
    assertEquals(4, s.get("gapsMs").size());
  }
}

package io.bulwark.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulwark.core.detect.HealthSample;
import io.bulwark.core.detect.HealthVerdict;
import io.bulwark.core.detect.NodeHealth;
import io.bulwark.core.detect.PhiAccrualDetector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Goal: {@code /health} answers 200 while the node serves (HEALTHY, DEGRADED) and 503 when it is
 * FAILED, with status, reason and peer suspicion; {@code /api/events} filters by sequence number
 * and time and refuses malformed parameters with 400. Method: a real admin server on an
 * ephemeral port, fed a verdict and events by hand.
 */
class AdminHttpTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Metrics metrics = new Metrics();
  private final EventLog events = new EventLog("n1", metrics);
  private final FailureDetector detector = new FailureDetector("n1",
      PhiAccrualDetector.Options.defaults(100_000_000L), Set::of, () -> Set.of("n2"), id -> {},
      10_000_000_000L, events, metrics);
  private volatile HealthVerdict verdict =
      new HealthVerdict(NodeHealth.HEALTHY, "", List.of(), false, null);
  private AdminHttp admin;
  private final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void close() {
    if (admin != null) {
      admin.close();
    }
  }

  private HttpResponse<String> get(String path) throws Exception {
    if (admin == null) {
      admin = new AdminHttp("127.0.0.1:0", "n1", new ClusterView(), events, metrics,
          () -> verdict, detector);
    }
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port() + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void health_is200WhileServing_and503WhenFailed() throws Exception {
    detector.tick(0);
    HealthSample s = new HealthSample(0.5, Double.NaN, 0.2, 0.0, 1L << 30, 80_000_000L, 12);
    verdict = new HealthVerdict(NodeHealth.DEGRADED, "fsync-slow: p99 80 ms >= 50 ms",
        List.of("fsync-slow"), false, s);
    HttpResponse<String> r = get("/health");
    assertEquals(200, r.statusCode());
    JsonNode doc = JSON.readTree(r.body());
    assertEquals("DEGRADED", doc.get("status").asText());
    assertEquals("fsync-slow: p99 80 ms >= 50 ms", doc.get("reason").asText());
    assertEquals(80.0, doc.get("resources").get("fsyncP99Ms").asDouble());
    assertTrue(doc.get("resources").get("systemCpu").isNull(), "unknown is null, not NaN");
    assertEquals("n2", doc.get("peers").get(0).get("id").asText());

    verdict = new HealthVerdict(NodeHealth.FAILED, "disk-full", List.of("disk-full"), true, s);
    r = get("/health");
    assertEquals(503, r.statusCode());
    assertEquals("FAILED", JSON.readTree(r.body()).get("status").asText());
  }

  @Test
  void events_filterBySeqAndTime_andRefuseBadParameters() throws Exception {
    events.emit("node-started", "a");
    events.emit("node-suspected", "node=n2");
    JsonNode all = JSON.readTree(get("/api/events").body());
    assertEquals(2, all.get("events").size());
    assertEquals(events.incarnation(), all.get("incarnation").asText());
    assertEquals(1, all.get("oldestSeq").asLong());
    JsonNode after = JSON.readTree(get("/api/events?after=1").body());
    assertEquals("node-suspected", after.get("events").get(0).get("kind").asText());
    assertEquals(1, after.get("events").size());
    long future = System.currentTimeMillis() + 3_600_000;
    assertEquals(0, JSON.readTree(get("/api/events?since=" + future).body())
        .get("events").size());
    HttpResponse<String> bad = get("/api/events?after=yesterday");
    assertEquals(400, bad.statusCode());
    assertTrue(bad.body().contains("'after' must be a whole number"), bad.body());
  }
}

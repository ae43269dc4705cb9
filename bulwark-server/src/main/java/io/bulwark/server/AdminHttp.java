package io.bulwark.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.bulwark.coord.NodeRecord;
import io.bulwark.core.common.ShardConfig;
import io.bulwark.core.detect.HealthSample;
import io.bulwark.core.detect.HealthVerdict;
import io.bulwark.core.detect.NodeHealth;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The node's admin HTTP server (DESIGN §8), read-only, served by two threads:
 * <ul>
 *   <li>{@code /metrics}: Prometheus text format.</li>
 *   <li>{@code /health}: {@code {"node","status","reason","diskLow","resources":{...},
 *       "peers":[{"id","phi","suspected","silentMs"}]}}; HTTP 200 when HEALTHY or DEGRADED
 *       (the node serves), 503 when FAILED, so a load balancer or orchestrator can act on the
 *       status code alone.</li>
 *   <li>{@code /api/cluster}: the cluster as this node sees it, the shape of {@code status
 *       --json}, plus this node's suspicion of each node ({@code suspected}, {@code phi}).</li>
 *   <li>{@code /api/events?after=SEQ&since=EPOCH_MS}: the event log, oldest first, with
 *       {@code seq} above {@code after} and {@code timeMs} at or after {@code since} (both
 *       optional); the reply carries {@code incarnation} (changes when the node restarts and
 *       sequence numbers start over) and {@code oldestSeq} (events below it were dropped).
 *       A malformed parameter is a 400 with the reason.</li>
 *   <li>{@code /}: a small web page that shows cluster and events and refreshes itself.</li>
 * </ul>
 */
final class AdminHttp implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final String self;
  private final ClusterView view;
  private final EventLog events;
  private final Metrics metrics;
  private final Supplier<HealthVerdict> health;
  private final FailureDetector detector;

  AdminHttp(String address, String self, ClusterView view, EventLog events, Metrics metrics,
      Supplier<HealthVerdict> health, FailureDetector detector) throws IOException {
    this.self = self;
    this.view = view;
    this.events = events;
    this.metrics = metrics;
    this.health = health;
    this.detector = detector;
    int colon = address.lastIndexOf(':');
    server = HttpServer.create(new InetSocketAddress(address.substring(0, colon),
        Integer.parseInt(address.substring(colon + 1))), 16);
    server.setExecutor(Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "bulwark-admin-http");
      t.setDaemon(true);
      return t;
    }));
    server.createContext("/metrics", ex -> respond(ex, 200,
        "text/plain; version=0.0.4; charset=utf-8", metricsText()));
    server.createContext("/health", ex -> {
      HealthVerdict v = health.get();
      respond(ex, v.health() == NodeHealth.FAILED ? 503 : 200, "application/json",
          JSON.writeValueAsBytes(healthJson(v)));
    });
    server.createContext("/api/cluster", ex -> respond(ex, 200, "application/json",
        JSON.writeValueAsBytes(clusterJson())));
    server.createContext("/api/events", ex -> {
      long after;
      long since;
      try {
        after = longParam(ex, "after", 0);
        since = longParam(ex, "since", Long.MIN_VALUE);
      } catch (IllegalArgumentException e) {
        respond(ex, 400, "application/json",
            JSON.writeValueAsBytes(JSON.createObjectNode().put("error", e.getMessage())));
        return;
      }
      respond(ex, 200, "application/json", JSON.writeValueAsBytes(eventsJson(after, since)));
    });
    server.createContext("/", ex -> respond(ex, 200, "text/html; charset=utf-8",
        PAGE.replace("{{node}}", self).getBytes(StandardCharsets.UTF_8)));
    server.start();
  }

  private byte[] metricsText() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, metrics.registry().scrape());
    return out.toByteArray();
  }

  ObjectNode clusterJson() {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode nodes = root.putArray("nodes");
    Map<String, FailureDetector.PeerView> peers = detector.peers();
    Set<String> ids = new TreeSet<>(view.knownNodes());
    for (String id : ids) {
      NodeRecord n = view.liveNode(id);
      ObjectNode o = nodes.addObject().put("id", id).put("client", n == null ? "" : n.client())
          .put("admin", n == null ? "" : n.admin()).put("alive", n != null)
          .put("health", n == null ? "UNKNOWN" : n.health().name())
          .put("reason", n == null ? "" : n.reason())
          .put("diskLow", n != null && n.diskLow());
      FailureDetector.PeerView p = peers.get(id);
      if (p != null) {
        number(o.put("suspected", p.suspected()), "phi", p.phi());
      } else {
        o.put("suspected", false);
      }
    }
    ArrayNode shards = root.putArray("shards");
    for (ShardConfig c : view.shards()) {
      ObjectNode s = shards.addObject().put("keyspace", c.shard().keyspace())
          .put("shard", c.shard().shard()).put("epoch", c.epoch()).put("primary", c.primary());
      c.backups().forEach(s.putArray("backups")::add);
      c.learners().forEach(s.putArray("learners")::add);
    }
    return root;
  }

  ObjectNode healthJson(HealthVerdict v) {
    ObjectNode root = JSON.createObjectNode().put("node", self)
        .put("status", v.health().name()).put("reason", v.reason()).put("diskLow", v.diskLow());
    HealthSample s = v.sample();
    ObjectNode r = root.putObject("resources");
    if (s != null) {
      number(r, "processCpu", s.processCpu());
      number(r, "systemCpu", s.systemCpu());
      number(r, "heapAfterGc", s.heapAfterGc());
      number(r, "gcTime", s.gcTime());
      r.put("diskFreeBytes", s.diskFreeBytes());
      number(r, "fsyncP99Ms", s.fsyncP99Nanos() / 1e6);
      r.put("fsyncCount", s.fsyncCount());
    }
    ArrayNode peers = root.putArray("peers");
    detector.peers().forEach((id, p) -> number(peers.addObject().put("id", id), "phi", p.phi())
        .put("suspected", p.suspected()).put("silentMs", p.silentNanos() / 1_000_000));
    root.put("phiThreshold", detector.threshold());
    return root;
  }

  /** Puts {@code v} with two decimals, or null if unknown (NaN is not JSON). */
  private static ObjectNode number(ObjectNode o, String key, double v) {
    return Double.isFinite(v) ? o.put(key, Math.round(v * 100) / 100.0) : o.putNull(key);
  }

  private ObjectNode eventsJson(long after, long sinceMs) {
    ObjectNode root = JSON.createObjectNode().put("node", self)
        .put("incarnation", events.incarnation()).put("oldestSeq", events.oldestSeq());
    ArrayNode arr = root.putArray("events");
    for (EventLog.Event e : events.since(after)) {
      if (e.timeMs() < sinceMs) {
        continue;
      }
      arr.addObject().put("seq", e.seq()).put("timeMs", e.timeMs()).put("node", e.node())
          .put("kind", e.kind()).put("detail", e.detail());
    }
    return root;
  }

  /**
   * The query parameter {@code name} as a number, or {@code dflt} if absent.
   *
   * @throws IllegalArgumentException naming the parameter if it is not a whole number >= 0
   */
  static long longParam(HttpExchange ex, String name, long dflt) {
    String q = ex.getRequestURI().getQuery();
    if (q == null) {
      return dflt;
    }
    for (String part : q.split("&")) {
      if (part.startsWith(name + "=")) {
        String v = part.substring(name.length() + 1);
        try {
          long n = Long.parseLong(v);
          if (n < 0) {
            throw new NumberFormatException();
          }
          return n;
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("query parameter '" + name
              + "' must be a whole number >= 0, was '" + v + "'");
        }
      }
    }
    return dflt;
  }

  private static void respond(HttpExchange ex, int code, String type, byte[] body)
      throws IOException {
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(code, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  /** The bound port (useful when configured as port 0). */
  int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
  }

  private static final String PAGE = """
      <!doctype html><html><head><meta charset="utf-8"><title>Bulwark {{node}}</title>
      <style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}
      td,th{border:1px solid #ccc;padding:4px 8px}.dead{color:#b00}</style></head><body>
      <h1>Bulwark node {{node}}</h1><h2>Nodes</h2><table id="nodes"></table>
      <h2>Shards</h2><table id="shards"></table><h2>Events</h2><table id="events"></table>
      <script>
      async function refresh(){
        const c=await (await fetch('/api/cluster')).json();
        document.getElementById('nodes').innerHTML='<tr><th>id</th><th>client</th><th>alive</th><th>health</th></tr>'+
          c.nodes.map(n=>`<tr class="${n.alive?'':'dead'}"><td>${n.id}</td><td>${n.client}</td><td>${n.alive}</td><td>${n.health}</td></tr>`).join('');
        document.getElementById('shards').innerHTML='<tr><th>keyspace</th><th>shard</th><th>epoch</th><th>primary</th><th>backups</th><th>learners</th></tr>'+
          c.shards.map(s=>`<tr><td>${s.keyspace}</td><td>${s.shard}</td><td>${s.epoch}</td><td>${s.primary}</td><td>${s.backups.join(', ')}</td><td>${s.learners.join(', ')}</td></tr>`).join('');
        const e=await (await fetch('/api/events')).json();
        document.getElementById('events').innerHTML='<tr><th>time</th><th>kind</th><th>detail</th></tr>'+
          e.events.slice(-50).reverse().map(v=>`<tr><td>${new Date(v.timeMs).toISOString()}</td><td>${v.kind}</td><td>${v.detail}</td></tr>`).join('');
      }
      refresh();setInterval(refresh,2000);
      </script></body></html>
      """;
}

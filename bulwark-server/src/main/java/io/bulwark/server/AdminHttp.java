package io.bulwark.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.bulwark.coord.NodeRecord;
import io.bulwark.core.common.ShardConfig;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The node's admin HTTP server (DESIGN §8): {@code /metrics} (Prometheus text format),
 * {@code /health}, {@code /api/cluster} (the cluster as JSON, the shape of {@code status
 * --json}), {@code /api/events?after=N} (the event log) and {@code /} (a small web page that
 * shows both and refreshes itself). Read-only; served by two threads.
 */
final class AdminHttp implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final String self;
  private final ClusterView view;
  private final EventLog events;
  private final Metrics metrics;
  private final Supplier<String> health;

  AdminHttp(String address, String self, ClusterView view, EventLog events, Metrics metrics,
      Supplier<String> health) throws IOException {
    this.self = self;
    this.view = view;
    this.events = events;
    this.metrics = metrics;
    this.health = health;
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
    server.createContext("/health", ex -> respond(ex, 200, "application/json",
        JSON.writeValueAsBytes(JSON.createObjectNode().put("node", self)
            .put("health", health.get()))));
    server.createContext("/api/cluster", ex -> respond(ex, 200, "application/json",
        JSON.writeValueAsBytes(clusterJson())));
    server.createContext("/api/events", ex -> respond(ex, 200, "application/json",
        JSON.writeValueAsBytes(eventsJson(afterParam(ex)))));
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
    Set<String> ids = new TreeSet<>(view.knownNodes());
    for (String id : ids) {
      NodeRecord n = view.liveNode(id);
      nodes.addObject().put("id", id).put("client", n == null ? "" : n.client())
          .put("admin", n == null ? "" : n.admin()).put("alive", n != null)
          .put("health", n == null ? "UNKNOWN" : n.health().name());
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

  private ObjectNode eventsJson(long after) {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode arr = root.putArray("events");
    for (EventLog.Event e : events.since(after)) {
      arr.addObject().put("seq", e.seq()).put("timeMs", e.timeMs()).put("node", e.node())
          .put("kind", e.kind()).put("detail", e.detail());
    }
    return root;
  }

  private static long afterParam(HttpExchange ex) {
    String q = ex.getRequestURI().getQuery();
    if (q != null) {
      for (String part : q.split("&")) {
        if (part.startsWith("after=")) {
          try {
            return Long.parseLong(part.substring(6));
          } catch (NumberFormatException e) {
            return 0;
          }
        }
      }
    }
    return 0;
  }

  private static void respond(HttpExchange ex, int code, String type, byte[] body)
      throws IOException {
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(code, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
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

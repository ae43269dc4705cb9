package io.bulwark.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.client.BulwarkClient;
import io.bulwark.client.BulwarkException;
import io.bulwark.client.NodeStatus;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code events [--follow] [--json] [--since WHEN]}: the event log of every node (DESIGN §6) —
 * detections and recoveries such as {@code node-suspected}, {@code failover}, {@code disk-low}
 * — merged by time, one event per line: {@code TIME NODE KIND DETAIL} (UTC, millisecond
 * precision).
 *
 * <p>{@code --json} prints JSON Lines — one object per event per line, {@code {"time","timeMs",
 * "node","seq","kind","detail"}} — rather than the single document other commands print: with
 * {@code --follow} the output never ends, and a line-per-event stream can be consumed (by
 * {@code jq}, a log shipper) while it is written.
 *
 * <p>The node list, with admin addresses, comes from {@code status}; each node's log is read
 * from its admin HTTP server ({@code /api/events}). A node that is down cannot be read: a
 * warning on standard error says so. {@code --follow} polls every second until interrupted;
 * sequence numbers make the polling idempotent, so no event prints twice. Exit 0 if at least
 * one node was read, 3 if none could be.
 */
@Command(
    name = "events",
    mixinStandardHelpOptions = true,
    description = "Show the detection and recovery events of every node, merged by time.")
final class EventsCommand implements Callable<Integer> {
  static final long POLL_MS = 1_000;
  static final Duration HTTP_TIMEOUT = Duration.ofSeconds(2);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private final CliEnvironment env;

  @Spec CommandSpec spec;

  @Mixin ClusterOptions clusterOptions;

  @Option(names = "--json",
      description = "Print JSON Lines: one JSON object per event, one per line.")
  boolean json;

  @Option(names = {"-f", "--follow"},
      description = "Keep polling every second for new events until interrupted.")
  boolean follow;

  @Option(names = "--since", paramLabel = "WHEN",
      description = "Only events from this long ago (10m, 2h, 30s) or since this instant "
          + "(2024-05-01T12:00:00Z).")
  String since;

  EventsCommand(CliEnvironment env) {
    this.env = env;
  }

  @Override
  public Integer call() throws InterruptedException {
    String endpoints = clusterOptions.endpoints(env, spec);
    long sinceMs;
    try {
      sinceMs = since == null ? 0 : sinceMs(since, System.currentTimeMillis());
    } catch (TypeConversionException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    BulwarkClient client;
    try {
      client = env.clients().connect(endpoints);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(),
          "invalid cluster '" + endpoints + "': " + e.getMessage());
    }
    EventFeed feed = new EventFeed(EventsCommand::fetch, sinceMs);
    try (client) {
      List<NodeStatus> nodes = client.status().nodes();
      EventFeed.Poll first = print(feed.poll(nodes));
      if (!follow) {
        if (first.nodesAnswered() == 0) {
          throw new CliException(ExitCode.UNAVAILABLE, "no node's event log could be read");
        }
        return ExitCode.OK;
      }
      while (!Thread.currentThread().isInterrupted()) {
        Thread.sleep(POLL_MS);
        nodes = refreshed(client, nodes);
        print(feed.poll(nodes));
      }
      return ExitCode.OK;
    }
  }

  /** The current node list, or the last one if the cluster cannot answer right now. */
  private List<NodeStatus> refreshed(BulwarkClient client, List<NodeStatus> last) {
    try {
      return client.status().nodes();
    } catch (BulwarkException e) {
      env.err().println("warning: cannot refresh the node list (" + e.getMessage()
          + "); reading the last known nodes");
      return last;
    }
  }

  private EventFeed.Poll print(EventFeed.Poll poll) {
    for (String problem : poll.problems()) {
      env.err().println("warning: " + problem);
    }
    for (EventFeed.NodeEvent e : poll.events()) {
      env.out().println(json ? JsonFormat.render(jsonLine(e)) : textLine(e));
    }
    env.out().flush();
    return poll;
  }

  static String textLine(EventFeed.NodeEvent e) {
    return TIME.format(Instant.ofEpochMilli(e.timeMs())) + " " + e.node() + " " + e.kind() + " "
        + e.detail();
  }

  static ObjectNode jsonLine(EventFeed.NodeEvent e) {
    return JsonFormat.object().put("time", TIME.format(Instant.ofEpochMilli(e.timeMs())))
        .put("timeMs", e.timeMs()).put("node", e.node()).put("seq", e.seq())
        .put("kind", e.kind()).put("detail", e.detail());
  }

  /**
   * {@code --since}: a duration ago or an ISO-8601 instant, as epoch milliseconds.
   *
   * @throws TypeConversionException (a usage error) naming both accepted forms
   */
  static long sinceMs(String text, long nowMs) {
    try {
      return nowMs - Durations.parse(text).toMillis();
    } catch (TypeConversionException e) {
      try {
        return Instant.parse(text.trim()).toEpochMilli();
      } catch (DateTimeParseException e2) {
        throw new TypeConversionException("--since '" + text + "' is neither a duration (10m, "
            + "2h, 30s) nor an instant (2024-05-01T12:00:00Z)");
      }
    }
  }

  /** One node's {@code /api/events}. */
  static EventFeed.Page fetch(String admin, long afterSeq, long sinceMs) throws IOException {
    URI uri = URI.create("http://" + admin + "/api/events?after=" + afterSeq + "&since="
        + Math.max(0, sinceMs));
    HttpResponse<String> r;
    try {
      r = HTTP.send(HttpRequest.newBuilder(uri).timeout(HTTP_TIMEOUT).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    if (r.statusCode() != 200) {
      throw new IOException("HTTP " + r.statusCode() + ": " + r.body());
    }
    return parsePage(r.body());
  }

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(HTTP_TIMEOUT).build();

  /** Parses an {@code /api/events} reply; IOException if it is not one. */
  static EventFeed.Page parsePage(String body) throws IOException {
    JsonNode root = JSON.readTree(body);
    JsonNode events = root.get("events");
    if (events == null || !events.isArray()) {
      throw new IOException("not an /api/events reply (no 'events' array)");
    }
    List<EventFeed.NodeEvent> out = new ArrayList<>();
    for (JsonNode e : events) {
      out.add(new EventFeed.NodeEvent(e.path("node").asText(), e.path("seq").asLong(),
          e.path("timeMs").asLong(), e.path("kind").asText(), e.path("detail").asText()));
    }
    return new EventFeed.Page(root.path("incarnation").asText(""), out);
  }
}

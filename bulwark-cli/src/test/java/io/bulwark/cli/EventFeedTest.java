package io.bulwark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulwark.client.NodeStatus;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

/**
 * Goal: {@code bulwark events} merges every node's log by time and never prints an event twice
 * — across polls, when a node ignores the cursor, and when a node restarts and its sequence
 * numbers start over. Method: an in-memory Source standing in for each node's /api/events.
 */
class EventFeedTest {
  /** Fake nodes: admin address -> (incarnation, log). */
  private final Map<String, String> incarnation = new HashMap<>();
  private final Map<String, List<EventFeed.NodeEvent>> logs = new HashMap<>();
  private final List<String> requests = new ArrayList<>();
  private boolean ignoreCursor;

  private EventFeed.Page fetch(String admin, long after, long since) throws IOException {
    requests.add(admin + "?after=" + after);
    if (!logs.containsKey(admin)) {
      throw new IOException("connection refused");
    }
    List<EventFeed.NodeEvent> out = new ArrayList<>();
    for (EventFeed.NodeEvent e : logs.get(admin)) {
      if (ignoreCursor || e.seq() > after) {
        out.add(e);
      }
    }
    return new EventFeed.Page(incarnation.get(admin), out);
  }

  private void emit(String node, long timeMs, String kind) {
    List<EventFeed.NodeEvent> log = logs.computeIfAbsent(node + ":1", k -> new ArrayList<>());
    incarnation.putIfAbsent(node + ":1", "a");
    log.add(new EventFeed.NodeEvent(node, log.size() + 1, timeMs, kind, "d"));
  }

  private static List<NodeStatus> nodes(String... ids) {
    List<NodeStatus> out = new ArrayList<>();
    for (String id : ids) {
      out.add(new NodeStatus(id, "c", id + ":1", true, "HEALTHY"));
    }
    return out;
  }

  private static List<String> kinds(EventFeed.Poll p) {
    List<String> out = new ArrayList<>();
    p.events().forEach(e -> out.add(e.node() + "/" + e.kind()));
    return out;
  }

  @Test
  void eventsOfAllNodes_areMergedByTime_andEachPrintsOnce() {
    EventFeed feed = new EventFeed(this::fetch, 0);
    emit("n1", 100, "node-started");
    emit("n2", 50, "node-started");
    emit("n1", 300, "node-suspected");
    emit("n2", 200, "failover");
    assertEquals(List.of("n2/node-started", "n1/node-started", "n2/failover",
        "n1/node-suspected"), kinds(feed.poll(nodes("n1", "n2"))));
    assertEquals(List.of(), kinds(feed.poll(nodes("n1", "n2"))));
    emit("n2", 400, "replica-added");
    assertEquals(List.of("n2/replica-added"), kinds(feed.poll(nodes("n1", "n2"))));
    assertEquals("n2:1?after=2", requests.get(requests.size() - 1)); // only newer than seen
  }

  @Test
  void aNodeThatIgnoresTheCursor_stillYieldsNoDuplicates() {
    EventFeed feed = new EventFeed(this::fetch, 0);
    ignoreCursor = true;
    emit("n1", 100, "a");
    feed.poll(nodes("n1"));
    emit("n1", 200, "b");
    assertEquals(List.of("n1/b"), kinds(feed.poll(nodes("n1"))));
  }

  @Test
  void aRestartedNode_startsOverAtItsNewFirstEvent() {
    EventFeed feed = new EventFeed(this::fetch, 0);
    emit("n1", 100, "a");
    emit("n1", 200, "b");
    feed.poll(nodes("n1"));
    incarnation.put("n1:1", "b"); // restarted: a new log whose seq starts at 1 again
    logs.put("n1:1", new ArrayList<>(List.of(
        new EventFeed.NodeEvent("n1", 1, 900, "node-started", "d"))));
    assertEquals(List.of("n1/node-started"), kinds(feed.poll(nodes("n1"))));
  }

  @Test
  void unreachableAndDeadNodes_areReportedOnce_andTheOthersStillRead() {
    EventFeed feed = new EventFeed(this::fetch, 0);
    emit("n1", 100, "a");
    List<NodeStatus> list = new ArrayList<>(nodes("n1", "n3"));
    list.add(new NodeStatus("n2", "", "", false, "UNKNOWN"));
    EventFeed.Poll p = feed.poll(list);
    assertEquals(1, p.nodesAnswered());
    assertEquals(2, p.problems().size());
    assertTrue(p.problems().get(0).contains("n3") && p.problems().get(0).contains("refused"));
    assertEquals(List.of(), feed.poll(list).problems());
  }

  @Test
  void since_dropsOlderEvents() {
    EventFeed feed = new EventFeed(this::fetch, 150);
    emit("n1", 100, "old");
    emit("n1", 200, "new");
    assertEquals(List.of("n1/new"), kinds(feed.poll(nodes("n1"))));
  }

  @Test
  void lines_textAndJsonLines() throws Exception {
    EventFeed.NodeEvent e = new EventFeed.NodeEvent("n2", 7, 1_700_000_000_123L,
        "node-suspected", "node=n3 phi=9.1");
    assertEquals("2023-11-14T22:13:20.123Z n2 node-suspected node=n3 phi=9.1",
        EventsCommand.textLine(e));
    JsonNode j = new ObjectMapper().readTree(JsonFormat.render(EventsCommand.jsonLine(e)));
    assertEquals("2023-11-14T22:13:20.123Z", j.get("time").asText());
    assertEquals(7, j.get("seq").asLong());
    assertEquals("node-suspected", j.get("kind").asText());
  }

  @Test
  void since_acceptsADurationOrAnInstant() {
    assertEquals(1_000_000 - 600_000, EventsCommand.sinceMs("10m", 1_000_000));
    assertEquals(1_700_000_000_000L, EventsCommand.sinceMs("2023-11-14T22:13:20Z", 0));
    assertThrows(TypeConversionException.class, () -> EventsCommand.sinceMs("yesterday", 0));
  }

  @Test
  void parsePage_readsTheAdminReply_andRefusesAnythingElse() throws Exception {
    EventFeed.Page p = EventsCommand.parsePage("{\"node\":\"n1\",\"incarnation\":\"x\","
        + "\"events\":[{\"seq\":1,\"timeMs\":5,\"node\":\"n1\",\"kind\":\"k\",\"detail\":\"d\"}]}");
    assertEquals("x", p.incarnation());
    assertEquals(1, p.events().size());
    assertThrows(IOException.class, () -> EventsCommand.parsePage("{\"error\":\"bad\"}"));
  }
}

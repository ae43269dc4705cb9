package io.bulwark.cli;

import io.bulwark.client.NodeStatus;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Collects the event logs of every node ({@code /api/events}) into one stream ordered by time,
 * for {@code bulwark events}. Polling is idempotent: per node it remembers the log's
 * incarnation and the highest sequence number already returned, asks only for later events and
 * drops any it has returned before, so a repeated or overlapping poll never yields an event
 * twice. When a node's incarnation changes (the node restarted and numbering began again), its
 * cursor starts over. Not thread-safe.
 */
final class EventFeed {
  /** One event as a node reported it. */
  record NodeEvent(String node, long seq, long timeMs, String kind, String detail) {}

  /** What one node answered: its log's incarnation and events after the cursor, oldest first. */
  record Page(String incarnation, List<NodeEvent> events) {
    Page {
      Objects.requireNonNull(incarnation, "incarnation");
      events = List.copyOf(events);
    }
  }

  /** Reads one node's events ({@code GET http://ADMIN/api/events?after=SEQ&since=MS}). */
  interface Source {
    /** @throws IOException if the node cannot be reached or its answer is unreadable */
    Page fetch(String adminAddress, long afterSeq, long sinceMs) throws IOException;
  }

  /** One poll's outcome: new events in time order, and nodes that could not be read. */
  record Poll(List<NodeEvent> events, int nodesAnswered, List<String> problems) {}

  private record Cursor(String incarnation, long seq) {}

  private static final Comparator<NodeEvent> ORDER = Comparator.comparingLong(NodeEvent::timeMs)
      .thenComparing(NodeEvent::node).thenComparingLong(NodeEvent::seq);

  private final Source source;
  private final long sinceMs;
  private final Map<String, Cursor> cursors = new HashMap<>();
  private final Set<String> reported = new HashSet<>();

  /** @param sinceMs only events at or after this wall-clock time (epoch ms); 0 for all */
  EventFeed(Source source, long sinceMs) {
    this.source = source;
    this.sinceMs = sinceMs;
  }

  /**
   * Reads every node of {@code nodes} that has an admin address. A node that is not alive or
   * does not answer is listed in {@link Poll#problems} the first time only (until it answers
   * again), so a follower does not repeat the same warning every second.
   */
  Poll poll(List<NodeStatus> nodes) {
    List<NodeEvent> out = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    int answered = 0;
    for (NodeStatus n : nodes) {
      if (!n.alive() || n.admin().isEmpty()) {
        problem(problems, n.id(), n.id() + " is not alive; its events are not shown");
        continue;
      }
      try {
        out.addAll(read(n.id(), n.admin()));
        answered++;
        reported.remove(n.id());
      } catch (IOException e) {
        problem(problems, n.id(), "cannot read the events of " + n.id() + " at " + n.admin()
            + ": " + e.getMessage());
      }
    }
    out.sort(ORDER);
    return new Poll(out, answered, problems);
  }

  private void problem(List<String> problems, String node, String message) {
    if (reported.add(node)) {
      problems.add(message);
    }
  }

  private List<NodeEvent> read(String node, String admin) throws IOException {
    Cursor c = cursors.get(node);
    Page page = source.fetch(admin, c == null ? 0 : c.seq(), sinceMs);
    if (c != null && !page.incarnation().equals(c.incarnation())) {
      c = null; // The node restarted: its sequence numbers began again at 1.
      page = source.fetch(admin, 0, sinceMs);
    }
    long seen = c == null ? 0 : c.seq();
    long max = seen;
    List<NodeEvent> fresh = new ArrayList<>();
    for (NodeEvent e : page.events()) {
      if (e.seq() > seen && e.timeMs() >= sinceMs) {
        fresh.add(e);
        max = Math.max(max, e.seq());
      }
    }
    cursors.put(node, new Cursor(page.incarnation(), max));
    return fresh;
  }
}

package io.bulwark.server;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's event log of every detection and recovery (DESIGN §6): failovers, role changes,
 * truncations, snapshots, proposals. Bounded in memory (the newest {@link #CAPACITY} events), and
 * each event is also logged as a structured line ({@code event=failover shard=...}) and counted
 * in {@code bulwark_events_total{kind}}.
 *
 * <p>Sequence numbers start at 1 in every process; {@link #incarnation()} tells a reader that
 * polls by sequence number that the node restarted and numbering began again. Thread-safe.
 */
public final class EventLog {
  private static final Logger LOG = LoggerFactory.getLogger("bulwark.events");
  public static final int CAPACITY = 10_000;

  /** One event: wall-clock milliseconds (for people), the node, its kind and details. */
  public record Event(long seq, long timeMs, String node, String kind, String detail) {}

  private final String node;
  private final ArrayDeque<Event> events = new ArrayDeque<>();
  private final Metrics metrics;
  private final String incarnation = java.util.UUID.randomUUID().toString();
  private long seq;

  public EventLog(String node, Metrics metrics) {
    this.node = node;
    this.metrics = metrics;
  }

  /** A random id of this process's log: a reader seeing it change must start over at seq 0. */
  public String incarnation() {
    return incarnation;
  }

  /** The oldest sequence number still held (older ones were dropped), or seq+1 if empty. */
  public synchronized long oldestSeq() {
    return events.isEmpty() ? seq + 1 : events.peekFirst().seq();
  }

  public void emit(String kind, String detail) {
    Event e;
    synchronized (this) {
      e = new Event(++seq, System.currentTimeMillis(), node, kind, detail);
      events.addLast(e);
      if (events.size() > CAPACITY) {
        events.removeFirst();
      }
    }
    metrics.event(kind);
    LOG.info("event={} node={} {}", kind, node, detail);
  }

  /** Events with a sequence number above {@code afterSeq}, oldest first. */
  public synchronized List<Event> since(long afterSeq) {
    List<Event> out = new ArrayList<>();
    for (Event e : events) {
      if (e.seq() > afterSeq) {
        out.add(e);
      }
    }
    return out;
  }
}

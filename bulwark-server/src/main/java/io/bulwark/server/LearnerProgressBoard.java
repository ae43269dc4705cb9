package io.bulwark.server;

import io.bulwark.core.common.ShardId;
import io.bulwark.core.pb.LearnerProgress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The re-replication progress of the shards this node is primary of (DESIGN §6): the replica
 * loop publishes each replica's {@link LearnerProgress} once a second, the client service reads
 * it for {@code Status} replies, and every {@link #EVENT_EVERY} publications a shard still
 * copying gets a {@code re-replication} event. Progress is known only at the primary, so a
 * Status reply from another node carries none. Thread-safe.
 */
final class LearnerProgressBoard {
  /** Publications (seconds) between two re-replication events of one shard. */
  static final int EVENT_EVERY = 3;

  private final EventLog events;
  private final Map<ShardId, List<LearnerProgress>> board = new ConcurrentHashMap<>();
  private final Map<ShardId, Integer> sinceEvent = new ConcurrentHashMap<>();

  LearnerProgressBoard(EventLog events) {
    this.events = events;
  }

  /** Called by the replica loop with one replica's learners (empty if none, or not primary). */
  void publish(ShardId shard, List<LearnerProgress> learners) {
    if (learners.isEmpty()) {
      board.remove(shard);
      sinceEvent.remove(shard);
      return;
    }
    board.put(shard, List.copyOf(learners));
    if (sinceEvent.merge(shard, 1, Integer::sum) % EVENT_EVERY != 1) {
      return;
    }
    for (LearnerProgress p : learners) {
      events.emit("re-replication", "shard=" + shard + " node=" + p.node() + " bytes="
          + p.bytesSent() + " percent=" + p.percent() + " acked=" + p.ackedIndex()
          + " last=" + p.lastIndex());
    }
  }

  List<LearnerProgress> of(ShardId shard) {
    return board.getOrDefault(shard, List.of());
  }
}

package io.bulwark.core.pb;

import io.bulwark.core.common.ShardConfig;
import io.bulwark.core.common.ShardId;
import java.util.List;

/**
 * Messages between the replicas of one shard (peer.proto, DESIGN §3). The transport may drop,
 * duplicate, reorder or delay any of them (STYLE P2): every handler is idempotent, and resending
 * is the sender's job, driven by its ticks.
 */
public sealed interface Message {
  ShardId shard();

  /** The epoch the sender believes current; a receiver refuses anything older than its own. */
  long epoch();

  /**
   * Primary -> backup or learner: append {@code entries}, which follow {@code (prevEpoch,
   * prevIndex)} in the primary's log; entries up to {@code committedIndex} are committed.
   * Carries the sender's configuration so a replica can adopt a newer epoch.
   */
  record ReplicatePrepare(
      ShardConfig config, long prevIndex, long prevEpoch, List<LogEntry> entries,
      long committedIndex) implements Message {
    @Override
    public ShardId shard() {
      return config.shard();
    }

    @Override
    public long epoch() {
      return config.epoch();
    }
  }

  /**
   * Backup/learner -> primary. If {@code matched}, the sender durably holds the primary's log up
   * to {@code durableIndex}. If not, its log does not contain {@code (prevEpoch, prevIndex)}:
   * {@code lastIndex} is its last index and the primary resends from an earlier point.
   */
  record ReplicateAck(ShardId shard, long epoch, boolean matched, long durableIndex, long lastIndex)
      implements Message {}

  /**
   * Primary -> backups, every beacon interval: "I am primary of this epoch". {@code sentNanos}
   * is the primary's own clock at send time and is echoed back; the lease runs from it (§3.6).
   */
  record Beacon(ShardConfig config, long sentNanos, long committedIndex) implements Message {
    @Override
    public ShardId shard() {
      return config.shard();
    }

    @Override
    public long epoch() {
      return config.epoch();
    }
  }

  /** Backup -> primary: acknowledges the beacon sent at {@code sentNanos}. */
  record BeaconAck(ShardId shard, long epoch, long sentNanos) implements Message {}

  /**
   * Primary -> learner or lagging replica whose next entry was trimmed from the log: one chunk of
   * a snapshot at {@code snapshotIndex}. Chunks are numbered from 0; the last has {@code last}.
   * The dedup table and the transaction state (§5) travel in chunk 0.
   */
  record SnapshotChunk(
      ShardConfig config, long snapshotIndex, long snapshotEpoch, int chunk, boolean last,
      List<KeyValue> entries, List<ShardStateMachine.DedupRecord> dedup,
      ShardStateMachine.TxnState txn) implements Message {

    /** A chunk without transaction state (every chunk but the first carries none). */
    public SnapshotChunk(ShardConfig config, long snapshotIndex, long snapshotEpoch, int chunk,
        boolean last, List<KeyValue> entries, List<ShardStateMachine.DedupRecord> dedup) {
      this(config, snapshotIndex, snapshotEpoch, chunk, last, entries, dedup,
          ShardStateMachine.TxnState.EMPTY);
    }

    @Override
    public ShardId shard() {
      return config.shard();
    }

    @Override
    public long epoch() {
      return config.epoch();
    }
  }
}

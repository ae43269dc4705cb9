package io.bulwark.storage;

import io.bulwark.core.common.ShardId;
import java.nio.file.Path;

/**
 * A stored log entry failed a check after reading: its CRC32C, its decoding, or index
 * continuity (an entry missing, or stored under another index). The replica's log for this
 * shard cannot be trusted: the runtime reports it and rebuilds the shard from a healthy
 * replica, and never serves or acks from it (DESIGN §7, STYLE §5).
 */
public final class CorruptLogException extends StorageException {
  private static final long serialVersionUID = 1L;

  private final transient ShardId shard;
  private final long index;

  CorruptLogException(ShardId shard, long index, Path dir, String problem) {
    super("corrupt log of shard " + shard + " at index " + index + " in node store " + dir
        + ": " + problem, null);
    this.shard = shard;
    this.index = index;
  }

  /** The shard whose log is corrupt. */
  public ShardId shard() {
    return shard;
  }

  /** The log index at which the corruption was found. */
  public long index() {
    return index;
  }
}

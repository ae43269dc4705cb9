package io.bulwark.storage;

import io.bulwark.core.common.ShardId;
import io.bulwark.core.pb.LogEntry;
import java.util.Objects;

/** One entry to append to one shard's log, as part of a group commit ({@link NodeStore#append}). */
public record LogAppend(ShardId shard, LogEntry entry) {
  public LogAppend {
    Objects.requireNonNull(shard, "shard");
    Objects.requireNonNull(entry, "entry");
  }
}

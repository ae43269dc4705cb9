package io.bulwark.core.pb;

/**
 * One replicated log entry. Its position is {@code (epoch, index)}: the epoch of the primary that
 * created it and its index in the shard's log (DESIGN §3.1). Indexes start at 1 and are dense.
 */
public record LogEntry(long epoch, long index, Command command) {}

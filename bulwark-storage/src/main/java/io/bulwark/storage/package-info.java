/**
 * Node-local durable storage on RocksDB (DESIGN §7): one database per node, with column families
 * {@code log} (each shard's replicated log), {@code data} (each shard's applied state: keys,
 * versions, the dedup table and the applied position) and {@code meta} (small per-node and
 * per-shard facts).
 *
 * <p><b>Entry points.</b> {@link io.bulwark.storage.NodeStore#open} opens the node's database;
 * {@link io.bulwark.storage.NodeStore#stateMachine} hands out the one
 * {@link io.bulwark.storage.RocksShardStateMachine} of a shard.
 *
 * <p><b>Threading.</b> {@code NodeStore} is thread-safe: any thread may call it, and calls for
 * different shards run concurrently. Calls that change one shard's log ({@code append},
 * {@code truncateAfter}, {@code trimBefore}) must be serialised per shard by the runtime (its
 * group-commit thread or the shard's core), because their continuity checks read the log
 * before writing. A shard's state machine is used by one thread at a time, its core's (STYLE
 * P3); it is not thread-safe. Every call blocks on disk I/O; none may run on a network thread.
 *
 * <p><b>Durability.</b> When a method returns, its effect is durable if the method says
 * "synced" (log appends and truncations, meta writes, snapshot installs, shard drops): it was
 * written with {@code WriteOptions.sync = true}. State-machine applies are written to the WAL
 * without a sync: after a crash the durable log is replayed above the applied index, so an
 * apply lost in a crash is redone. The log is trimmed only below an applied index made durable
 * first (DESIGN §3.10).
 *
 * <p><b>Errors.</b> Three kinds, never mixed (STYLE §5):
 * <ul>
 *   <li>{@link io.bulwark.storage.StorageException} (unchecked): the disk or RocksDB failed. The
 *       message names the directory and, when RocksDB reports it, says "disk full" or "locked";
 *       {@link io.bulwark.storage.StorageException#diskFull()} tells the runtime which.</li>
 *   <li>{@link io.bulwark.storage.CorruptLogException}, a {@code StorageException}: a log entry
 *       failed its CRC32C or its index continuity check. It names shard and index; the replica
 *       must be rebuilt from a healthy one, never served (DESIGN §7).</li>
 *   <li>{@link java.lang.IllegalArgumentException}: the caller asked for something the log
 *       forbids (a gap in the log, a trim above the applied index, a truncation of applied
 *       entries). Nothing was written. {@link java.lang.IllegalStateException}: the store was
 *       closed or the shard dropped. Broken internal invariants throw
 *       {@link io.bulwark.core.common.Invariants.InvariantViolation}.</li>
 * </ul>
 */
package io.bulwark.storage;

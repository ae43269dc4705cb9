/**
 * Primary-backup replication (PacificA; DESIGN §3) as a pure state machine:
 * {@link io.bulwark.core.pb.ShardReplica} consumes {@link io.bulwark.core.pb.Input}s and emits
 * {@link io.bulwark.core.pb.Effect}s. Applied state sits behind
 * {@link io.bulwark.core.pb.ShardStateMachine} (RocksDB in the server, memory in tests and the
 * simulator). The runtime's duties: dispatch inputs one at a time with a fresh monotonic
 * {@code nowNanos}; perform log effects in order and report {@code LogDurable} only after fsync;
 * release read replies only inside their lease.
 */
package io.bulwark.core.pb;

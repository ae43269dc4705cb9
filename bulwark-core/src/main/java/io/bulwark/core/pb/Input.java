package io.bulwark.core.pb;

import io.bulwark.core.common.ShardConfig;

/**
 * Everything that can happen to a replica. Each input carries {@code nowNanos}, the runtime's
 * monotonic clock sampled when it dispatches the input (not when it queued it, §3.6).
 */
public sealed interface Input {
  long nowNanos();

  /** A client write, identified for replies by the runtime's {@code requestId}. */
  record ClientWrite(long nowNanos, long requestId, Command command) implements Input {}

  /** A linearizable read of one key. */
  record ClientRead(long nowNanos, long requestId, byte[] key) implements Input {}

  /** A linearizable scan of this shard's keys with a prefix. */
  record ClientScan(long nowNanos, long requestId, byte[] prefix, int limit) implements Input {}

  /** A message from another replica of this shard. */
  record Received(long nowNanos, String from, Message message) implements Input {}

  /** The local log is durable up to {@code (epoch, index)}, and so is every earlier log effect. */
  record LogDurable(long nowNanos, long index, long epoch) implements Input {}

  /** A configuration read from ZooKeeper (a watch, or a re-read after a sync). */
  record ConfigObserved(long nowNanos, ShardConfig config) implements Input {}

  /** The answer to this replica's {@link Effect.ProposeConfig}. */
  record ProposalResult(long nowNanos, ShardConfig proposed, boolean succeeded)
      implements Input {}

  /**
   * The runtime could not connect to {@code node}: its connection was refused or lost and could
   * not be made again, so its process is most likely not running. A backup of that node's shards
   * may then propose itself as soon as the primary's lease must have lapsed instead of waiting
   * out the whole grace (§3.7); safety still rests on the lease alone, so a wrong signal (a
   * live node behind a rejecting firewall) costs an unneeded failover, never two primaries.
   */
  record PeerUnreachable(long nowNanos, String node) implements Input {}

  /**
   * Asks this primary to hand primaryship over to {@code target}, one of its backups (§3.8): it
   * stops serving, lets its in-flight entries commit, waits until the target durably holds its
   * whole log, then proposes the next epoch with the target primary. Ignored, with a
   * {@code handover phase=aborted} event, by a replica that cannot do so now.
   */
  record HandOver(long nowNanos, String target) implements Input {}

  /**
   * At the record shard's primary (DESIGN §5, recovery): what became of {@code txnId}? Answered
   * with {@link ClientReply.TxnStatusIs}: a final status at once; PENDING (or no record) while the
   * primary's own timer for the transaction, started when it first saw the record or this
   * question, is below {@link ReplicaOptions#txnTimeoutNanos}; past it the primary appends
   * {@link Op.TxnRecordDecide}{@code (ABORTED)} and answers once that applied. Asked by
   * participants' recovery, by readers that met an intent and by clients that lost their
   * coordinator. Idempotent.
   */
  record TxnResolve(long nowNanos, long requestId, String txnId) implements Input {}

  /** Periodic: beacons, retransmission, grace and lease checks. */
  record Tick(long nowNanos) implements Input {}
}

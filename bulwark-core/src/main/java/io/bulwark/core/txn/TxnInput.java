package io.bulwark.core.txn;

import io.bulwark.core.common.ShardId;
import io.bulwark.core.pb.ClientReply;

/** Everything that can happen to a {@link TxnCoordinator}; each carries the node's monotonic now. */
public sealed interface TxnInput {
  long nowNanos();

  /** A client's commit request, answered by {@link TxnEffect.Reply} with {@code requestId}. */
  record Commit(long nowNanos, long requestId, TxnRequest txn) implements TxnInput {}

  /**
   * A participant primary on this node reported {@code txnId} stale ({@code Effect.TxnStale}):
   * find its fate at the record shard and resolve it at {@code participant}. Idempotent.
   */
  record Recover(long nowNanos, String txnId, byte[] recordKey, ShardId participant)
      implements TxnInput {}

  /**
   * The answer to {@link TxnEffect.Call} {@code callId}: whatever the shard replied, or
   * {@code Indeterminate}/{@code Refused(UNAVAILABLE)} from the runtime when it got no answer.
   * Late and duplicate answers are ignored.
   */
  record CallReply(long nowNanos, long callId, ClientReply reply) implements TxnInput {}

  /** Periodic (the runtime's tick): resends unanswered calls, gives up on old transactions. */
  record Tick(long nowNanos) implements TxnInput {}
}

package io.bulwark.core.txn;

import io.bulwark.core.common.ShardId;
import io.bulwark.core.pb.Command;

/** What a {@link TxnCoordinator} asks its runtime to do. */
public sealed interface TxnEffect {

  /**
   * Send one request to the primary of {@code shard} (the runtime routes it, as a client would:
   * its best guess of the primary, following NOT_PRIMARY hints) and answer with
   * {@link TxnInput.CallReply}{@code (callId)}. Best effort: the coordinator resends (with a new
   * call id, the same command) if no answer comes; every call is idempotent.
   */
  record Call(long callId, ShardId shard, ShardCall call) implements TxnEffect {}

  /** Answer the client's commit request {@code requestId}. */
  record Reply(long requestId, TxnOutcome outcome) implements TxnEffect {}

  /** A structured event (txn-committed, txn-aborted, txn-recovered, ...) for events and metrics. */
  record Emit(String event, String detail) implements TxnEffect {}

  /** The request of a {@link Call}. */
  sealed interface ShardCall {}

  /** A logged command ({@code Input.ClientWrite} at the primary); the reply is {@code Written}. */
  record Write(Command command) implements ShardCall {}

  /** {@code Input.TxnResolve} at the record shard's primary; the reply is {@code TxnStatusIs}. */
  record Resolve(String txnId) implements ShardCall {}
}

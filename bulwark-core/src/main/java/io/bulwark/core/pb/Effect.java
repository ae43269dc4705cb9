package io.bulwark.core.pb;

import io.bulwark.core.common.ShardConfig;
import java.util.List;

/**
 * What a replica asks its runtime to do. The runtime performs log effects ({@link AppendLog},
 * {@link TruncateLog}, {@link ResetLog}, {@link TrimLog}) in the order they were emitted, each
 * shard's after the previous, and reports durability with {@link Input.LogDurable}; it may
 * group-commit appends of many inputs and shards into one fsync. Other effects are independent
 * of the log and may be performed at once.
 */
public sealed interface Effect {

  /** Send {@code message} to node {@code to}, best effort. */
  record Send(String to, Message message) implements Effect {}

  /** Append these entries (consecutive, following the current last entry) and fsync. */
  record AppendLog(List<LogEntry> entries) implements Effect {}

  /** Delete every log entry above {@code lastKeptIndex} (a divergent, uncommitted suffix). */
  record TruncateLog(long lastKeptIndex) implements Effect {}

  /**
   * Delete the whole log; the next entry will be {@code baseIndex + 1}, following an entry of
   * {@code baseEpoch} (after a snapshot was installed).
   */
  record ResetLog(long baseIndex, long baseEpoch) implements Effect {}

  /** Delete log entries below {@code firstKeptIndex}; all of them are applied (§3.10). */
  record TrimLog(long firstKeptIndex, long baseEpoch) implements Effect {}

  /** Answer the client request {@code requestId}. */
  record Reply(long requestId, ClientReply reply) implements Effect {}

  /**
   * Compare-and-set the shard's configuration from epoch {@code expectedEpoch} to {@code next};
   * the runtime answers with {@link Input.ProposalResult} and, on failure, a fresh
   * {@link Input.ConfigObserved} read after a ZooKeeper sync.
   */
  record ProposeConfig(long expectedEpoch, ShardConfig next) implements Effect {}

  /**
   * A participant primary's transaction {@code txnId} has been prepared longer than
   * txn-timeout by its own clock (DESIGN §5): the runtime hands it to its node's
   * {@code TxnCoordinator} ({@code Recover}), which asks the record shard ({@link
   * Input.TxnResolve}) and appends the outcome here. Emitted again every txn-timeout while the
   * transaction stays unresolved.
   */
  record TxnStale(String txnId, byte[] recordKey) implements Effect {}

  /** A structured event for the event log and metrics (DESIGN §6). */
  record Emit(String event, String detail) implements Effect {}
}

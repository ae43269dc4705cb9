package io.bulwark.sim;

import io.bulwark.core.common.ShardId;
import io.bulwark.core.pb.Intent;
import io.bulwark.core.pb.KeyValue;
import io.bulwark.core.pb.LogEntry;
import io.bulwark.core.pb.MemoryShardStateMachine;
import io.bulwark.core.pb.Outcome;
import io.bulwark.core.pb.PreparedTxn;
import io.bulwark.core.pb.ShardStateMachine;
import io.bulwark.core.pb.TxnRecord;
import io.bulwark.core.pb.Versioned;
import java.util.List;
import java.util.function.Consumer;

/**
 * A replica's applied state: the core's own {@link MemoryShardStateMachine}, watched. Every
 * apply is reported to the {@link CommittedEntriesAgree} invariant before it happens, so two
 * replicas that apply different entries at one index fail the run at that moment. Not durable
 * by itself: {@link SimDisk} keeps the copies a restart may recover (installs are synced at
 * once; applies only when a trim makes them the recovery point).
 */
final class SimStateMachine implements ShardStateMachine {
  private final MemoryShardStateMachine inner;
  private final CommittedEntriesAgree ledger;
  private final ShardId shard;
  private final String node;
  private final Consumer<Snapshot> onInstall;

  /**
   * @param onInstall told every installed snapshot: the server's install is synced before it
   *     returns, so the disk keeps it as the recovery point at once
   */
  SimStateMachine(ShardId shard, String node, Snapshot recovered, CommittedEntriesAgree ledger,
      Consumer<Snapshot> onInstall) {
    this.shard = shard;
    this.node = node;
    this.ledger = ledger;
    this.onInstall = onInstall;
    this.inner = new MemoryShardStateMachine();
    if (recovered != null) {
      inner.install(recovered);
    }
  }

  @Override
  public long appliedIndex() {
    return inner.appliedIndex();
  }

  @Override
  public long appliedEpoch() {
    return inner.appliedEpoch();
  }

  @Override
  public Outcome apply(LogEntry entry) {
    ledger.onApply(shard, node, entry);
    return inner.apply(entry);
  }

  @Override
  public Outcome appliedOutcome(String clientId, long seq) {
    return inner.appliedOutcome(clientId, seq);
  }

  @Override
  public Versioned get(byte[] key) {
    return inner.get(key);
  }

  @Override
  public List<KeyValue> scan(byte[] prefix, int limit) {
    return inner.scan(prefix, limit);
  }

  @Override
  public Intent intentOn(byte[] key) {
    return inner.intentOn(key);
  }

  @Override
  public String lockHolder(byte[] key, String exceptTxnId) {
    return inner.lockHolder(key, exceptTxnId);
  }

  @Override
  public TxnRecord txnRecord(String txnId) {
    return inner.txnRecord(txnId);
  }

  @Override
  public List<PreparedTxn> preparedTxns() {
    return inner.preparedTxns();
  }

  @Override
  public List<TxnRecord> pendingTxnRecords() {
    return inner.pendingTxnRecords();
  }

  @Override
  public Snapshot snapshot() {
    return inner.snapshot();
  }

  @Override
  public void install(Snapshot snapshot) {
    inner.install(snapshot);
    onInstall.accept(snapshot);
  }
}

package io.bulwark.sim;

import io.bulwark.core.common.ShardConfig;
import io.bulwark.core.common.ShardId;
import io.bulwark.core.pb.KeyValue;
import io.bulwark.core.pb.PreparedTxn;
import io.bulwark.core.pb.ShardStateMachine;
import io.bulwark.core.pb.LogEntry;
import io.bulwark.core.pb.ShardReplica;
import io.bulwark.proto.Codec;
import java.util.Arrays;
import java.util.List;

/**
 * End-of-run check, after healing and a quiet period, of each shard's current configuration:
 * every member runs; every backup's <em>durable</em> log reaches its primary's committed index
 * (acks ALL: a commit needs every member to hold the entry durably, DESIGN §3.3) and holds the
 * same entries as the primary's where both hold them; no backup applied past the commit; and a
 * backup that applied exactly as far as its primary holds the same keys, values and versions.
 *
 * <p>A backup may apply less than its primary committed: it learns the commit point from the
 * next prepare or beacon, and re-verifies its log against a new primary or after a restart
 * only when the primary next sends it entries. That lag is allowed here.
 */
final class ConvergenceCheck {
  private ConvergenceCheck() {}

  /** The first divergence found, described, or null if every shard converged. */
  static String findDivergence(SimCoord coord, List<SimNode> nodes) {
    for (ShardConfig c : coord.configs()) {
      String problem = checkShard(c, nodes);
      if (problem != null) {
        return problem;
      }
    }
    return null;
  }

  private static String checkShard(ShardConfig c, List<SimNode> nodes) {
    SimNode primary = node(nodes, c.primary());
    ShardId shard = c.shard();
    if (primary == null || primary.replicas().get(shard) == null) {
      return "primary " + c.primary() + " of " + shard + " runs no replica at the end";
    }
    ShardReplica p = primary.replicas().get(shard);
    SimDisk.Recovered pLog = primary.disk().recover(shard);
    for (String b : c.backups()) {
      SimNode n = node(nodes, b);
      ShardReplica r = n == null ? null : n.replicas().get(shard);
      if (r == null) {
        return "backup " + b + " of " + shard + " runs no replica at the end";
      }
      String where = " (" + r + " vs " + p + ")";
      SimDisk.Recovered bLog = n.disk().recover(shard);
      // A snapshot install is durable when it returns, before the log reset it queued: a
      // restart recovers from that checkpoint (ShardReplica's stale-log check), so it counts.
      long bLast = Math.max(bLog.baseIndex() + bLog.entries().size(),
          bLog.checkpoint() == null ? 0 : bLog.checkpoint().index());
      if (bLast < p.committedIndex()) {
        return "backup " + b + " of " + shard + " durably holds the log up to " + bLast
            + " only, but its primary committed " + p.committedIndex() + where;
      }
      String mismatch = firstMismatch(pLog, bLog, p.committedIndex());
      if (mismatch != null) {
        return "backup " + b + " of " + shard + " " + mismatch + where;
      }
      if (r.appliedIndex() > p.committedIndex()) {
        return "backup " + b + " of " + shard + " applied " + r.appliedIndex()
            + " beyond its primary's commit " + p.committedIndex() + where;
      }
      if (r.appliedIndex() == p.appliedIndex() && !same(
          primary.stateMachine(shard).snapshot().entries(),
          n.stateMachine(shard).snapshot().entries())) {
        return "backup " + b + " of " + shard + " holds different data than its primary at "
            + "applied index " + r.appliedIndex() + where;
      }
      if (r.appliedIndex() == p.appliedIndex() && !sameTxnState(
          primary.stateMachine(shard).snapshot().txn(), n.stateMachine(shard).snapshot().txn())) {
        return "backup " + b + " of " + shard + " holds different transaction state (intents,"
            + " records) than its primary at applied index " + r.appliedIndex() + where;
      }
    }
    return null;
  }

  /** Same prepared transactions (by id and index) and the same records, in the same order. */
  private static boolean sameTxnState(ShardStateMachine.TxnState a, ShardStateMachine.TxnState b) {
    if (!a.records().equals(b.records()) || a.prepared().size() != b.prepared().size()) {
      return false;
    }
    for (int i = 0; i < a.prepared().size(); i++) {
      PreparedTxn x = a.prepared().get(i);
      PreparedTxn y = b.prepared().get(i);
      if (!x.txnId().equals(y.txnId()) || x.preparedIndex() != y.preparedIndex()) {
        return false;
      }
    }
    return true;
  }

  /** Where two durable logs hold different entries at one index up to {@code upTo}, or null. */
  private static String firstMismatch(SimDisk.Recovered a, SimDisk.Recovered b, long upTo) {
    long from = Math.max(a.baseIndex(), b.baseIndex()) + 1;
    long to = Math.min(upTo, Math.min(a.baseIndex() + a.entries().size(),
        b.baseIndex() + b.entries().size()));
    for (long i = from; i <= to; i++) {
      LogEntry x = a.entries().get((int) (i - a.baseIndex() - 1));
      LogEntry y = b.entries().get((int) (i - b.baseIndex() - 1));
      if (!Arrays.equals(Codec.encode(x), Codec.encode(y))) {
        return "holds a different committed entry at index " + i + " (epoch " + y.epoch()
            + ", primary's epoch " + x.epoch() + ")";
      }
    }
    return null;
  }

  private static boolean same(List<KeyValue> a, List<KeyValue> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      KeyValue x = a.get(i);
      KeyValue y = b.get(i);
      if (!Arrays.equals(x.key(), y.key()) || !Arrays.equals(x.value(), y.value())
          || x.version() != y.version()) {
        return false;
      }
    }
    return true;
  }

  private static SimNode node(List<SimNode> nodes, String id) {
    for (SimNode n : nodes) {
      if (n.id().equals(id) && n.isAlive()) {
        return n;
      }
    }
    return null;
  }
}

package io.bulwark.sim;

import io.bulwark.core.common.ShardConfig;
import io.bulwark.core.pb.PreparedTxn;
import java.util.ArrayList;
import java.util.List;

/**
 * The end-of-run transaction check (DESIGN §5, "no blocking on a dead coordinator"): after
 * healing, the primary of no shard may still hold a prepared transaction (a write intent or a
 * read lock). Backups may lag in applying (they learn the commit index from the next beacon), and
 * a node removed from a shard keeps a stale replica, so only primaries are judged; that backups
 * agree with them is {@link ConvergenceCheck}'s job. A PENDING record without intents anywhere
 * holds nothing and is aborted by the first question; it is not counted.
 */
final class TxnResolution {
  private TxnResolution() {}

  /** What is still unresolved (a few examples), or null if nothing is. */
  static String unresolved(SimCoord coord, List<SimNode> nodes) {
    List<String> found = new ArrayList<>();
    int count = 0;
    for (ShardConfig c : coord.configs()) {
      SimNode primary = nodes.stream().filter(n -> n.id().equals(c.primary())).findFirst()
          .orElse(null);
      if (primary == null || !primary.isAlive() || primary.stateMachine(c.shard()) == null) {
        return "primary " + c.primary() + " of " + c.shard() + " runs no replica";
      }
      for (PreparedTxn t : primary.stateMachine(c.shard()).preparedTxns()) {
        count++;
        if (found.size() < 5) {
          found.add(t.txnId() + " on " + c.shard() + " (prepared at " + t.preparedIndex() + ")");
        }
      }
    }
    return count == 0 ? null : count + " prepared transactions still hold locks: " + found;
  }
}
